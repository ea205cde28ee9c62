"""The pledge pre-check as a case table: every one of the 12 CNIPA refusal grounds (专利权质押登记办法, 公告第461号),
each product floor and each licence conflict, on both databases, with the patent's facts read back from stored patents
and the product read back from its stored version."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pytest

from finance.desk.reasons import REGISTRY
from finance.loan_products import rules
from finance.loan_products import service as products
from finance.loan_products.records import ProductRecord
from finance.loan_products.rules import Declared, PatentInput, Severity
from finance.loan_products.schemas import ProductCreateIn
from finance.valuation import relief
from listings.patents import service as patents
from listings.patents.schemas import RecordedLicenceIn
from market import jobs
from market.accounts.principal import Principal
from market.i18n import catalogue, gettext
from market.kit.money import Money
from tests.conftest import make_account
from tests.finance.support import principal_of
from tests.listings.support import eligible, record, university

UNI = "浙江大学"
TODAY = patents.today()
NEXT_YEAR = TODAY + timedelta(days=365)
CNY = 100  # minor units per yuan

MAIN_TERMS: dict[str, Any] = {
    "name_zh": "知识产权质押贷",
    "kinds": ["invention", "utility_model"],
    "ltv_bp": {"invention": 2500, "utility_model": 1500},
    "min_remaining_years": {"invention": 8, "utility_model": 4},
    "max_amount_minor": 10_000_000 * CNY,
    "max_term_months": 36,
}
# A product that sets no loan-to-value or minimum term (as Sichuan's 天府知来贷 in the shared data): ground 06 shows
# alone there, and the product cannot waive it.
SHORT_TERMS: dict[str, Any] = {
    "name_zh": "短期产品",
    "kinds": ["invention", "utility_model", "design"],
    "max_amount_minor": 10_000_000 * CNY,
    "max_term_months": 120,
}


@dataclass(frozen=True)
class Case:
    name: str
    expected: set[str]
    patent: dict[str, Any] = field(default_factory=dict)  # changes to the stored patent
    number: str = "CN108982325B"
    applicant: str = UNI
    aliases: tuple[str, ...] = ()
    amount_yuan: int = 1_000_000
    term_months: int = 12
    value_yuan: int | None = 6_000_000  # x 25% = CNY 1.5 m lendable on an invention
    product: str = "main"
    declared: Declared = rules.NOTHING_DECLARED
    licence: str = ""  # a licence recorded on the patent: exclusive, sole, ordinary
    open_licence: bool = False  # the patent's declaration reported published
    jurisdiction: str = ""  # read back, then moved abroad (ground 12)


G = rules.GROUNDS
CASES = [
    Case("clean", set()),
    Case("g01 pledgor is not the patentee", {G[1]}, applicant="清华大学"),
    Case("g01 an alias is the patentee", set(), patent={"patentees": ["浙大（玉泉）"]}, aliases=("浙大（玉泉）",)),
    Case("g02 lapsed", {G[2]}, patent={"legal_status": "lapsed"}),
    Case("g02 invalidated", {G[2]}, patent={"legal_status": "invalidated"}),
    Case("g03 not granted", {G[3]}, number="CN108982325A", patent={"legal_status": "pending", "grant_date": None}),
    Case("g04 annual fees unpaid", {G[4]}, patent={"annual_fees_paid_through": TODAY - timedelta(days=1)}),
    Case("g05 ownership dispute", {G[5]}, patent={"suspension": "art103"}),
    Case("g05 court preservation", {G[5]}, patent={"suspension": "art104"}),
    Case(
        "g06 debt runs past expiry",
        {G[6]},
        patent={"filing_date": date(TODAY.year - 19, 3, 1), "grant_date": date(TODAY.year - 17, 3, 1)},
        term_months=36,
        value_yuan=None,
        product="short",
    ),
    Case("g08 co-owner without consent", {G[8]}, patent={"patentees": [UNI, "杭州青禾科技有限公司"]}),
    Case(
        "g08 co-owner consented",
        set(),
        patent={"patentees": [UNI, "杭州青禾科技有限公司"]},
        declared=Declared(co_owner_consents=("杭州青禾科技有限公司",)),
    ),
    Case("g09 already pledged", {G[9]}, patent={"pledged": True}),
    Case(
        "g10 same-day invention application",
        {G[10]},
        number="CN215123456U",
        patent={"filing_date": date(TODAY.year - 2, 3, 1), "grant_date": date(TODAY.year - 2, 9, 1)},
        declared=Declared(same_day_invention=True),
        amount_yuan=900_000,  # 15% x 6 m on a utility model
    ),
    Case("g11 invalidation requested", {G[11]}, declared=Declared(invalidation_requested=True)),
    Case("g12 not a Chinese patent", {G[12]}, jurisdiction="US"),
    Case("g12 status unknown", {G[12]}, patent={"legal_status": "unknown"}),
    Case(
        "floor: kind not accepted",
        {rules.FLOOR_KIND},
        number="CN305000001S",
        patent={"filing_date": date(TODAY.year - 3, 3, 1), "grant_date": date(TODAY.year - 2, 3, 1)},
    ),
    Case(
        "floor: too little term left",
        {rules.FLOOR_REMAINING},
        patent={"filing_date": date(TODAY.year - 14, 1, 5), "grant_date": date(TODAY.year - 11, 1, 5)},
    ),
    Case("floor: above the maximum amount", {rules.FLOOR_MAX_AMOUNT}, amount_yuan=12_000_000, value_yuan=100_000_000),
    Case("floor: above the maximum term", {rules.FLOOR_MAX_TERM}, term_months=48),
    Case("floor: above loan-to-value x value", {rules.FLOOR_LTV}, amount_yuan=1_500_001),
    Case("floor: exactly loan-to-value x value", set(), amount_yuan=1_500_000),
    Case("floor: no valuation", {rules.FLOOR_NO_VALUATION}, value_yuan=None),
    Case("conflict: declared open licence", {rules.CONFLICT_OPEN_LICENCE}, open_licence=True),
    Case("conflict: exclusive licence", {rules.CONFLICT_EXCLUSIVE}, licence="exclusive"),
    Case("conflict: sole licence", {rules.CONFLICT_EXCLUSIVE}, licence="sole"),
    Case("conflict: ordinary licence", {rules.CONFLICT_LICENCES}, licence="ordinary"),
]


async def bank_products() -> dict[str, ProductRecord]:
    bank = await principal_of(await make_account("bank"))
    out = {}
    for key, terms in (("main", MAIN_TERMS), ("short", SHORT_TERMS)):
        async with jobs.unit_of_work():
            made = await products.create_product(principal=bank, data=ProductCreateIn(code=key, **terms))
        stored = await products.product(made.id)
        assert stored is not None
        out[key] = stored
    return out


async def stored_patent(uni: Principal, case: Case) -> tuple[Any, list[Any], bool]:
    """Record the case's patent, then read its facts back as the pre-check does: the record, its licences in
    force, whether its open licence stands."""
    patent_id = await record(uni, eligible(case.number, **{"patentees": [UNI], **case.patent}))
    if case.licence:
        async with jobs.unit_of_work():
            await patents.record_licence(
                principal=uni,
                patent_id=patent_id,
                data=RecordedLicenceIn(kind=case.licence, licensee_name="杭州智造科技有限公司", starts_on=TODAY),
            )
    if case.open_licence:
        async with jobs.unit_of_work():
            await patents.open_licence_changed(patent_id=patent_id, declaration_id=1, status="published")
    row = await patents.patent_by_id(patent_id)
    assert row is not None
    licences = await patents.licences_in_force([patent_id], TODAY)
    facts = patents.facts(row, licences)
    if case.jurisdiction:
        facts = replace(facts, jurisdiction=case.jurisdiction)
    return facts, licences, row.declaration_status == "published"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_each_ground_floor_and_conflict(backend: Any, case: Case) -> None:
    _, uni = await university(UNI)
    product = (await bank_products())[case.product]
    facts, licences, open_licence = await stored_patent(uni, case)
    found = rules.check(
        patent=facts,
        applicant_name=case.applicant,
        aliases=case.aliases,
        product=product,
        amount=Money("CNY", case.amount_yuan * CNY),
        term_months=case.term_months,
        valuation=None if case.value_yuan is None else Money("CNY", case.value_yuan * CNY),
        today=TODAY,
        open_licence=open_licence,
        licences=licences,
        declared=case.declared,
    )
    assert {r.code for r in found} == case.expected
    for lang in ("zh", "en"):  # each says what it found, with its parameters, in both languages
        for r in found:
            said = gettext(lang, r.msg.code, **dict(r.msg.params))
            assert said != r.msg.code and "%(" not in said and gettext(lang, r.source) != r.source
    for r in found:  # each with its source and severity, as registered
        assert r.source.startswith(("law.", "lending.source."))
        assert r.msg.code == f"reason.{r.code}"
        if r.code.startswith("pledge.ground."):
            assert r.source == f"law.pledge.reg461.ground{r.code[-2:]}"
            acknowledged = r.code in (G[10], G[11])
            assert r.severity is (Severity.acknowledge if acknowledged else Severity.block)
        if r.code == rules.CONFLICT_OPEN_LICENCE:
            assert (r.source, r.severity) == ("law.regs.art86.4", Severity.acknowledge)
        if r.code == rules.CONFLICT_EXCLUSIVE:
            assert (r.source, r.severity) == ("law.civil.art444", Severity.acknowledge)
        if r.code in rules.FLOORS:
            assert (r.source, r.severity) == ("lending.source.product", Severity.block)


def test_the_case_table_covers_every_ground_floor_and_conflict() -> None:
    covered = {code for c in CASES for code in c.expected} | {G[7]}  # 07: the contract, below
    assert set(rules.registered()) <= covered


def test_ground_07_checks_the_contract_terms() -> None:
    complete: dict[str, Any] = {
        "pledgor": UNI,
        "pledgor_address": "杭州市西湖区余杭塘路 866 号",
        "pledgee": "中国银行北京分行",
        "pledgee_address": "北京市西城区复兴门内大街 1 号",
        "secured_debt_kind": "流动资金贷款",
        "secured_debt_amount": Money("CNY", 1_000_000 * CNY),
        "debt_term": "2026-12-01 至 2027-11-30",
        "patents": [
            {"number": "CN108982325B", "title": "测试装置", "filing_date": date(2018, 7, 30),
             "grant_date": date(2020, 5, 12)}
        ],
        "security_scope": "主债权及利息、违约金、实现质权的费用",
    }
    assert rules.check_contract(complete) == []
    lacking = {**complete, "security_scope": "", "patents": [{**complete["patents"][0], "grant_date": None}]}
    found = rules.check_contract(lacking)
    assert [(r.code, r.field, r.severity) for r in found] == [
        (G[7], "security_scope", Severity.block),
        (G[7], "patents.0.grant_date", Severity.block),
    ]
    assert all(r.source == "law.pledge.reg461.ground07" for r in found)
    del complete["pledgee"]
    assert [r.field for r in rules.check_contract(complete)] == ["pledgee"]


async def test_an_application_with_two_patents_sums_loan_to_value_and_refuses_one(backend: Any) -> None:
    _, uni = await university(UNI)
    product = (await bank_products())["main"]
    good = await record(uni, eligible("CN108982325B", patentees=[UNI]))
    lapsed = await record(uni, eligible("CN108982326B", patentees=[UNI], legal_status="lapsed"))
    utility = await record(
        uni,
        eligible("CN215123456U", patentees=[UNI], filing_date=date(TODAY.year - 2, 3, 1),
                 grant_date=date(TODAY.year - 2, 9, 1)),
    )
    inputs = []
    for patent_id, value in ((good, 6_000_000), (lapsed, 4_000_000), (utility, 2_000_000)):
        row = await patents.patent_by_id(patent_id)
        assert row is not None
        inputs.append(PatentInput(patent_id, patents.facts(row, []), Money("CNY", value * CNY)))
    result = rules.check_application(
        patents=inputs, applicant_name=UNI, product=product, amount=Money("CNY", 1_800_000 * CNY), term_months=24,
        today=TODAY,
    )
    assert [r.code for r in result.per_patent[lapsed]] == [G[2]]
    assert result.per_patent[good] == () and result.per_patent[utility] == ()
    # 25% x 6 m + 15% x 2 m: the lapsed patent lends nothing; 1.8 m fits exactly, one fen more does not
    assert result.lendable == Money("CNY", (1_500_000 + 300_000) * CNY)
    assert result.loan == () and result.blocked
    more = rules.check_application(
        patents=inputs, applicant_name=UNI, product=product, amount=Money("CNY", 1_800_000 * CNY + 1),
        term_months=24, today=TODAY,
    )
    assert [r.code for r in more.loan] == [rules.FLOOR_LTV]


def test_severity_and_registry_are_consistent() -> None:
    codes = rules.registered()
    assert {codes[G[n]].severity for n in (10, 11)} == {Severity.acknowledge}
    assert {codes[G[n]].severity for n in range(1, 13) if n not in (10, 11)} == {Severity.block}
    with pytest.raises(ValueError, match="registered twice"):
        rules.register(rules.ReasonCode(G[1], "law.other", Severity.warn))


def test_months_are_added_by_the_calendar() -> None:
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert rules.add_months(date(2027, 12, 1), 12) == date(2028, 12, 1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_reason_and_source_has_its_words(lang: str) -> None:
    codes = {c: rc for c, rc in REGISTRY.items() if c.startswith("pledge.")}  # the valuation's too
    assert {relief.EXTERNAL_REQUIRED, relief.REPORT_MISSING} <= set(codes)
    wanted = {f"reason.{c}" for c in codes} | {rc.source for rc in codes.values()}
    wanted |= {f"lending.contract_term.{t}" for t in rules.CONTRACT_TERMS}
    wanted |= {f"lending.contract_term.patent_{t}" for t in rules.PATENT_TERMS}
    wanted |= {"law.pledge.reg461.art8", "lending.ground12.not_cn", "lending.ground12.status_unknown"}
    # codes the bank pages make from values (tr('ui.lending_done_' ~ done) ...): not found by the extraction
    wanted |= {f"ui.lending_{a}_{w}" for a in ("publish", "withdraw") for w in ("heading", "question")}
    wanted |= {f"ui.lending_done_{d}" for d in ("created", "saved", "publish", "withdraw", "pool")}
    wanted |= {f"ui.lending_reliability_{r}" for r in ("primary", "secondary", "tertiary", "bank")}
    wanted |= {f"lending.status.{s}" for s in ("draft", "published", "withdrawn")}
    wanted |= {"lending.accepted_types", "lending.shares_over_100", "lending.party_name"}  # raised by validators
    missing = sorted(code for code in wanted if catalogue(lang).gettext(code) == code)
    assert missing == []
