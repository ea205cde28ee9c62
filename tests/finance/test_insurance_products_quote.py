"""Insurance quotes: the two premium-table shapes computed by hand for the seeded products (PICC 2012 pilot tiers,
Beijing 2020 per-patent prices by firm tier), the tier boundary, the version's own caps, and the lines that explain
each figure. The demo seed reads its figures from shared/domain (each product with its source and reliability)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from finance.insurance_products import service as products
from finance.insurance_products.quote import QuoteError, compute_quote
from finance.insurance_products.records import InsuranceProductVersionRecord, PremiumTable, add_years
from market import jobs
from market.errors import ValidationFailed
from market.kit.money import Money
from market.seed import seed_demo as seed_accounts

DEMO_INSURER = "人保财险（演示）"


def _shared() -> tuple[dict[str, Any], dict[str, Any]]:
    directory = products.shared_domain_dir()
    assert directory is not None, "../shared/domain is beside the project"
    return (
        json.loads((directory / products.PROGRAMMES).read_text(encoding="utf-8")),
        json.loads((directory / products.POLICY_PARAMS).read_text(encoding="utf-8")),
    )


def seeded(code: str) -> InsuranceProductVersionRecord:
    """A demo product's version as the seed writes it, without the database."""
    return next(v for v in products.demo_versions() if v.code == code)


def cny(amount: int) -> Money:
    return Money("CNY", amount * 100)


def test_picc_tier_one_five_patents() -> None:
    q = compute_quote(seeded("picc-2012-enforcement"), patents=5, firm_tier="sme")
    assert q.premium == cny(3_000)  # 2,000 + 5 x 200
    assert q.aggregate_limit == cny(45_000)  # 15 x 3,000
    assert q.per_claim_limit == cny(45_000)
    assert q.deductible == cny(1_000)
    codes = [line.label.code for line in q.lines]
    assert codes[:4] == [
        "insurance_products.quote.base",
        "insurance_products.quote.add_on",
        "insurance_products.quote.premium",
        "insurance_products.quote.limit_multiple",
    ]
    assert q.lines[0].label.params == {"tier": 1} and q.lines[0].amount == cny(2_000)
    assert q.lines[1].label.params == {"patents": 5, "per_patent": cny(200)} and q.lines[1].amount == cny(1_000)
    assert q.lines[3].label.params == {"multiple": 15, "premium": cny(3_000)}
    assert q.table["tier"] == 1 and q.table["max_patents"] == 10


def test_picc_tier_boundary_ten_and_eleven_patents() -> None:
    version = seeded("picc-2012-enforcement")
    ten = compute_quote(version, patents=10, firm_tier="sme")
    assert (ten.premium, ten.aggregate_limit) == (cny(4_000), cny(60_000))  # 2,000 + 10 x 200; x 15
    eleven = compute_quote(version, patents=11, firm_tier="champion")  # the firm tier does not matter here
    assert (eleven.premium, eleven.aggregate_limit) == (cny(8_400), cny(252_000))  # 4,000 + 11 x 400; x 30
    assert eleven.table["tier"] == 2
    one = compute_quote(version, patents=1, firm_tier="sme")
    assert one.aggregate_limit == cny(33_000)  # the source's first example limit: 15 x (2,000 + 200)


def test_beijing_sme_and_champion() -> None:
    version = seeded("beijing-2020-infringement-loss")
    sme = compute_quote(version, patents=3, firm_tier="sme")
    assert sme.premium == cny(30_000)  # 3 x 10,000
    assert sme.aggregate_limit == cny(2_550_000)  # 3 x 850,000
    assert sme.per_claim_limit == cny(850_000)  # one patent's limit
    champion = compute_quote(version, patents=2, firm_tier="champion")
    assert (champion.premium, champion.aggregate_limit, champion.per_claim_limit) == (
        cny(50_000), cny(4_800_000), cny(2_400_000),
    )  # fmt: skip
    assert champion.lines[0].label.params["tier"].code == "insurance_products.firm_tier.champion"  # type: ignore[union-attr]


def test_the_versions_own_limits_cap_the_table() -> None:
    version = replace(
        seeded("beijing-2020-infringement-loss"), aggregate_limit_minor=cny(2_000_000).minor,
        per_claim_limit_minor=cny(500_000).minor,
    )  # fmt: skip
    q = compute_quote(version, patents=3, firm_tier="sme")
    assert (q.aggregate_limit, q.per_claim_limit, q.premium) == (cny(2_000_000), cny(500_000), cny(30_000))
    codes = [line.label.code for line in q.lines]
    assert "insurance_products.quote.aggregate_capped" in codes and "insurance_products.quote.per_claim_capped" in codes
    small = compute_quote(replace(version, per_claim_limit_minor=None, aggregate_limit_minor=cny(100_000).minor),
                          patents=3, firm_tier="sme")  # fmt: skip
    assert small.per_claim_limit == cny(100_000)  # never above the aggregate


def test_refusals() -> None:
    version = seeded("beijing-2020-infringement-loss")
    with pytest.raises(QuoteError) as caught:
        compute_quote(version, patents=0, firm_tier="sme")
    assert caught.value.msg.code == "insurance_products.quote.patents_range"
    with pytest.raises(QuoteError):
        compute_quote(version, patents=1, firm_tier="unknown")
    closed = replace(version, premium_table=PremiumTable.from_json(
        {"shape": "base_plus_per_patent", "base_tiers": [{"max_patents": 5, "base_minor": 1, "limit_multiple": 2}]}))
    with pytest.raises(QuoteError) as too_many:
        compute_quote(closed, patents=6, firm_tier="sme")
    assert too_many.value.msg.code == "insurance_products.quote.too_many_patents"
    with pytest.raises(ValidationFailed) as failed:
        products.quote(version, patents=1, firm_tier="unknown")
    assert failed.value.errors[0].field == "firm_tier"


def test_ten_thousand_patents_fit_the_money_columns() -> None:
    q = compute_quote(seeded("beijing-2020-infringement-loss"), patents=10_000, firm_tier="champion")
    assert q.aggregate_limit == cny(24_000_000_000) and q.premium == cny(250_000_000)


def test_remaining_term_is_counted_in_calendar_years() -> None:
    version = seeded("picc-2012-enforcement")
    today = date(2026, 12, 2)
    assert version.min_remaining_years == 3
    assert not version.term_long_enough(date(2029, 12, 1), today)  # 2 years 364 days
    assert version.term_long_enough(date(2029, 12, 2), today)
    assert add_years(date(2028, 2, 29), 3) == date(2031, 2, 28)


def test_demo_figures_come_from_the_shared_data() -> None:
    programmes, policy = _shared()
    rows = {code: (kind, values) for code, kind, values in products.demo_products(programmes, policy)}
    assert sorted(kind for kind, _ in rows.values()) == sorted(products.INSURANCE_KINDS)
    picc = policy["ip_insurance"]["picc_2012_pilot_pricing"]
    table = rows["picc-2012-enforcement"][1]["premium_table"]
    assert [t["base_minor"] for t in table["base_tiers"]] == [b * 100 for b in picc["base_premium_tiers_cny"]]
    assert [t["per_patent_minor"] for t in table["base_tiers"]] == [a * 100 for a in picc["per_patent_add_on_cny"]]
    assert [t["limit_multiple"] for t in table["base_tiers"]] == picc["cumulative_limit_multiple_of_premium"]
    beijing = next(p for p in programmes["insurance"]["pricing_seen"] if p["name"] == "Beijing 2020")
    by_tier = {t["tier"]: t for t in rows["beijing-2020-infringement-loss"][1]["premium_table"]["by_firm_tier"]}
    assert by_tier["sme"]["per_patent_premium_minor"] == beijing["per_patent_premium_cny"]["smes"] * 100
    assert by_tier["champion"]["per_patent_limit_minor"] == beijing["per_patent_limit_cny"]["champion_firms"] * 100
    assert rows["pledge-guarantee-zhongshan"][1]["loss_share_bp"] == 1600  # Zhongshan insurer share 16%
    for _kind, values in rows.values():
        assert values["source"] and values["reliability"] in ("primary", "secondary", "tertiary")
        assert values["min_remaining_years"] == policy["ip_insurance"]["beijing_pilot_eligibility_2022"][
            "min_remaining_term_years"]  # fmt: skip
        keys = [q["key"] for q in values["questionnaire"]]
        assert {"known_disputes", "prior_claims", "litigation_intended", "turnover"} <= set(keys)
    assert "overseas_sales" in [q["key"] for q in rows["overseas-liability"][1]["questionnaire"]]
    assert "tier boundary" in rows["picc-2012-enforcement"][1]["note"]


async def test_the_demo_seed_publishes_one_product_per_kind_once(backend: Any) -> None:
    await seed_accounts()
    async with jobs.unit_of_work():
        made = await products.seed_demo(insurer_name=DEMO_INSURER)
    async with jobs.unit_of_work():
        again = await products.seed_demo(insurer_name=DEMO_INSURER)
    assert made == {"products": 4} and again == {"products": 0}
    rows = await products.published()
    assert sorted(r.kind for r in rows) == sorted(products.INSURANCE_KINDS)
    assert all(r.insurer_name == DEMO_INSURER and r.source for r in rows)
    beijing = next(r for r in rows if r.code == "beijing-2020-infringement-loss")
    q = compute_quote(await products.version(beijing.id), patents=3, firm_tier="sme")
    assert (q.premium, q.aggregate_limit) == (cny(30_000), cny(2_550_000))
    assert beijing.four_eyes_above_minor == cny(1_000_000).minor and beijing.approvals_for(q.aggregate_limit.minor) == 2
    guarantee = (await products.published("pledge_guarantee"))[0]
    assert guarantee.loss_share_bp == 1600
    checklist = await products.checklist_for_version(guarantee.id)
    assert "loan_contract" in [r.code for r in checklist]
