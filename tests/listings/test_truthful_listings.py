"""Truthful listings (issue 11, deliverable 6): CNIPA's announcement is recorded, not assumed; the filings are
exported and the university reminded; advertising language is judged from a reviewable list without refusing
ordinary words; the patent's dates hang together before a declaration; money is integer minor units only; a
running royalty may be a share of profit (at most 40%)."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from pydantic import ValidationError

from finance.royalties.schemas import RoyaltyReportIn
from frontend.forms import FieldProblem, yuan_to_fen
from listings.declarations import cnipa, filing
from listings.declarations import service as declarations
from listings.declarations.advertising import find_advertising, findings
from listings.declarations.eligibility import ADVERTISING_ARTICLE, DeclaredTerms, LegalStatus, PatentFacts, check
from listings.declarations.schemas import CnipaAnnouncementIn, DeclareIn, TermsIn, WithdrawIn
from listings.declarations.tables import Declaration, DeclarationVersion
from listings.patents import service as patents
from market.audit.tables import AuditEvent
from market.errors import Conflict, ValidationFailed
from market.i18n import gettext, render
from market.jobs import unit_of_work
from market.kit.law import PatentKind, PaymentMode
from market.notifications.tables import Notification
from tests.conftest import Backend, sign_in
from tests.listings.support import eligible, record, university

TODAY = date(2026, 11, 22)
GOOD_PATENT = PatentFacts(
    number="CN108982325B",
    jurisdiction="CN",
    kind=PatentKind.invention,
    legal_status=LegalStatus.granted,
    expiry_date=date(2038, 7, 30),
    patentees=("浙江大学",),
    annual_fees_paid_through=date(2027, 7, 29),
    filing_date=date(2018, 7, 30),
    grant_date=date(2020, 5, 12),
)
GOOD_TERMS = DeclaredTerms(
    payment_mode=PaymentMode.running_royalty,
    currency="CNY",
    lump_sum_minor=None,
    entry_fee_minor=None,
    royalty_rate_bp=300,
    term_years=None,
    other_matters="许可范围：中国大陆。",
)
LUMP = {"payment_mode": "lump_sum", "lump_sum_minor": 12_345_600}


def codes(patent: PatentFacts = GOOD_PATENT, terms: DeclaredTerms = GOOD_TERMS) -> dict[str, Any]:
    return {r.code: r for r in check(patent=patent, terms=terms, declarant="浙江大学", today=TODAY)}


# ------------------------------------------------------------------------------- advertising language

# Absolute words of the Advertising Law Art 9(3) family that the old list let through.
REFUSED = [
    ("本技术为国家级重点项目成果", "国家级"),
    ("达到最高级标准", "最高级"),
    ("世界级的检测装置", "世界级"),
    ("性能行业第一", "行业第一"),
    ("效果绝对可靠", "绝对"),
    ("最佳的解决方案", "最佳"),
    ("A world-class, best-in-class sensor", "world-class"),
    ("The best sensor", "best"),
]
# Ordinary words that contain one of the listed terms (or a character of one): not advertising.
ORDINARY = [
    "被许可人应在每年第一季度结束后三十日内报告净销售额。",  # a quarter
    "许可范围以第一项权利要求为准。",  # a first claim
    "适用于参数最佳化与最优化算法。",  # optimisation is a technical word
    "每件产品带有唯一标识，用于追溯。",  # a unique identifier
    "提成最高不超过净销售额的5%。",  # "at most"
    "测量绝对值误差小于1%。",  # an absolute value
    "Royalties are reported each quarter; the first claim defines the scope.",
    "The licensee uses its best efforts to report on time; the best mode is described in the specification.",
    "Bestow rights on the licensee; no warranty.",
]


@pytest.mark.parametrize(("text", "term"), REFUSED)
def test_absolute_advertising_terms_are_refused_naming_the_term_and_the_articles(text: str, term: str) -> None:
    found = codes(terms=replace(GOOD_TERMS, other_matters=text))
    reason = found["advertising_language"]
    assert term in reason.params["terms"]
    assert reason.article == ADVERTISING_ARTICLE == "law.regs.art85.3+ads.art9.3"
    zh, en = render(reason.msg, "zh"), render(reason.msg, "en")
    assert term in zh and "第八十五条" in zh and "广告法第九条" in zh
    assert "Art 85(3)" in en and "Advertising Law Art 9(3)" in en
    assert "广告法第九条第（三）项" in gettext("zh", reason.article)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_words_containing_a_listed_term_pass(text: str) -> None:
    assert find_advertising(text) == []
    assert "advertising_language" not in codes(terms=replace(GOOD_TERMS, other_matters=text))


def test_an_ordinary_compound_does_not_excuse_the_same_term_elsewhere() -> None:
    assert find_advertising("最佳化设计，效果最佳") == ["最佳"]


def test_the_list_is_reviewable_data_each_term_with_a_reason_and_a_cited_source() -> None:
    text = resources.files("listings").joinpath("data/advertising_terms.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert {"国家级", "最高级", "最佳"} <= {r["term"] for r in rows}  # the words Art 9(3) names
    for row in rows:
        assert row["reason"] and row["language"] in ("zh", "en"), row
        assert gettext("zh", row["source"]) != row["source"], row  # the source is an article in the catalogue
    assert {f.source for f in findings("国家级")} == {"law.ads.art9.3"}


# ------------------------------------------------------------------------------------ the patent's dates


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (dict(grant_date=TODAY + timedelta(days=1)), "grant_date_in_future", "grant_date"),
        (dict(filing_date=TODAY + timedelta(days=3), grant_date=None), "filing_date_in_future", "filing_date"),
        (dict(publication_date=TODAY + timedelta(days=3)), "publication_date_in_future", "publication_date"),
        (dict(grant_date=date(2018, 7, 30)), "grant_not_after_filing", "grant_date"),
        (dict(grant_date=date(2017, 1, 1)), "grant_not_after_filing", "grant_date"),
        (dict(expiry_date=None, filing_date=None), "expiry_unknown", "filing_date"),
    ],
)
def test_inconsistent_patent_dates_refuse_a_declaration_with_a_clear_reason(
    change: dict[str, Any], code: str, field: str
) -> None:
    found = codes(patent=replace(GOOD_PATENT, **change))
    assert code in found, found
    assert found[code].field == field and found[code].article.startswith("law.")
    zh, en = render(found[code].msg, "zh"), render(found[code].msg, "en")
    assert "%(" not in zh + en and ("第" in zh) and ("Art" in en)


def test_consistent_dates_pass() -> None:
    assert codes() == {}


def test_a_future_grant_date_does_not_make_a_patent_granted() -> None:
    future = eligible("CN202410000001.X", grant_date=date.today() + timedelta(days=30))  # an application number
    values = patents.record_values(future, on=date.today())
    assert values["legal_status"] != LegalStatus.granted.value
    past = eligible("CN202410000001.X", grant_date=date.today() - timedelta(days=30))
    assert patents.record_values(past, on=date.today())["legal_status"] == LegalStatus.granted.value


# ------------------------------------------------------------------------------------------ strict money

NOT_MONEY = [100000.0, "100000", True]


@pytest.mark.parametrize("value", NOT_MONEY)
def test_money_fields_take_integers_of_minor_units_only(value: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        TermsIn.model_validate({"payment_mode": "lump_sum", "lump_sum_minor": value})
    assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [(("lump_sum_minor",), "int_type")]
    with pytest.raises(ValidationError):
        TermsIn.model_validate({"payment_mode": "running_royalty", "royalty_rate_bp": value})
    with pytest.raises(ValidationError) as report:
        RoyaltyReportIn.model_validate(
            {"period_start": "2026-07-01", "period_end": "2026-09-30", "net_sales_minor": value}
        )
    assert ("net_sales_minor",) in [e["loc"] for e in report.value.errors()]
    assert TermsIn.model_validate({"payment_mode": "lump_sum", "lump_sum_minor": 100000}).lump_sum_minor == 100000


@pytest.mark.parametrize("typed", ["1e5", "1_000", "NaN", "0x10", "--1"])
def test_page_forms_read_yuan_strictly(typed: str) -> None:
    with pytest.raises(FieldProblem):
        yuan_to_fen(typed, "lump_sum_yuan")
    assert yuan_to_fen("¥1,000.50", "lump_sum_yuan") == 100_050


# ---------------------------------------------------------------------------------- royalties on profit


def test_a_share_of_profit_is_capped_at_40_percent_with_the_notice_cited() -> None:
    on_profit = replace(GOOD_TERMS, royalty_base="profit")
    assert codes(terms=replace(on_profit, royalty_rate_bp=4000)) == {}  # 40% of profit: allowed
    assert codes(terms=replace(on_profit, royalty_rate_bp=3000)) == {}  # over 20%, but of profit
    over = codes(terms=replace(on_profit, royalty_rate_bp=4001))  # 40.01%
    assert set(over) == {"profit_share_over_cap"}
    assert over["profit_share_over_cap"].article == "law.cnipa.open_licensing_2024"
    assert "40.00%" in render(over["profit_share_over_cap"].msg, "en")
    assert set(codes(terms=replace(GOOD_TERMS, royalty_rate_bp=3000))) == {"royalty_over_cap"}  # of net sales


def test_a_royalty_base_needs_a_running_royalty() -> None:
    with pytest.raises(ValidationError):
        TermsIn.model_validate({"payment_mode": "lump_sum", "lump_sum_minor": 1, "royalty_base": "profit"})


# ------------------------------------------------------------------------------- working days (pure)


def test_working_days_skip_weekends() -> None:
    friday = date(2026, 11, 20)
    assert cnipa.working_days_between(friday, date(2026, 11, 23)) == 1  # Saturday, Sunday, Monday
    assert cnipa.working_days_between(friday, date(2026, 12, 4)) == 10
    assert cnipa.working_days_between(friday, friday) == 0


# ---------------------------------------------------------------------- CNIPA filing status (services)


async def _published(name: str = "浙江大学", number: str = "CN108982325B", terms: dict | None = None) -> tuple:
    _, uni = await university(name)
    patent_id = await record(uni, eligible(number, patentees=[name]))
    async with unit_of_work():
        report = await declarations.declare(
            principal=uni, data=DeclareIn(patent_ids=[patent_id], terms=TermsIn(**(terms or LUMP)))
        )
    declaration_id = report.results[0].declaration_id
    assert declaration_id is not None
    return uni, declaration_id


async def test_a_published_declaration_awaits_cnipa_until_its_announcement_is_recorded(
    backend: Backend, job_queue
) -> None:
    uni, declaration_id = await _published()
    await job_queue.drain()
    shown = await declarations.get(principal=uni, declaration_id=declaration_id)
    assert shown.cnipa is not None and shown.cnipa.state == "pending" and shown.cnipa.number is None
    today = date.today()
    assert render(shown.cnipa.status.msg, "zh").endswith("（状态：待国家知识产权局公告）。")
    assert "to be filed with CNIPA" in render(shown.cnipa.status.msg, "en")
    # the university was told to file it (the outbox event on publish)
    kinds = [r["kind"] for r in await Notification.select(Notification.kind)]
    assert kinds.count("cnipa_filing") == 1

    for bad, code in ((today + timedelta(days=1), "in_future"), (today - timedelta(days=1), "before_declaration")):
        with pytest.raises(ValidationFailed) as refused:
            async with unit_of_work():
                await filing.record_announcement(
                    principal=uni,
                    declaration_id=declaration_id,
                    data=CnipaAnnouncementIn(number="CN-OL-2026-0001", announced_on=bad),
                )
        assert [(e.field, e.code, e.article) for e in refused.value.errors] == [
            ("announced_on", code, "law.patent.art50")
        ]
    async with unit_of_work():
        announced = await filing.record_announcement(
            principal=uni,
            declaration_id=declaration_id,
            data=CnipaAnnouncementIn(number="CN-OL-2026-0001", announced_on=today),
        )
    assert announced.cnipa is not None
    assert (announced.cnipa.state, announced.cnipa.number, announced.cnipa.announced_on) == (
        "announced",
        "CN-OL-2026-0001",
        today,
    )
    assert "No. CN-OL-2026-0001" in render(announced.cnipa.status.msg, "en")
    assert "公告号 CN-OL-2026-0001" in render(announced.cnipa.status.msg, "zh")
    with pytest.raises(Conflict):
        async with unit_of_work():
            await filing.record_announcement(
                principal=uni,
                declaration_id=declaration_id,
                data=CnipaAnnouncementIn(number="CN-OL-2026-0002", announced_on=today),
            )
    events = await AuditEvent.count().where(AuditEvent.action == "listings.declaration_announced")
    assert events == 1


async def test_the_filings_of_a_declaration_a_revision_and_a_withdrawal_are_exported(
    backend: Backend, job_queue
) -> None:
    uni, declaration_id = await _published(terms={"payment_mode": "running_royalty", "royalty_rate_bp": 350})
    with pytest.raises(Conflict):  # nothing revised, nothing withdrawn yet
        await filing.filing_document(principal=uni, declaration_id=declaration_id, event="revision")
    with pytest.raises(Conflict):
        await filing.filing_document(principal=uni, declaration_id=declaration_id, event="withdrawal")
    first = await filing.filing_document(principal=uni, declaration_id=declaration_id, event="declaration")
    assert (first.event, first.version, first.declarant) == ("declaration", 1, "浙江大学")
    assert first.patent.number == "CN108982325B" and first.patent.patentees == ["浙江大学"]
    assert first.terms.royalty_rate_bp == 350 and first.terms.payment_mode == "running_royalty"
    assert first.form.code == "cnipa.form.declaration" and "law.patent.art50" in first.articles
    async with unit_of_work():
        await declarations.revise(
            principal=uni,
            declaration_id=declaration_id,
            terms=TermsIn(payment_mode=PaymentMode.running_royalty, royalty_rate_bp=3000, royalty_base="profit"),
        )
    revision = await filing.filing_document(principal=uni, declaration_id=declaration_id, event="revision")
    assert revision.version == 2 and revision.previous_terms is not None
    assert (revision.previous_terms.royalty_rate_bp, revision.terms.royalty_rate_bp) == (350, 3000)
    assert revision.terms.royalty_base == "profit" and revision.cnipa.state == "pending"
    async with unit_of_work():
        await declarations.withdraw(principal=uni, declaration_id=declaration_id, data=WithdrawIn(reason="转让"))
    withdrawal = await filing.filing_document(principal=uni, declaration_id=declaration_id, event="withdrawal")
    assert withdrawal.withdrawal_reason == "转让" and withdrawal.withdrawn_on == date.today()
    assert "cnipa.note.withdrawal_keeps_licences" in [n.code for n in withdrawal.notes]
    await job_queue.drain()
    codes_sent = {r["code"] for r in await Notification.select(Notification.code)}
    assert {
        "notification.cnipa_filing_due.declaration",
        "notification.cnipa_filing_due.revision",
        "notification.cnipa_filing_due.withdrawal",
    } <= codes_sent


async def test_unannounced_declarations_are_reminded_after_n_working_days_once_per_period(
    backend: Backend, job_queue
) -> None:
    _, declaration_id = await _published()
    monday = date(2026, 11, 16)
    await DeclarationVersion.update({DeclarationVersion.published_at: datetime(2026, 11, 16, 2, tzinfo=UTC)}).where(
        DeclarationVersion.declaration == declaration_id
    )
    assert await filing.remind_unannounced(today=date(2026, 11, 27), working_days=10) == 0  # 9 working days
    async with unit_of_work():
        assert await filing.remind_unannounced(today=date(2026, 11, 30), working_days=10) == 1  # 10
    async with unit_of_work():
        assert await filing.remind_unannounced(today=date(2026, 12, 1), working_days=10) == 0  # sent already
    reminders = await Notification.select().where(Notification.kind == "cnipa_reminder")
    assert len(reminders) == 1 and reminders[0]["code"] == "notification.cnipa_unannounced"
    row = await DeclarationVersion.select().where(DeclarationVersion.declaration == declaration_id).first()
    assert row["cnipa_reminded_at"] is not None
    await DeclarationVersion.update({DeclarationVersion.cnipa_number: "CN-OL-1"}).where(
        DeclarationVersion.declaration == declaration_id
    )
    assert monday.weekday() == 0
    async with unit_of_work():  # announced: no more reminders, even 20 working days on
        assert await filing.remind_unannounced(today=date(2026, 12, 14), working_days=10) == 0


# ------------------------------------------------------------------------------------------------ API

BAD_MONEY = [100000.0, "100000", True]


@pytest.mark.parametrize("value", BAD_MONEY)
async def test_the_declarations_api_refuses_money_that_is_not_an_integer_and_writes_nothing(
    backend: Backend, client: Any, value: Any
) -> None:
    account, principal = await university()
    patent = await record(principal, eligible())
    await sign_in(client, account)
    r = await client.send_json(
        "POST",
        "/api/declarations",
        {"patent_ids": [patent], "terms": {"payment_mode": "lump_sum", "lump_sum_minor": value}},
    )
    assert r.status_code in (400, 422), r.text
    errors = r.json()["errors"]
    assert [e["field"] for e in errors] == ["terms.lump_sum_minor"] or [e["field"] for e in errors] == [
        "lump_sum_minor"
    ], errors
    assert errors[0]["code"] == "validation.int_type"
    assert await Declaration.count() == 0
    r = await client.send_json(
        "POST",
        "/api/declarations",
        {"patent_ids": [patent], "terms": {"payment_mode": "running_royalty", "royalty_rate_bp": value}},
    )
    assert r.status_code in (400, 422), r.text
    assert await Declaration.count() == 0


async def test_the_api_records_the_announcement_and_exports_the_filing(backend: Backend, client: Any) -> None:
    account, principal = await university()
    patent = await record(principal, eligible())
    await sign_in(client, account)
    r = await client.send_json("POST", "/api/declarations", {"patent_ids": [patent], "terms": LUMP})
    declaration_id = r.json()["results"][0]["declaration_id"]
    shown = (await client.get(f"/api/declarations/{declaration_id}", headers={"Accept-Language": "en"})).json()
    assert shown["cnipa"]["state"] == "pending" and "to be filed with CNIPA" in shown["cnipa"]["status"]["message"]
    listing = (await client.get(f"/api/listings/{declaration_id}")).json()
    assert listing["terms"]["cnipa"]["state"] == "pending"
    page = await client.get(f"/declarations/{declaration_id}")
    assert "待国家知识产权局公告" in page.text and 'id="cnipa-form"' in page.text

    exported = await client.get(f"/api/declarations/{declaration_id}/cnipa-filing/declaration")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-disposition"].startswith("attachment;")
    document = json.loads(exported.content)
    assert document["patent"]["number"] == "CN108982325B" and document["terms"]["lump_sum_minor"] == 12_345_600
    assert document["form"]["message"] == "专利开放许可声明"
    nowhere = await client.get(f"/api/declarations/{declaration_id}/cnipa-filing/elsewhere")
    assert nowhere.status_code == 404

    future = (date.today() + timedelta(days=2)).isoformat()
    r = await client.send_json(
        "POST",
        f"/api/declarations/{declaration_id}/cnipa-announcement",
        {"number": "CN-OL-2026-0009", "announced_on": future},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "in_future", r.text
    r = await client.send_json(
        "POST",
        f"/api/declarations/{declaration_id}/cnipa-announcement",
        {"number": "CN-OL-2026-0009", "announced_on": date.today().isoformat()},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["cnipa"]["status"]["message"].startswith("Announced by CNIPA on")
    again = await client.send_json(
        "POST",
        f"/api/declarations/{declaration_id}/cnipa-announcement",
        {"number": "CN-OL-2026-0010", "announced_on": date.today().isoformat()},
    )
    assert again.status_code == 409


async def test_the_declaration_page_records_the_announcement_with_errors_beside_the_field(
    backend: Backend, client: Any
) -> None:
    account, principal = await university()
    patent = await record(principal, eligible())
    await sign_in(client, account)
    r = await client.send_json("POST", "/api/declarations", {"patent_ids": [patent], "terms": LUMP})
    declaration_id = r.json()["results"][0]["declaration_id"]
    html = {"accept": "text/html"}
    future = (date.today() + timedelta(days=5)).isoformat()
    refused = await client.post(
        f"/declarations/{declaration_id}/cnipa",
        data={"cnipa_number": "CN-OL-2026-0077", "cnipa_announced_on": future},
        headers={"x-csrftoken": await client.csrf(), **html},
    )
    assert refused.status_code == 422, refused.text
    assert 'id="cnipa_announced_on"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "公告日" in refused.text and "专利法第五十条" in refused.text
    done = await client.post(
        f"/declarations/{declaration_id}/cnipa",
        data={"cnipa_number": "CN-OL-2026-0077", "cnipa_announced_on": date.today().isoformat()},
        headers={"x-csrftoken": await client.csrf(), **html},
    )
    assert done.status_code == 200, done.text
    assert 'data-cnipa="announced"' in done.text and "公告号 CN-OL-2026-0077" in done.text
    listing = await client.get(f"/listings/{declaration_id}", headers=html)
    assert "国家知识产权局已于" in listing.text
    await client.app.state.job_queue.drain()
    found = (await client.get("/api/search", params={"q": "防污屏障"}, headers={"Accept-Language": "en"})).json()
    [hit] = found["hits"]
    assert hit["cnipa"]["state"] == "announced" and "CN-OL-2026-0077" in hit["cnipa"]["status"]["message"]
