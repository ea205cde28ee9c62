"""Request ids and one structured log line per request."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("market.http")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
STATE_KEY = "request_id"


def ensure_request_id(scope: Scope) -> str:
    """The request's id: already chosen, else a sane incoming X-Request-ID, else a new one. Requests that never
    reach the middleware (an unknown route answers 404 before it) get theirs when their error is rendered."""
    state = scope.setdefault("state", {})
    if STATE_KEY not in state:
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        state[STATE_KEY] = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
    return str(state[STATE_KEY])


class RequestIdMiddleware:
    """Takes a sane incoming X-Request-ID or makes one and binds it to every log line of the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = ensure_request_id(scope)
        status: dict[str, Any] = {"code": None}
        started = time.perf_counter()

        async def remember_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, remember_status)
            except Exception as exc:
                # Raised by a middleware (CSRF, rate limit, authentication): the app's exception handler answers
                # outside this middleware, with the status the exception carries.
                status["code"] = getattr(exc, "status_code", 500)
                raise
            finally:
                log.info(
                    "request",
                    method=scope.get("method"),
                    path=scope.get("path"),
                    status=status["code"],
                    ms=round((time.perf_counter() - started) * 1000, 1),
                )


async def echo_request_id(message: Message, scope: Scope) -> None:
    """before_send hook: every response, error responses from middleware included, carries X-Request-ID."""
    if message["type"] == "http.response.start":
        request_id = scope.get("state", {}).get(STATE_KEY)
        if request_id:
            MutableScopeHeaders.from_message(message)["x-request-id"] = request_id
