"""The figures behind the charts (issue 16, point 3), rendered by the app: a university's funnel and income by month
(/university/overview), the platform admin's pending work and its ageing (/admin/overview), the price band at
declaration and the match-score breakdown; each chart a figure whose table holds the numbers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from finance.desk.tables import DeskCase
from finance.ledger.schemas import LedgerLine, LedgerOut, LedgerTotals, VoucherIncomeLine
from finance.payments import service as payments
from frontend.charts import price_band
from frontend.forms import TermsForm
from frontend.overview_pages import AGE_BUCKETS, age_bucket, ageing, months_of
from listings.advice.schemas import BandOut, SuggestionOut
from market import jobs
from market.events import repository as events_repo
from market.events.tables import DomainEvent
from tests.conftest import Backend, Client, make_account, sign_in
from tests.finance.support import ENTRY, offer
from tests.frontend.test_finance_pages import FIRM, UNIVERSITY, drain, post_form, signed_in, take, uni_account
from tests.frontend.test_listings_pages import eligible_patent, ineligible_patent, terms_form
from tests.frontend.test_search_pages import app, listings  # noqa: F401 - fixtures used below

HTML = {"accept": "text/html"}


def rows_of(html: str, table_id: str) -> dict[str, list[str]]:
    """A table's body as {row key (its data-* attribute's value): [the data-value of each cell]}."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S)
    assert body
    out = {}
    for row in re.finditer(r'<tr data-[a-z]+="([^"]*)"[^>]*>(.*?)</tr>', body.group(1), re.S):
        out[row.group(1)] = re.findall(r'data-value="([^"]*)"', row.group(2))
    return out


def chart_figure(html: str, kind: str, table_id: str) -> bool:
    """A chart figure of ``kind`` with its chart box and the table (its text alternative) inside."""
    found = re.search(rf'<figure class="chart-figure[^"]*" data-chart="{kind}"[^>]*>(.*?)</figure>', html, re.S)
    return bool(found) and 'class="chart"' in found.group(1) and f'<table id="{table_id}">' in found.group(1)


# ------------------------------------------------------------------------------------------ pure sums


def test_age_buckets_are_whole_days_up_to_the_edge() -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    days = [1 / 24, 1, 2 + 23 / 24, 3, 6, 7, 29, 30, 400]
    waited = [timedelta(days=d) for d in days]
    assert [age_bucket(now - w, now) for w in waited] == [
        "day", "days3", "days3", "week", "week", "month", "month", "older", "older"
    ]  # fmt: skip
    rows = ageing({"orgs": [now - timedelta(hours=2)], "cases": [now - timedelta(days=40)] * 2}, now)
    assert [r.bucket for r in rows] == [b for b, _ in AGE_BUCKETS]
    assert rows[0].counts == {"orgs": 1, "payments": 0, "jobs": 0, "cases": 0} and rows[-1].counts["cases"] == 2
    assert sum(r.total for r in rows) == 3


def line(month: str, gross: int, reward: int, number: str = "CN1") -> LedgerLine:
    return LedgerLine(
        month=month, licence_id=1, licence_number="L1", licensee_name="x", patent_number=number, kind="royalty",
        received_on=datetime(2026, int(month[5:]), 3).date(), gross_minor=gross, platform_fee_bp=500,
        platform_fee_minor=gross // 20, net_minor=gross - gross // 20, inventor_reward_bp=5000,
        inventor_reward_minor=reward,
    )  # fmt: skip


def test_income_by_month_adds_licence_payments_and_voucher_payouts() -> None:
    books = LedgerOut(
        currency="CNY", inventor_reward_share_bp=5000, article="", month=None,
        lines=[line("2026-10", 100_00, 40_00), line("2026-09", 200_00, 90_00), line("2026-10", 300_00, 100_00)],
        totals=LedgerTotals(gross_minor=0, platform_fee_minor=0, net_minor=0, inventor_reward_minor=0),
        months=[], issued_months=[],
        voucher_lines=[VoucherIncomeLine(
            month="2026-11", received_on=datetime(2026, 11, 2).date(), claim_reference="C", batch_number="B",
            licence_id=None, licence_number="", licensee_name="", programme_name="", gross_minor=50_00,
            inventor_reward_bp=5000, inventor_reward_minor=25_00,
        )],
    )  # fmt: skip
    assert [(m.month, m.gross_minor, m.net_minor, m.inventor_reward_minor) for m in months_of(books)] == [
        ("2026-09", 200_00, 190_00, 90_00), ("2026-10", 400_00, 380_00, 140_00), ("2026-11", 50_00, 50_00, 25_00),
    ]  # fmt: skip


def suggestion(lump: BandOut | None = None) -> SuggestionOut:
    return SuggestionOut(
        currency="CNY", industry_zh="", industry_en="", fields_zh=[], fields_en=[],
        running_royalty_bp=BandOut(low=200, mid=350, high=500), entry_fee_minor=None,
        entry_royalty_bp=BandOut(low=100, mid=200, high=300), lump_sum_minor=lump, annual_royalty_minor=None,
        term_years="10", discount_rate_pct="10", confidence="low", sample_size=None, comparables_used=0,
        capped=False, data_is_official=False, factors=[], notes=[],
    )  # fmt: skip


def test_the_price_band_follows_the_chosen_payment_mode() -> None:
    band = price_band(suggestion(), TermsForm(payment_mode="running_royalty", royalty_pct="6.5"))
    assert band is not None and band.unit == "rate"
    assert [(r.role, r.value) for r in band.rows] == [("low", 200), ("mid", 350), ("high", 500), ("chosen", 650),
                                                      ("cap", 2000)]  # fmt: skip
    entry = price_band(suggestion(), TermsForm(payment_mode="entry_plus_royalty", entry_royalty_pct="abc"))
    assert entry is not None and [r.role for r in entry.rows] == ["low", "mid", "high", "cap"]  # not a number: left out
    assert price_band(suggestion(), TermsForm(payment_mode="lump_sum", lump_sum_yuan="1")) is None  # no band
    lump = price_band(suggestion(BandOut(low=1, mid=2, high=3)), TermsForm(payment_mode="lump_sum", lump_sum_yuan="5"))
    assert lump is not None and lump.unit == "money"
    assert lump.value("cap") == 20_000_000_00 and lump.value("chosen") == 500
    assert price_band(None, TermsForm()) is None


# ------------------------------------------------------------------------------------------ the pages


async def test_the_universitys_funnel_and_income_by_month(backend: Backend, client: Client) -> None:
    uni, _, declaration_id = await offer(ENTRY, name=UNIVERSITY)  # one patent, eligible, published
    account = await uni_account(uni)
    await ineligible_patent(account)
    await eligible_patent(account, number="CN109637352B")
    await signed_in(client, "sme", FIRM)
    licence_id = await take(client, declaration_id)
    await post_form(client, f"/licences/{licence_id}/payments", {"method": "bank_transfer"})
    await signed_in(client, "platform_admin", "平台运营")
    [transfer] = await payments.pending_transfers()
    await post_form(client, f"/admin/transfers/{transfer.id}/confirm", {"confirmed": "yes"})
    await drain(client)

    client.cookies.clear()
    await sign_in(client, account)
    page = await client.get("/university/overview", headers=HTML)
    assert page.status_code == 200, page.text
    assert chart_figure(page.text, "funnel", "funnel") and chart_figure(page.text, "bar", "months")
    assert rows_of(page.text, "funnel") == {
        "patents": ["3"], "eligible": ["2"], "published": ["1"], "licensed": ["1"], "earning": ["1"]
    }  # fmt: skip
    months = rows_of(page.text, "months")
    assert list(months) == [datetime.now(UTC).strftime("%Y-%m")]
    gross, net, reward = (float(v) for v in next(iter(months.values())))
    assert gross == 50_000.0 and 0 < net < gross and 0 < reward <= net  # the entry fee, less the fee, the reward
    assert "¥50,000.00" in page.text and "从专利到收入" in page.text
    client.cookies.set("lang", "en")
    english = await client.get("/university/overview", headers=HTML)
    assert "From patent to income" in english.text and "Income and inventor reward by month" in english.text

    await sign_in(client, await make_account("sme"))
    assert (await client.get("/university/overview", headers=HTML)).status_code == 403


async def test_the_platform_overview_counts_pending_work_and_its_age(backend: Backend, client: Client) -> None:
    await make_account("university", approved=False)
    await make_account("sme", approved=False)
    bank, sme = await make_account("bank", org_name="测试银行杭州分行"), await make_account("sme")
    now = datetime.now(UTC)

    def case(n: int, age_days: int, *, breached: bool = False, closed: bool = False) -> DeskCase:
        return DeskCase(
            kind="pledge_loan", subject=n, reference=f"PL-2026-{n:06d}", reviewer_org=bank.org_id,
            applicant_org=sme.org_id, state="in_review", amount_minor=100_00, currency="CNY", sla_working_days=10,
            sla_started_on=(now - timedelta(days=age_days)).date(), due_on=now.date(),
            breached_at=now if breached else None, opened_at=now - timedelta(days=age_days),
            closed_at=now if closed else None,
        )  # fmt: skip

    async with jobs.unit_of_work():
        await DeskCase.insert(case(1, 0), case(2, 10, breached=True), case(3, 45, breached=True),
                              case(4, 45, breached=True, closed=True))  # fmt: skip
        failed = await events_repo.add("test.overview_failed", {})
        await events_repo.set_status(failed, "failed")
        old = await events_repo.add("test.overview_old", {})
        await events_repo.add("test.overview_new", {})  # pending for a moment: not stuck
    await DomainEvent.update({DomainEvent.created_at: now - timedelta(days=2)}).where(DomainEvent.id == old)

    await signed_in(client, "platform_admin", "平台运营")
    page = await client.get("/admin/overview", headers=HTML)
    assert page.status_code == 200, page.text
    counts = dict(re.findall(r'<dd id="([a-z-]+)" data-count="(\d+)"', page.text))
    assert counts == {"orgs-pending": "2", "payments-pending": "0", "jobs-stuck": "2", "sla-breaches": "2"}
    assert chart_figure(page.text, "stacked", "ageing")
    ages = rows_of(page.text, "ageing")
    assert list(ages) == ["day", "days3", "week", "month", "older"]
    kinds = ["orgs", "payments", "jobs", "cases"]
    by_kind = {kind: sum(int(r[i]) for r in ages.values()) for i, kind in enumerate(kinds)}
    assert by_kind == {"orgs": 2, "payments": 0, "jobs": 2, "cases": 3}
    assert ages["older"][3] == "1" and ages["month"][3] == "1" and ages["days3"][2] == "1"  # the 2-day-old job
    assert 'data-kind="pledge_loan" data-breached="2"' in page.text and "测试银行杭州分行" in page.text
    assert "test.overview_failed" in page.text and "test.overview_new" not in page.text
    client.cookies.set("lang", "en")
    english = await client.get("/admin/overview", headers=HTML)
    assert "Platform overview" in english.text and "How long pending work has waited" in english.text

    await sign_in(client, bank)
    assert (await client.get("/admin/overview", headers=HTML)).status_code == 403


async def test_the_declare_page_draws_the_chosen_rate_in_its_band(backend: Backend, client: Client) -> None:
    account = await make_account("university")
    await sign_in(client, account)
    patent = await eligible_patent(account)
    page = await client.get(f"/declarations/new?patent_id={patent}", headers=HTML)
    assert page.status_code == 200
    assert chart_figure(page.text, "band", "price-band-table")
    band = rows_of(page.text, "price-band-table")
    assert list(band) == ["low", "mid", "high", "chosen", "cap"] and band["cap"] == ["20.0"]
    assert band["chosen"] == band["mid"]  # the form starts at the middle of the band
    checked = await post_form(client, "/declarations", {"patent_id": str(patent), **terms_form(royalty_pct="7.25"),
                                                        "action": "check"})  # fmt: skip
    assert rows_of(checked.text, "price-band-table")["chosen"] == ["7.25"]


async def test_a_needs_matches_show_their_score_breakdown(
    client: Client,
    listings: dict[str, Any],  # noqa: F811 - the fixture imported above
) -> None:
    await sign_in(client, await make_account("sme"))
    form = {"title": "污水处理设备的膜过滤技术", "description": "膜过滤，用于印染废水。", "tech_field": "24",
            "budget_yuan": "500000", "region": "330000",
            "deadline": (datetime.now(UTC).date() + timedelta(days=30)).isoformat()}  # fmt: skip
    r = await post_form(client, "/needs", form)
    assert r.status_code == 200 and chart_figure(r.text, "stacked", "score-table")
    scores = re.findall(r'<tr data-score="(\d+)"><th scope="row" translate="no">([^<]+)</th>(.*?)</tr>', r.text, re.S)
    assert [number for _, number, _ in scores] == ["CN108859303B"]
    score, _, cells = scores[0]
    points = [int(v) for v in re.findall(r'data-value="(\d+)"', cells)]
    assert len(points) == 4 and sum(points) == int(score)  # each factor's points add up to the score
    assert re.findall(r'<th scope="col" class="num" data-series="bar" data-factor="([a-z]+)"', r.text) == [
        "terms", "field", "budget", "life"
    ]  # fmt: skip
