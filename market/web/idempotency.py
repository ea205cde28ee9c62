"""The ``Idempotency-Key`` header on API writes: a middleware (see ``market.idempotency.service`` for the rules).

It sits outside the request's transaction (``TransactionMiddleware``): the key is claimed, and committed, before
the write runs, and the response is stored once the write has committed (or released when it failed). Paths whose
answers carry credentials (sign-in, sign-up, API tokens) and the Stripe webhook (deduplicated by event id) are left
alone: their responses are never stored.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from market.accounts.principal import Principal
from market.i18n import Msg, gettext, negotiate, render
from market.idempotency import service
from market.web.problems import PROBLEM_JSON, TYPE_BASE
from market.web.requests import ensure_request_id

HEADER = b"idempotency-key"
REPLAYED = b"idempotent-replayed"
METHODS = frozenset({"POST", "PUT", "PATCH"})
LEFT_ALONE = ("/api/auth/", "/api/tokens", "/api/payments/stripe/webhook")


def principal_of(scope: Scope) -> str:
    user = scope.get("user")
    if isinstance(user, Principal):
        return f"user:{user.user_id}:org:{user.org_id}"
    return "anonymous"


def _applies(scope: Scope) -> bool:
    path = str(scope.get("path", ""))
    return (
        scope["type"] == ScopeType.HTTP
        and scope.get("method") in METHODS
        and path.startswith("/api/")
        and not path.startswith(LEFT_ALONE)
    )


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _problem(send: Send, scope: Scope, status: int, code: str, message: Msg) -> None:
    headers = dict(scope.get("headers", []))
    lang = negotiate(headers.get(b"accept-language", b"").decode("latin-1"))
    kind, title = {
        400: ("invalid-request", "problem.invalid-request"),
        409: ("conflict", "problem.conflict"),
        422: ("validation-failed", "problem.validation-failed"),
    }[status]
    body = json.dumps(
        {
            "type": TYPE_BASE + kind,
            "title": gettext(lang, title),
            "status": status,
            "detail": render(message, lang),
            "message_code": message.code,
            "instance": str(scope.get("path", "")),
            "request_id": ensure_request_id(scope),
            "idempotency": code,
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key_bytes = dict(scope.get("headers", [])).get(HEADER) if scope["type"] == ScopeType.HTTP else None
        if key_bytes is None or not _applies(scope):
            await self.app(scope, receive, send)
            return
        key = key_bytes.decode("latin-1").strip()
        if not key or len(key) > service.MAX_KEY_LENGTH or not key.isprintable():
            await _problem(send, scope, 400, "invalid", Msg("idempotency.key_invalid", {"max": service.MAX_KEY_LENGTH}))
            return
        body = await _read_body(receive)
        method, path = str(scope.get("method", "")), str(scope.get("path", ""))
        begun = await service.begin(
            principal=principal_of(scope),
            key=key,
            method=method,
            path=path,
            fingerprint=service.fingerprint(method, path, scope.get("query_string", b""), body),
        )
        if begun.action == "mismatch":
            await _problem(send, scope, 422, "mismatch", Msg("idempotency.key_reused"))
            return
        if begun.action == "in_progress":
            await _problem(send, scope, 409, "in_progress", Msg("idempotency.in_progress"))
            return
        if begun.action == "replay":
            assert begun.stored is not None
            await _replay(send, begun.stored.response_status, begun.stored.response_type, begun.stored.response_body)
            return
        assert begun.claim_id is not None
        await self._run(scope, body, send, begun.claim_id)

    async def _run(self, scope: Scope, body: bytes, send: Send, claim_id: int) -> None:
        sent = False

        async def replay_body() -> ReceiveMessage:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        answer: dict[str, Any] = {"status": 500, "type": "", "body": []}

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = int(message["status"])
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        answer["type"] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, keep)
        except BaseException:
            await service.release(claim_id)
            raise
        stored = base64.b64encode(b"".join(answer["body"])).decode("ascii")
        await service.finish(claim_id, status=answer["status"], content_type=answer["type"], body=stored)


async def _replay(send: Send, status: int, content_type: str, body_b64: str) -> None:
    body = base64.b64decode(body_b64)
    headers = [(b"content-length", str(len(body)).encode()), (REPLAYED, b"true")]
    if content_type:
        headers.append((b"content-type", content_type.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
