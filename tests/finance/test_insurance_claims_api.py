"""The claims API: a notice outside the period is a 422 problem+json naming the field, its code and its source, and
nothing is written; a legal cost before the case's acceptance likewise; an invoice upload (multipart) with its
SHA-256; the insurer's moves with the version read (409 when stale); each move signed to both parties' webhooks as
``insurance.claim.<state>``."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from finance.insurance_claims import repository as claims_repo
from finance.insurance_claims import rules
from market import jobs
from market.webhooks import service as webhooks
from market.webhooks.schemas import EndpointIn
from tests.conftest import Backend, Client, sign_in
from tests.finance.claim_support import PDF, covered

pytestmark = pytest.mark.usefixtures("backend")


def body(c: Any, **changes: Any) -> dict[str, Any]:
    return {
        "patent_id": c.policy.patent_ids[0],
        "counterparty": "深圳某电子有限公司",  # words: data
        "forum": "court",
        "event_on": c.day(5).isoformat(),
        "first_claim_on": c.day(10).isoformat(),
        **changes,
    }


async def test_the_api_refuses_bad_input_with_problem_json_and_writes_nothing(backend: Backend, client: Client) -> None:
    c = await covered()
    await sign_in(client, c.made.sme.account)
    url = f"/api/insurance/claims/policies/{c.policy.id}"
    before = body(c, event_on=c.day(-10).isoformat(), first_claim_on=c.day(-5).isoformat())
    r = await client.send_json("POST", url, before, headers={"accept-language": "en"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    [error] = r.json()["errors"]
    assert (error["field"], error["code"], error["article"]) == ("first_claim_on", rules.OUTSIDE_PERIOD, rules.SCHEDULE)
    r = await client.send_json("POST", url, body(c, acceptance_number="X1"))  # a number without its date
    assert r.status_code in (400, 422)
    assert await claims_repo.for_policy(c.policy.id) == []
    r = await client.send_json("POST", url, body(c))
    assert r.status_code == 201, r.text
    claim = r.json()
    token = await client.csrf()
    form = {"kind": "lawyer", "amount_minor": "500000", "incurred_on": c.day(12).isoformat(), "invoice_number": "1"}
    files = {"file": ("invoice.pdf", PDF, "application/pdf")}
    r = await client.post(f"/api/insurance/claims/{claim['id']}/costs", data=form, files=files,
                          headers={"x-csrftoken": token})  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == rules.NO_ACCEPTANCE
    form["kind"] = "investigation"
    r = await client.post(f"/api/insurance/claims/{claim['id']}/costs", data=form, files=files,
                          headers={"x-csrftoken": token})  # fmt: skip
    assert r.status_code == 201, r.text
    [cost] = r.json()["costs"]
    assert cost["sha256"] == hashlib.sha256(PDF).hexdigest() and cost["amount_minor"] == 500_000
    invoice = await client.get(cost["invoice_url"])
    assert invoice.status_code == 200 and invoice.content == PDF


async def test_each_move_reaches_both_parties_webhooks_signed(backend: Backend, client: Client, job_queue: Any) -> None:
    from tests.support.receiver import receiver

    c = await covered()
    secrets = {}
    with receiver([200]) as server:
        async with jobs.unit_of_work():
            for who, path in ((c.insured, "/sme"), (c.insurer, "/insurer")):
                made = await webhooks.create_endpoint(
                    principal=who, data=EndpointIn(url=server.url + path, events=["insurance.*"]),
                    allow_loopback_http=True,
                )  # fmt: skip
                secrets[path] = made.secret
        await sign_in(client, c.made.sme.account)
        r = await client.send_json("POST", f"/api/insurance/claims/policies/{c.policy.id}", body(c))
        claim = r.json()
        await client.post("/api/auth/sign-out", headers={"x-csrftoken": await client.csrf()})
        await sign_in(client, c.made.insurer.account)
        r = await client.send_json("POST", f"/api/insurance/claims/{claim['id']}/review",
                                   {"expected_version": claim["version"]})  # fmt: skip
        assert r.status_code == 200, r.text
        stale = await client.send_json("POST", f"/api/insurance/claims/{claim['id']}/review",
                                       {"expected_version": claim["version"]})  # fmt: skip
        assert stale.status_code == 409
        await job_queue.drain()
        got = list(server.got)
    seen = sorted((g.path.removeprefix("/hooks"), json.loads(g.body)["type"]) for g in got)
    assert seen == [
        ("/insurer", "insurance.claim.in_review"), ("/insurer", "insurance.claim.notified"),
        ("/sme", "insurance.claim.in_review"), ("/sme", "insurance.claim.notified"),
    ]  # fmt: skip
    for g in got:
        assert webhooks.verify(g.headers["x-market-signature"], g.body, secrets[g.path.removeprefix("/hooks")])
