"""GET /health: the state of each component the app needs."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
from litestar import Controller, Response, get

from market import db, jobs
from market.settings import Settings
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


async def search_state(settings: Settings) -> dict[str, Any]:
    if settings.search_backend == "meilisearch":
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                response = await client.get(settings.meili_url.rstrip("/") + "/health")
            ok = response.status_code == 200
        except httpx.HTTPError as exc:
            return {"status": "down", "backend": "meilisearch", "error": type(exc).__name__}
        return {"status": "ok" if ok else "down", "backend": "meilisearch"}
    return await asyncio.to_thread(_embedded_state, settings.data_dir / "search")


def _embedded_state(index_dir: Path) -> dict[str, Any]:
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        writable = index_dir.is_dir()
    except OSError as exc:
        return {"status": "down", "backend": "embedded", "error": str(exc)}
    return {"status": "ok" if writable else "down", "backend": "embedded", "path": str(index_dir)}


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]

    @get("/", opt=public(), summary="Database, job queue and search backend states")
    async def health(self, settings: Settings) -> Response[dict[str, Any]]:
        components = {
            "database": await database_state(),
            "jobs": await jobs.queue().health(),
            "search": await search_state(settings),
        }
        ok = all(c["status"] == "ok" for c in components.values())
        return Response(
            {"status": "ok" if ok else "degraded", "components": components}, status_code=200 if ok else 503
        )
