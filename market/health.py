"""GET /health: the state of each component the app needs."""

from __future__ import annotations

import time
from typing import Any

from litestar import Controller, Request, Response, get

from market import db, jobs
from market.integrations.search import SearchIndex
from market.web.access import public


async def database_state() -> dict[str, Any]:
    engine = db.current_engine()
    started = time.perf_counter()
    try:
        await db.ping(engine)
    except Exception as exc:
        return {"status": "down", "engine": engine.engine_type, "error": type(exc).__name__}
    return {
        "status": "ok",
        "engine": engine.engine_type,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


async def search_state(index: SearchIndex | None) -> dict[str, Any]:
    """The process's search index, as its adapter reports it (documents held, or why it is down)."""
    if index is None:
        return {"status": "down", "error": "no search index in this process"}
    try:
        return await index.health()
    except Exception as exc:  # health reports, it does not raise
        return {"status": "down", "backend": index.name, "error": type(exc).__name__}


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]

    @get("/", opt=public(), summary="Database, job queue and search backend states")
    async def health(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        components = {
            "database": await database_state(),
            "jobs": await jobs.queue().health(),
            "search": await search_state(getattr(request.app.state, "search", None)),
        }
        ok = all(c["status"] == "ok" for c in components.values())
        return Response(
            {"status": "ok" if ok else "degraded", "components": components}, status_code=200 if ok else 503
        )
