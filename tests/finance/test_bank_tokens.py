"""A bank's systems use the API with the organisation's tokens (scoped read / read+write): every pledge, desk,
portfolio and webhook endpoint takes a token (none is browser-only), a read token reads and is refused every write,
and a token reaches its own organisation's objects only (tests/market/test_tenant_isolation.py walks the rest)."""

from __future__ import annotations

import re
from typing import Any

from litestar.routes import HTTPRoute

from market.web.access import declared_access
from tests.conftest import Client, make_account, sign_in

PREFIXES = ("/api/pledges", "/api/desk", "/api/bank", "/api/webhooks")


def bank_routes(app: Any) -> list[tuple[str, str, bool]]:
    """(method, path, session_only) of every handler under the bank's API prefixes."""
    out = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path_format.startswith(PREFIXES):
            continue
        for handler in route.route_handlers:
            if handler.fn.__module__.startswith("litestar."):
                continue
            access = declared_access(handler)
            assert access is not None and access.signed_in, route.path_format
            out += [(m, route.path_format, access.session_only) for m in sorted(handler.http_methods)]
    return out


async def make_token(client: Client, scopes: list[str]) -> str:
    r = await client.send_json("POST", "/api/tokens", {"name": "loan system", "scopes": scopes})
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


async def test_every_bank_endpoint_takes_a_token_and_a_read_token_writes_nothing(client: Client) -> None:
    routes = bank_routes(client.app)
    paths = {p for _, p, _ in routes}
    assert paths >= {"/api/desk/cases", "/api/bank/portfolio", "/api/webhooks/endpoints", "/api/pledges",
                     "/api/pledges/{application_id}/package"}
    assert [f"{m} {p}" for m, p, session_only in routes if session_only] == []
    bank = await make_account("bank")
    await sign_in(client, bank)
    token = await make_token(client, ["read"])
    client.cookies.clear()
    bearer = {"authorization": f"Bearer {token}"}
    for path in sorted(paths & {"/api/pledges", "/api/desk/cases", "/api/bank/portfolio", "/api/webhooks/endpoints"}):
        r = await client.get(path, headers=bearer)
        assert r.status_code == 200, (path, r.status_code, r.text)
    for method, path, _ in routes:
        if method in ("GET", "HEAD", "OPTIONS"):
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        r = await client.request(method, concrete, json={}, headers=bearer)
        assert r.status_code == 403 and r.json()["type"].endswith("/insufficient-scope"), (method, path, r.text)
