"""The review desk through the web (PostgreSQL): the reviewer's queue page and its API (filters, claim, assign,
due day and SLA badge, both languages), a case link led to its kind's page, and the admins' calendar page and API."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest

from finance.desk import service as desk
from finance.desk.tables import DeskCase
from market.jobs import unit_of_work
from tests.conftest import Client, make_account, sign_in
from tests.finance.desk_support import Bank, bank_with_members, move, open_case

HTML = {"accept": "text/html"}
N = 20


async def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    headers = {"x-csrftoken": await client.csrf(), **HTML}
    return await client.post(url, data=data or {}, headers=headers, follow_redirects=False)


async def queue_of(client: Client) -> tuple[Bank, list[Any]]:
    """A bank signed in on ``client`` with a draft, a running case, a case past its deadline and a paused one."""
    bank = await bank_with_members(1)
    await open_case(bank)  # a draft: the applicant's own, not in the queue
    running = await move(await open_case(bank), "submit")
    late = await move(await open_case(bank), "submit", "start")
    async with unit_of_work():
        await DeskCase.update({DeskCase.due_on: date(2026, 1, 5)}).where(DeskCase.id == late.id)
        await desk.sweep_sla(on=date(2026, 1, 6))
    paused = await move(await open_case(bank), "submit", "start", "ask")
    await sign_in(client, bank.owner)
    return bank, [running, late, paused]


async def test_the_queue_page_lists_submitted_cases_with_due_days_and_badges_in_both_languages(
    client: Client,
) -> None:
    _, (running, late, paused) = await queue_of(client)
    r = await client.get("/desk", headers=HTML)
    assert r.status_code == 200
    assert r.text.count('<tr data-case="') == 3  # the draft is not there
    assert f'href="/desk/cases/{running.id}"' in r.text and running.reference in r.text
    assert 'data-badge="breached"' in r.text and "已超时" in r.text and 'data-badge="paused"' in r.text
    assert "知识产权质押融资" in r.text and "共 3 件案件" in r.text
    only = await client.get("/desk?breached=yes", headers=HTML)
    assert only.text.count('<tr data-case="') == 1 and late.reference in only.text
    waiting = await client.get("/desk?status=more_info", headers=HTML)
    assert waiting.text.count('<tr data-case="') == 1 and paused.reference in waiting.text
    client.cookies.set("lang", "en")
    english = await client.get("/desk", headers=HTML)
    assert "Review desk" in english.text and "Past deadline" in english.text and "3 cases" in english.text


async def test_claim_and_assign_from_the_page(client: Client) -> None:
    bank, (running, _, _) = await queue_of(client)
    claimed = await post(client, f"/desk/cases/{running.id}/claim", {"version": running.version, "back": "?who=all"})
    assert claimed.status_code in (302, 303) and claimed.headers["location"] == "/desk?who=all&done=claimed"
    mine = await client.get("/desk?who=mine", headers=HTML)
    assert mine.text.count('<tr data-case="') == 1 and "已领取案件" not in mine.text
    # the version the page was drawn with is old now: a clear 409 beside the queue, nothing changed
    stale = await post(client, f"/desk/cases/{running.id}/assign", {"version": running.version, "to_user": ""})
    assert stale.status_code == 409 and "刚被他人处理" in stale.text
    case = await desk.case(running.id)
    assert case is not None and case.assignee == bank.owner.user_id
    stranger = await make_account("bank")
    refused = await post(
        client, f"/desk/cases/{running.id}/assign", {"version": case.version, "to_user": stranger.user_id}
    )
    assert refused.status_code == 422 and f'id="to_user-{running.id}-error"' in refused.text
    given = await post(
        client,
        f"/desk/cases/{running.id}/assign",
        {"version": case.version, "to_user": bank.members[0], "back": "//evil.example/?q=x&next=https://evil.example"},
    )
    assert given.status_code in (302, 303) and given.headers["location"] == "/desk?done=assigned"  # only the filters
    after = await desk.case(running.id)
    assert after is not None and after.assignee == bank.members[0]


async def test_a_case_link_leads_to_the_page_of_its_kind(client: Client) -> None:
    bank = await bank_with_members(0)
    pledge = await move(await open_case(bank), "submit")
    other = await move(await open_case(bank, kind="no_page_kind"), "submit")
    await sign_in(client, bank.owner)
    r = await client.get(f"/desk/cases/{pledge.id}", headers=HTML, follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"] == f"/bank/pledges/{pledge.subject}"
    assert (await client.get(f"/desk/cases/{other.id}", headers=HTML)).status_code == 404  # no page for that kind
    rival = await make_account("bank")
    client.cookies.clear()
    await sign_in(client, rival)
    assert (await client.get(f"/desk/cases/{pledge.id}", headers=HTML)).status_code == 404


async def test_the_queue_api_filters_and_twenty_claims_at_once_give_one(client: Client) -> None:
    bank, (running, late, paused) = await queue_of(client)
    r = await client.get("/api/desk/cases")
    assert r.status_code == 200 and r.json()["total"] == 3
    body = r.json()
    assert {c["reference"] for c in body["items"]} == {running.reference, late.reference, paused.reference}
    assert [c["id"] for c in (await client.get("/api/desk/cases?breached=true")).json()["items"]] == [late.id]
    listed = (await client.get("/api/desk/cases?state=more_info&state=submitted")).json()["items"]
    assert {c["id"] for c in listed} == {paused.id, running.id}
    assert next(c for c in listed if c["id"] == paused.id)["paused"] is True
    token = await client.csrf()
    answers = await asyncio.gather(
        *(
            client.post(
                f"/api/desk/cases/{late.id}/claim", json={"version": late.version}, headers={"x-csrftoken": token}
            )
            for _ in range(N)
        )
    )
    assert Counter(a.status_code for a in answers) == Counter({200: 1, 409: N - 1}), [a.text for a in answers]
    assert all(
        a.headers["content-type"].startswith("application/problem+json") for a in answers if a.status_code == 409
    )
    mine = (await client.get("/api/desk/cases?mine=true")).json()["items"]
    assert [c["id"] for c in mine] == [late.id] and mine[0]["assignee"] == bank.owner.user_id
    unassigned = (await client.get("/api/desk/cases?unassigned=true")).json()["items"]
    assert {c["id"] for c in unassigned} == {running.id, paused.id}
    rival = await make_account("bank")
    client.cookies.clear()
    await sign_in(client, rival)
    assert (await client.get("/api/desk/cases")).json()["total"] == 0  # another bank's queue is its own
    assert (await client.get(f"/api/desk/cases/{late.id}")).status_code == 404
    sme = await make_account("sme")
    client.cookies.clear()
    await sign_in(client, sme)
    assert (await client.get("/api/desk/cases")).status_code == 403


async def test_the_admin_calendar_page_adds_changes_and_removes_days(client: Client) -> None:
    admin = await make_account("platform_admin", org_name="平台运营")
    async with unit_of_work():
        await desk.seed_calendar()
    await sign_in(client, admin)
    r = await client.get("/admin/calendar?year=2026", headers=HTML)
    assert r.status_code == 200 and 'data-day="2026-10-10" data-kind="workday"' in r.text
    assert "国务院办公厅关于2026年部分节假日安排的通知" in r.text
    y27 = await client.get("/admin/calendar?year=2027", headers=HTML)
    assert 'id="provisional-note"' in y27.text and 'data-day="2027-02-05"' in y27.text
    bad = await post(client, "/admin/calendar", {"day": "2027-02-31", "kind": "holiday", "name": "春节"})
    assert bad.status_code == 400 and 'id="day-error"' in bad.text
    blank = await post(client, "/admin/calendar", {"day": "2027-02-04", "kind": "holiday", "name": ""})
    assert blank.status_code in (400, 422) and 'id="name-error"' in blank.text
    saved = await post(client, "/admin/calendar", {"day": "2027-02-13", "kind": "workday", "name": "春节调休上班"})
    assert saved.status_code in (302, 303) and saved.headers["location"] == "/admin/calendar?year=2027&saved=2027-02-13"
    assert await desk.is_working_day(date(2027, 2, 13))  # a Saturday, worked
    step = await post(client, "/admin/calendar/2027-02-13/remove")
    assert step.status_code == 200 and 'id="confirm-form"' in step.text
    assert await desk.is_working_day(date(2027, 2, 13))  # nothing done before the confirmation
    gone = await post(client, "/admin/calendar/2027-02-13/remove", {"confirmed": "yes"})
    assert gone.status_code in (302, 303) and not await desk.is_working_day(date(2027, 2, 13))
    client.cookies.set("lang", "en")
    english = await client.get("/admin/calendar?year=2027", headers=HTML)
    assert "Working-day calendar 2027" in english.text and "Provisional" in english.text
    bank = await make_account("bank")
    client.cookies.clear()
    await sign_in(client, bank)
    assert (await client.get("/admin/calendar", headers=HTML)).status_code in (403, 404)


async def test_the_calendar_api_is_read_by_anyone_signed_in_and_edited_by_admins(client: Client) -> None:
    admin = await make_account("platform_admin", org_name="平台运营")
    await sign_in(client, admin)
    token = await client.csrf()
    put = await client.put(
        "/api/admin/calendar/2028-01-31",
        json={"kind": "holiday", "name": "春节", "source": "law.holidays.measures2024", "provisional": True},
        headers={"x-csrftoken": token},
    )
    assert put.status_code == 200, put.text
    assert put.json()["source_label"]["message"].startswith("《全国年节及纪念日放假办法》")
    bad = await client.put(
        "/api/admin/calendar/2028-02-01", json={"kind": "vacation", "name": "x"}, headers={"x-csrftoken": token}
    )
    assert bad.status_code in (400, 422) and bad.headers["content-type"].startswith("application/problem+json")
    bank = await make_account("bank")
    client.cookies.clear()
    await sign_in(client, bank)
    days = (await client.get("/api/desk/calendar/2028")).json()
    assert [(d["day"], d["kind"], d["provisional"]) for d in days] == [("2028-01-31", "holiday", True)]
    token = await client.csrf()
    refused = await client.delete("/api/admin/calendar/2028-01-31", headers={"x-csrftoken": token})
    assert refused.status_code == 403
    assert not await desk.is_working_day(date(2028, 1, 31))


@pytest.fixture(autouse=True)
def _a_working_monday(monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk's clock on a plain Monday, so due days and badges do not depend on when the suite runs."""
    monkeypatch.setattr(desk, "current_time", lambda: datetime(2026, 11, 2, 3, tzinfo=UTC))
