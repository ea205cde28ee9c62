"""Finance events reach the parties' webhooks (finance.exports.jobs): a case moved on the desk goes to the reviewing
bank and the applicant (a draft's moves to the applicant alone), an SLA breach to the bank, registration and loan
events to the organisations they name; each event once, whatever the retries."""

from __future__ import annotations

import json
from typing import Any

from market import events, jobs
from market.accounts import service as accounts
from market.accounts.principal import Principal
from market.webhooks import service as webhooks
from market.webhooks.schemas import EndpointIn
from market.webhooks.tables import WebhookDelivery
from tests.conftest import Account, make_account
from tests.finance.desk_support import bank_with_members, move, open_case
from tests.support.receiver import receiver


async def principal_of(account: Account) -> Principal:
    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    return principal


async def hook(account: Account, url: str, subscribed: list[str]) -> None:
    async with jobs.unit_of_work():
        await webhooks.create_endpoint(
            principal=await principal_of(account), data=EndpointIn(url=url, events=subscribed),
            allow_loopback_http=True,
        )  # fmt: skip


def seen(got: list[Any]) -> list[tuple[str, str, str]]:
    out = []
    for r in got:
        body = json.loads(r.body)
        out.append((r.path, body["type"], f"{body['data'].get('from_state', '')}>{body['data'].get('to_state', '')}"))
    return sorted(out)


async def test_a_case_moved_reaches_the_bank_and_the_applicant(backend: Any, job_queue: Any) -> None:
    bank = await bank_with_members(1)
    sme = await make_account("sme")
    with receiver([200]) as server:
        await hook(bank.owner, server.url + "/bank", ["desk.*"])
        await hook(sme, server.url + "/sme", ["desk.case_moved"])
        case = await open_case(bank, applicant=sme)
        case = await move(case, "submit", "start")
        await job_queue.drain()
        got = seen(server.got)
    assert got == [
        ("/hooks/bank", "desk.case_moved", "draft>submitted"),
        ("/hooks/bank", "desk.case_moved", "submitted>in_review"),
        ("/hooks/sme", "desk.case_moved", "draft>submitted"),
        ("/hooks/sme", "desk.case_moved", "submitted>in_review"),
    ]  # fmt: skip
    bodies = [json.loads(r.body) for r in server.got]
    assert {b["data"]["reference"] for b in bodies} == {case.reference}
    assert len({b["id"] for b in bodies}) == 2  # one event id per move, the same to both parties


async def test_a_draft_withdrawn_is_told_to_the_applicant_alone(backend: Any, job_queue: Any) -> None:
    bank = await bank_with_members(1)
    sme = await make_account("sme")
    with receiver([200]) as server:
        await hook(bank.owner, server.url + "/bank", ["*"])
        await hook(sme, server.url + "/sme", ["*"])
        case = await open_case(bank, applicant=sme)
        await move(case, "withdraw")
        await job_queue.drain()
    assert seen(server.got) == [("/hooks/sme", "desk.case_moved", "draft>withdrawn")]


async def test_registration_and_loan_events_go_to_the_organisations_they_name(backend: Any, job_queue: Any) -> None:
    lender, pledgor, stranger = await make_account("bank"), await make_account("sme"), await make_account("bank")
    with receiver([200]) as server:
        for account, path in ((lender, "/bank"), (pledgor, "/sme"), (stranger, "/other")):
            await hook(account, server.url + path, ["registrations.*", "servicing.*"])
        async with jobs.unit_of_work():
            await events.emit("registrations.moved", registration_id=5, pledgee_org=lender.org_id,
                              pledgor_org=pledgor.org_id, from_state="filed", to_state="registered", event="register")
            await events.emit("servicing.repaid", loan_id=9, registration_id=5, lender_org=lender.org_id)
        await job_queue.drain()
    got = seen(server.got)
    assert got == [
        ("/hooks/bank", "registrations.moved", "filed>registered"), ("/hooks/bank", "servicing.repaid", ">"),
        ("/hooks/sme", "registrations.moved", "filed>registered"),
    ]  # fmt: skip
    assert await WebhookDelivery.count() == 3
