"""Per-client rate limits on sign-in, sign-up and invitation acceptance, keyed by the client's address: the
socket peer, or what X-Forwarded-For says only when that peer is a configured trusted proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from market import jobs
from market.app import create_app
from market.integrations.search import build_search
from market.kit.credit_code import with_check
from market.settings import Settings
from market.web.limits import RedisCounter, client_address, parse_networks
from tests.conftest import Backend, Client, running
from tests.support.services import REDIS_URL, need, reachable

WRONG = {"email": "someone@example.cn", "password": "not the password"}


@pytest.fixture
async def limited_app(backend: Backend, tmp_path: Any, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    changes = {"sign_in_rate_per_minute": 3, "sign_up_rate_per_hour": 2, **getattr(request, "param", {})}
    settings = Settings(**{**backend.settings.model_dump(), **changes})
    app = create_app(settings, queue=jobs.InProcessQueue(), search=build_search(settings, path=tmp_path / "index"))
    async with running(app):
        yield app
        await app.state.job_queue.drain()  # the welcome jobs of the sign-ups, before the runtime closes


async def sign_in_from(client: Client, forwarded: str | None) -> Any:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return await client.send_json("POST", "/api/auth/sign-in", WRONG, headers=headers)


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_reset_the_limit(limited_app: Any) -> None:
    async with Client(limited_app) as client:
        statuses = [(await sign_in_from(client, f"203.0.113.{n}")).status_code for n in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        r = await sign_in_from(client, "198.51.100.77")
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"].endswith("/too-many-requests")
        assert 1 <= int(r.headers["retry-after"]) <= 60
        # the sign-in page form shares the limit
        page = await client.post("/sign-in", data={**WRONG, "_csrf_token": await client.csrf()})
        assert page.status_code == 429 and "retry-after" in page.headers
        assert (await client.get("/health")).status_code == 200  # other routes are not limited


@pytest.mark.parametrize("limited_app", [{"trusted_proxies": ["127.0.0.0/8"]}], indirect=True)
async def test_forwarded_for_names_the_client_behind_a_trusted_proxy(limited_app: Any) -> None:
    async with Client(limited_app) as client:  # the test transport's peer is 127.0.0.1: the proxy
        assert [(await sign_in_from(client, "203.0.113.5")).status_code for _ in range(4)] == [401, 401, 401, 429]
        # another client behind the same proxy has its own count
        assert (await sign_in_from(client, "203.0.113.6")).status_code == 401
        # a client that prepends a forged address is still known by what the proxy appended
        assert (await sign_in_from(client, "10.9.9.9, 203.0.113.5")).status_code == 429


async def test_sign_up_is_limited(limited_app: Any) -> None:
    body = {"password": "correct horse battery", "display_name": "甲", "org_kind": "sme"}

    def one(n: int) -> dict[str, str]:  # names and credit codes are unique per organisation
        code = with_check(f"91110000MG{n:07d}")
        return {**body, "email": f"u{n}@example.cn", "org_name": f"某企业{n}", "credit_code": code}

    async with Client(limited_app) as client:
        statuses = [(await client.send_json("POST", "/api/auth/sign-up", one(n))).status_code for n in range(3)]
    assert statuses == [202, 202, 429]


@pytest.mark.parametrize("limited_app", [{"invitation_rate_per_minute": 2}], indirect=True)
async def test_invitation_acceptance_is_limited(limited_app: Any) -> None:
    async with Client(limited_app) as client:
        statuses = [
            (await client.send_json("POST", "/api/invitations/view", {"token": "guess.guess-guess"})).status_code
            for _ in range(3)
        ]
    assert statuses == [404, 404, 429]


def test_the_client_address_is_read_from_the_right() -> None:
    trusted = parse_networks(["10.0.0.0/8", "192.0.2.1/32"])

    def scope(peer: str, forwarded: str | None = None) -> Any:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return {"client": (peer, 1234), "headers": headers}

    assert client_address(scope("203.0.113.9", "1.2.3.4"), ()) == "203.0.113.9"
    assert client_address(scope("203.0.113.9", "1.2.3.4"), trusted) == "203.0.113.9"  # peer not trusted
    assert client_address(scope("10.0.0.2", "1.2.3.4"), trusted) == "1.2.3.4"
    assert client_address(scope("10.0.0.2", "6.6.6.6, 1.2.3.4, 192.0.2.1"), trusted) == "1.2.3.4"
    assert client_address(scope("10.0.0.2", "junk, 1.2.3.4"), trusted) == "1.2.3.4"
    assert client_address(scope("10.0.0.2", "1.2.3.4, junk"), trusted) == "10.0.0.2"
    assert client_address(scope("10.0.0.2"), trusted) == "10.0.0.2"


async def test_the_redis_counter_shares_one_window() -> None:
    need(reachable(REDIS_URL, 6379), f"Redis is not reachable at {REDIS_URL}")
    counter = RedisCounter(REDIS_URL, prefix="market-test:rate:")
    try:
        await counter.redis.delete("market-test:rate:k")
        assert [(await counter.hit("k", 60))[0] for _ in range(3)] == [1, 2, 3]
        other = RedisCounter(REDIS_URL, prefix="market-test:rate:")  # another process sees the same count
        count, left = await other.hit("k", 60)
        assert count == 4 and 1 <= left <= 60
        await other.close()
    finally:
        await counter.redis.delete("market-test:rate:k")
        await counter.close()
