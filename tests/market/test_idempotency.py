"""The ``Idempotency-Key`` header on API writes: twenty parallel requests with one key create once and the rest are
told "in progress" (409) or get the first answer replayed; the same key with another body is refused (422); a failed
request releases its key; keys are per principal and expire. API tests on PostgreSQL, the claims on both."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from listings.needs.tables import Need
from market.idempotency import service
from market.idempotency.tables import IdempotencyKey
from tests.conftest import Backend, Client, make_account, sign_in

NEED = {
    "title": "污水处理设备的膜过滤技术",
    "description": "希望获得膜过滤方面的专利许可。",
    "tech_field": 24,
    "budget_max_minor": 50_000_000,
    "region": "330000",
    "deadline": (date.today() + timedelta(days=90)).isoformat(),
}
KEY = "5f0c1d2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5"


async def as_sme(client: Client) -> None:
    client.cookies.clear()
    await sign_in(client, await make_account("sme"))


async def post(client: Client, body: Any, key: str | None = KEY) -> Any:
    headers = {"x-csrftoken": await client.csrf(), **({"idempotency-key": key} if key else {})}
    return await client.post("/api/needs", json=body, headers=headers)


async def test_twenty_parallel_requests_with_one_key_create_once_and_replay(backend: Backend, client: Client) -> None:
    await as_sme(client)
    await client.csrf()
    answers = await asyncio.gather(*(post(client, NEED) for _ in range(20)))
    counts = Counter(a.status_code for a in answers)
    assert set(counts) <= {201, 409} and counts[201] >= 1, [a.text for a in answers]
    assert await Need.count() == 1
    created = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(created) == 1
    for answer in answers:
        if answer.status_code == 409:
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert answer.json()["message_code"] == "idempotency.in_progress"
    again = await post(client, NEED)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] in created and await Need.count() == 1


async def test_the_same_key_with_another_request_is_refused(backend: Backend, client: Client) -> None:
    await as_sme(client)
    assert (await post(client, NEED)).status_code == 201
    other = await post(client, {**NEED, "title": "另一个需求"})
    assert other.status_code == 422 and other.json()["message_code"] == "idempotency.key_reused"
    assert other.headers["content-type"].startswith("application/problem+json")
    assert await Need.count() == 1


async def test_a_failed_request_releases_its_key_and_without_a_key_each_request_runs(
    backend: Backend, client: Client
) -> None:
    await as_sme(client)
    refused = await post(client, {**NEED, "title": "x"})
    assert refused.status_code == 400 and await IdempotencyKey.count() == 0
    assert (await post(client, NEED)).status_code == 201  # the key was free again
    assert (await post(client, NEED, key=None)).status_code == 201
    assert (await post(client, NEED, key=None)).status_code == 201
    assert await Need.count() == 3


async def test_keys_are_per_principal_and_expire(backend: Backend, client: Client) -> None:
    await as_sme(client)
    first = await post(client, NEED)
    await as_sme(client)  # another firm, the same key: its own request
    second = await post(client, NEED)
    assert first.status_code == second.status_code == 201 and first.json()["id"] != second.json()["id"]
    await IdempotencyKey.update({IdempotencyKey.expires_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True)
    third = await post(client, NEED)  # the key expired: the request runs again
    assert third.status_code == 201 and "idempotent-replayed" not in third.headers
    assert await Need.count() == 3


async def test_an_unusable_key_is_a_400(backend: Backend, client: Client) -> None:
    await as_sme(client)
    answer = await post(client, NEED, key="k" * 256)
    assert answer.status_code == 400 and answer.json()["message_code"] == "idempotency.key_invalid"
    assert await Need.count() == 0


async def test_claims_on_both_databases(backend: Backend) -> None:
    same = service.fingerprint("POST", "/api/needs", b"", b"{}")
    begun = await service.begin(principal="user:1:org:1", key="k", method="POST", path="/api/needs", fingerprint=same)
    assert begun.action == "run" and begun.claim_id is not None
    again = await service.begin(principal="user:1:org:1", key="k", method="POST", path="/api/needs", fingerprint=same)
    assert again.action == "in_progress"
    await service.finish(begun.claim_id, status=201, content_type="application/json", body="e30=")
    replay = await service.begin(principal="user:1:org:1", key="k", method="POST", path="/api/needs", fingerprint=same)
    assert replay.action == "replay" and replay.stored is not None and replay.stored.response_status == 201
    other = service.fingerprint("POST", "/api/needs", b"", b"{ }")
    refused = await service.begin(
        principal="user:1:org:1", key="k", method="POST", path="/api/needs", fingerprint=other
    )
    assert refused.action == "mismatch"
    mine = await service.begin(principal="user:2:org:2", key="k", method="POST", path="/api/needs", fingerprint=same)
    assert mine.action == "run"
