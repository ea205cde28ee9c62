"""The bank portfolio: its book on the desk summed by state and by age, its SLA breaches; the page draws each chart
from a table that stays on the page (and shows the tables alone without the chart library)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from finance.desk import service as desk
from finance.desk.portfolio import age_bucket
from finance.desk.tables import DeskCase
from frontend import charts
from market import jobs
from tests.conftest import Client, make_account, sign_in

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def seed(bank: int, sme: int, other_bank: int) -> None:
    def case(n: int, state: str, amount: int, age_days: int, *, started: bool = True, closed: bool = False,
             breached: bool = False, reviewer: int = bank) -> DeskCase:
        opened = NOW - timedelta(days=age_days)
        return DeskCase(
            kind="pledge_loan", subject=n, reference=f"PL-2026-{n:06d}", reviewer_org=reviewer, applicant_org=sme,
            state=state, amount_minor=amount, currency="CNY", sla_working_days=10,
            sla_started_on=opened.date() if started else None, due_on=(NOW - timedelta(days=1)).date(),
            breached_at=NOW - timedelta(hours=n) if breached else None, opened_at=opened,
            closed_at=NOW if closed else None,
        )  # fmt: skip

    async with jobs.unit_of_work():
        await DeskCase.insert(
            case(1, "in_review", 100_000_00, 3),
            case(2, "in_review", 200_000_00, 10, breached=True),
            case(3, "more_info", 50_000_00, 45),
            case(4, "submitted", 70_000_00, 200, breached=True),
            case(5, "accepted", 300_000_00, 20, closed=True, breached=True),  # closed: in the states, not the ageing
            case(6, "draft", 999_000_00, 1, started=False),  # the applicant's draft: not in the bank's book
            case(7, "in_review", 123_00, 2, reviewer=other_bank),  # another bank's
        )


async def test_the_book_is_summed_by_state_and_age_with_its_breaches(backend) -> None:
    bank, sme, other = await make_account("bank"), await make_account("sme"), await make_account("bank")
    await seed(bank.org_id, sme.org_id, other.org_id)
    book = await desk.portfolio(reviewer_org=bank.org_id, kind="pledge_loan", now=NOW)
    assert [(s.state, s.count, s.amount_minor) for s in book.states] == [
        ("accepted", 1, 300_000_00), ("in_review", 2, 300_000_00), ("more_info", 1, 50_000_00),
        ("submitted", 1, 70_000_00),
    ]  # fmt: skip
    assert [(a.bucket, a.count, a.amount_minor) for a in book.ageing] == [
        ("0-7", 1, 100_000_00), ("8-30", 1, 200_000_00), ("31-90", 1, 50_000_00), ("91+", 1, 70_000_00),
    ]  # fmt: skip
    assert book.breached_open == 2
    assert [b.reference for b in book.breaches] == ["PL-2026-000002", "PL-2026-000004"]  # newest breach first
    assert (await desk.portfolio(reviewer_org=bank.org_id, kind="other_kind", now=NOW)).states == ()


def test_age_buckets_have_edges_on_whole_days() -> None:
    on = date(2026, 12, 1)
    assert [age_bucket(on - timedelta(days=d), on) for d in (0, 7, 8, 30, 31, 90, 91, 400)] == [
        "0-7", "0-7", "8-30", "8-30", "31-90", "31-90", "91+", "91+"
    ]


async def test_the_page_shows_charts_with_their_tables_and_the_api_the_figures(client: Client) -> None:
    bank, sme, other = await make_account("bank"), await make_account("sme"), await make_account("bank")
    await seed(bank.org_id, sme.org_id, other.org_id)
    await sign_in(client, bank)
    figures = (await client.get("/api/bank/portfolio")).json()
    assert figures["breached_open"] == 2 and {s["state"] for s in figures["states"]} >= {"in_review", "accepted"}
    client.cookies.set("lang", "en")
    page = await client.get("/bank/portfolio")
    assert page.status_code == 200
    assert 'id="states-CNY"' in page.text and 'id="ageing-CNY"' in page.text and "PL-2026-000004" in page.text
    assert "cdn" not in page.text.lower()
    client.cookies.set("lang", "zh")
    zh = await client.get("/bank/portfolio")
    assert "知识产权质押贷款组合" in zh.text and "图表数据" in zh.text
    await sign_in(client, sme)
    assert (await client.get("/api/bank/portfolio")).status_code == 403


async def test_without_the_chart_library_the_page_is_its_tables(client: Client, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(charts, "ECHARTS", tmp_path / "echarts.min.js")  # setup found no npm
    bank, sme, other = await make_account("bank"), await make_account("sme"), await make_account("bank")
    await seed(bank.org_id, sme.org_id, other.org_id)
    await sign_in(client, bank)
    page = await client.get("/bank/portfolio")
    assert page.status_code == 200 and 'id="no-charts"' in page.text
    assert "echarts.min.js" not in page.text and 'id="states-CNY"' in page.text and 'id="ageing-CNY"' in page.text
