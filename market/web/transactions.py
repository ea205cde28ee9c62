"""One transaction per unsafe request, by construction.

Every POST, PUT, PATCH and DELETE runs inside one unit of work (``market.jobs.unit_of_work``): what the handler
writes commits together when the response is a success (status below 400), and is rolled back otherwise, whatever
the handler caught and turned into a page. Jobs queued by the request are sent after the commit, never after a
rollback. The response is held until the outcome is known, so a failure at commit time (a unique index, a
serialisation failure) still answers with a clear problem instead of a success that did not happen.

Handlers and services do not open transactions; a ``unit_of_work()`` inside one joins this one. The one exception
is declared on the route: ``opt={OWN_TRANSACTIONS: True}`` for a handler that must commit in steps (a payment is
kept even when the provider then refuses the charge), which then opens its units of work itself.
"""

from __future__ import annotations

from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from market.jobs import unit_of_work
from market.web.problems import PROBLEM_JSON, conflict_body, unique_violation

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
OWN_TRANSACTIONS = "own_transactions"


def _own_transactions(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    return bool(handler is not None and getattr(handler, "opt", {}).get(OWN_TRANSACTIONS))


class _RolledBack(Exception):
    """Raised inside the unit of work to roll it back once a response says the request failed."""


class TransactionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope.get("method", "GET") in SAFE_METHODS or _own_transactions(scope):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []
        status: dict[str, int] = {"code": 500}

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            held.append(message)

        try:
            async with unit_of_work():
                await self.app(scope, receive, hold)
                if status["code"] >= 400:
                    raise _RolledBack
        except _RolledBack:
            pass
        except Exception as exc:  # the commit itself failed
            conflict = unique_violation(exc)
            if conflict is None:
                raise
            await _send_problem(send, scope, conflict_body(conflict, scope))
            return
        for message in held:
            await send(message)


async def _send_problem(send: Send, scope: Scope, body: bytes) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    request_id: Any = scope.get("state", {}).get("request_id")
    if request_id:
        headers.append((b"x-request-id", str(request_id).encode()))
    await send({"type": "http.response.start", "status": 409, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
