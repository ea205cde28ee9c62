"""One transaction per unsafe request: committed on success, rolled back on failure, a unique violation is a 409."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from litestar import Litestar, Response, post

from listings.patents.tables import Patent
from market import jobs
from market.accounts.tables import User
from market.errors import Conflict
from market.orgs import repository as orgs_repo
from market.orgs.tables import Organisation
from market.web.problems import build_handlers
from market.web.transactions import TransactionMiddleware
from tests.conftest import Backend, Client, make_account, sign_in
from tests.listings.support import eligible


def patent_body(number: str = "CN108982325B") -> dict[str, Any]:
    return eligible(number).model_dump(mode="json")


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_concurrent_identical_creates_give_one_201_and_409s(backend: Backend, client: Client) -> None:
    """Twenty identical creates at once on PostgreSQL: the service's own check lets several through, the unique
    index (organisation, number) stops all but one, and each of those answers 409 problem+json naming the conflict,
    never 500."""
    university = await make_account("university")
    await sign_in(client, university)
    token = await client.csrf()

    async def create() -> Any:
        return await client.post("/api/patents", json=patent_body(), headers={"x-csrftoken": token})

    answers = await asyncio.gather(*(create() for _ in range(20)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == 19, statuses
    for r in answers:
        if r.status_code == 409:
            assert r.headers["content-type"].startswith("application/problem+json")
            body = r.json()
            assert body["status"] == 409 and body["type"].endswith("/conflict")
    raced = [r.json() for r in answers if r.status_code == 409]
    # those the unique index stopped (not the service's own check) name the index's columns
    for body in (b for b in raced if b.get("message_code") == "db.unique_violation"):
        assert body["conflict"]["columns"] == ["organisation", "number"]
    # at least one got past the service's check: the index, not the check, decided (500 before this fix)
    assert any(b.get("message_code") == "db.unique_violation" for b in raced), raced
    assert await Patent.count().where(Patent.organisation == university.org_id) == 1


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_unique_violation_answers_409_in_the_readers_language(backend: Backend, client: Client) -> None:
    """The same violation reached without the service's check (two accounts racing for one e-mail address)."""
    body = {"email": "race@example.cn", "password": "correct horse battery", "display_name": "甲",
            "org_name": "竞速大学", "org_kind": "university", "credit_code": "12100000400000624D"}  # fmt: skip
    token = await client.csrf()
    answers = await asyncio.gather(
        *(
            client.post("/api/auth/sign-up", json=body, headers={"x-csrftoken": token, "accept-language": lang})
            for lang in ("en", "zh-CN") * 5
        )
    )
    statuses = sorted(r.status_code for r in answers)
    # one account; the others answer as sign-up does for a taken address (202), or reach the index first (409)
    assert set(statuses) <= {202, 409} and 409 in statuses, statuses
    assert await User.count() == 1
    texts = {r.json()["detail"] for r in answers if r.json().get("message_code") == "db.unique_violation"}
    assert texts, "no request reached the unique index"


def tiny_app(queue: jobs.InProcessQueue) -> Litestar:
    """Handlers that write an organisation, then succeed, fail, or catch their failure and answer 400."""

    async def write(key: str) -> None:
        await orgs_repo.create_org(name=f"tx-{key}", kind="sme", region="", name_key=f"tx-{key}")
        await jobs.enqueue("notifications.welcome", user_id=0)

    @post("/ok/{key:str}", status_code=201)
    async def ok(key: str) -> dict[str, str]:
        await write(key)
        return {"key": key}

    @post("/fails/{key:str}")
    async def fails(key: str) -> None:
        await write(key)
        raise Conflict("wrote, then refused")

    @post("/caught/{key:str}")
    async def caught(key: str) -> Response[str]:
        await write(key)
        return Response("the page shows the form again", status_code=400)

    return Litestar([ok, fails, caught], middleware=[TransactionMiddleware], exception_handlers=build_handlers(None))


async def test_success_commits_and_failure_rolls_back_with_its_jobs(backend: Backend) -> None:
    queue = jobs.InProcessQueue()
    sent: list[str] = []

    async def record(name: str, job_id: str, kwargs: dict[str, Any]) -> None:
        sent.append(job_id)

    queue.send = record  # type: ignore[method-assign]
    jobs.configure(queue)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tiny_app(queue)), base_url="http://t") as http:
        assert (await http.post("/ok/a")).status_code == 201
        assert (await http.post("/fails/b")).status_code == 409
        assert (await http.post("/caught/c")).status_code == 400
    names = sorted(r["name"] for r in await Organisation.select(Organisation.name) if r["name"].startswith("tx-"))
    assert names == ["tx-a"]
    assert len(sent) == 1  # the job of the committed request only, sent after its commit
