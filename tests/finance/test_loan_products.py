"""Loan products: versioned terms (an edit is a new version, the old one readable), publish and withdraw, the demo
seed read from shared/domain (each figure traced to the data, with its source and reliability), and which products
a stored patent may support."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError as PydanticError

from finance.loan_products import rules
from finance.loan_products import service as products
from finance.loan_products.schemas import ProductCreateIn, ProductEditIn
from listings.patents import service as patents
from market import jobs
from market.errors import Conflict, NotFound, ValidationFailed
from market.seed import seed_demo as seed_accounts
from tests.conftest import make_account
from tests.finance.support import principal_of
from tests.listings.support import eligible, record, university

DEMO_BANK = "中国银行北京分行（演示）"
TERMS: dict[str, Any] = {
    "name_zh": "知识产权质押贷",
    "kinds": ["invention"],
    "ltv_bp": {"invention": 3000},
    "min_remaining_years": {"invention": 5},
    "max_amount_minor": 500_000_000,
    "max_term_months": 24,
    "documents": [
        {"code": "identity", "accepted_types": ["application/pdf"], "label_zh": "营业执照", "max_age_days": 90}
    ],
    "approval_thresholds": [{"above_minor": 100_000_000, "approvals": 2}],
}


async def bank() -> Any:
    return await principal_of(await make_account("bank"))


async def test_an_edit_is_a_new_version_and_the_old_one_stays(backend: Any) -> None:
    owner = await bank()
    async with jobs.unit_of_work():
        made = await products.create_product(principal=owner, data=ProductCreateIn(code="ip-loan", **TERMS))
    assert (made.version, made.status) == (1, "draft")
    edited_terms = {**TERMS, "ltv_bp": {"invention": 2000}, "max_term_months": 36}
    async with jobs.unit_of_work():
        edited = await products.edit_product(
            principal=owner, product_id=made.id, data=ProductEditIn(expected_version=1, **edited_terms)
        )
    assert (edited.version, edited.ltv_bp, edited.max_term_months) == (2, {"invention": 2000}, 36)
    first = await products.product(made.id, 1)
    assert first is not None and first.ltv_bp == {"invention": 3000} and first.current_version == 2
    assert first.documents[0].max_age_days == 90 and first.approval.approvals_for(100_000_001) == 2
    assert first.approval.approvals_for(100_000_000) == 1
    with pytest.raises(Conflict):  # the version edited is no longer in force
        async with jobs.unit_of_work():
            await products.edit_product(
                principal=owner, product_id=made.id, data=ProductEditIn(expected_version=1, **edited_terms)
            )
    assert [p.version for p in await products.product_versions(made.id)] == [2, 1]


async def test_publish_and_withdraw_and_who_reads_what(backend: Any) -> None:
    owner, other = await bank(), await bank()
    async with jobs.unit_of_work():
        made = await products.create_product(principal=owner, data=ProductCreateIn(code="ip-loan", **TERMS))
    with pytest.raises(NotFound):  # a draft is its bank's only
        await products.published_product(made.id)
    with pytest.raises(NotFound):
        await products.bank_product(principal=other, product_id=made.id)
    async with jobs.unit_of_work():
        await products.change_status(principal=owner, product_id=made.id, action="publish", expected_version=1)
    assert [p.id for p in await products.published_products()] == [made.id]
    with pytest.raises(Conflict):
        async with jobs.unit_of_work():
            await products.change_status(principal=owner, product_id=made.id, action="publish", expected_version=1)
    async with jobs.unit_of_work():
        await products.change_status(principal=owner, product_id=made.id, action="withdraw", expected_version=1)
    assert await products.published_products() == []
    kept = await products.product(made.id, 1)  # an application still reads the version it used
    assert kept is not None and kept.status == "withdrawn"


async def test_terms_are_checked_beside_each_field(backend: Any) -> None:
    owner = await bank()
    with pytest.raises(PydanticError, match="accepted_types"):  # only types finance.dossiers can tell by the bytes
        ProductCreateIn(code="bad", **{**TERMS, "documents": [{**TERMS["documents"][0], "accepted_types": ["text/x"]}]})
    bad = {**TERMS, "ltv_bp": {"utility_model": 1500}, "rate_min_bp": 500, "rate_max_bp": 400, "pools": [999]}
    with pytest.raises(ValidationFailed) as caught:
        async with jobs.unit_of_work():
            await products.create_product(principal=owner, data=ProductCreateIn(code="bad", **bad))
    assert {e.field for e in caught.value.errors} == {"ltv_bp.utility_model", "rate_max_bp", "pools"}
    async with jobs.unit_of_work():
        await products.create_product(principal=owner, data=ProductCreateIn(code="taken", **TERMS))
    with pytest.raises(Conflict):
        async with jobs.unit_of_work():
            await products.create_product(principal=owner, data=ProductCreateIn(code="taken", **TERMS))


def _shared() -> tuple[dict[str, Any], dict[str, Any]]:
    directory = products.shared_domain_dir()
    assert directory is not None, "../shared/domain is beside the project"
    return (
        json.loads((directory / products.PROGRAMMES).read_text(encoding="utf-8")),
        json.loads((directory / products.POLICY_PARAMS).read_text(encoding="utf-8")),
    )


async def test_the_demo_seed_reads_its_figures_from_the_shared_data(backend: Any) -> None:
    await seed_accounts()
    async with jobs.unit_of_work():
        made = await products.seed_demo(bank_name=DEMO_BANK)
    async with jobs.unit_of_work():
        again = await products.seed_demo(bank_name=DEMO_BANK)
    assert again == {"pools": 0, "products": 0}
    programmes, policy = _shared()
    pools = {p.code: p for p in await products.pools()}
    assert made["pools"] == len(pools) >= len(programmes["pledge_loans"]["risk_pools"])
    for item in programmes["pledge_loans"]["risk_pools"]:
        pool = pools[f"pool-{item['name'].lower()}"]
        assert dict(pool.loss_split_bp) == {k: v * 100 for k, v in item.get("loss_split_pct", {}).items()}
        assert pool.source and pool.reliability in {"primary", "secondary", "tertiary"}
    weihai = policy["pledge_lending_parameters"]["risk_compensation_weihai"]
    assert pools["pool-weihai"].cap_first_year is not None
    assert pools["pool-weihai"].cap_first_year.minor == weihai["single_loan_cap_first_year_cny"] * 100
    assert pools["pool-weihai"].cap_later is not None
    assert pools["pool-weihai"].cap_later.minor == weihai["single_loan_cap_later_years_cny"] * 100
    assert pools["pool-haikou"].pure_ip_only and pools["pool-haikou"].size is not None

    listed = {p.code: p for p in await products.published_products()}
    assert set(listed) == {"bocom-example", "sichuan-tianfu-zhilaidai"}
    bocom, example = listed["bocom-example"], programmes["pledge_loans"]["bank_product_example_bocom"]
    assert bocom.bank_name == DEMO_BANK
    assert dict(bocom.ltv_bp) == {k: v * 100 for k, v in example["ltv_pct"].items() if k != "trademark"}
    assert dict(bocom.min_remaining_years) == example["min_remaining_term_years"]
    assert bocom.max_amount.minor == example["max_amount_cny"] * 100
    assert bocom.max_term_months == example["max_term_years"] * 12
    assert example["source"] in bocom.source and bocom.reliability == "secondary"
    assert {p.code for p in bocom.pool_records} == {"pool-weihai", "pool-haikou"}
    sichuan = policy["pledge_lending_parameters"]["sichuan_tianfu_zhilaidai"]
    tianfu = listed["sichuan-tianfu-zhilaidai"]
    assert tianfu.max_amount.minor == sichuan["max_loan_per_firm_cny"] * 100
    assert tianfu.max_term_months == sichuan["max_term_years"] * 12
    assert tianfu.reliability == "primary" and sichuan["source_url"] in tianfu.source
    required = [d.code for d in bocom.documents if d.required]
    assert required == ["identity", "financial_statements"]
    checklist = products.checklist(bocom)  # as finance.dossiers checks a case's documents
    assert [(r.code, r.required, r.max_age_days) for r in checklist] == [
        (d.code, d.required, d.max_age_days) for d in bocom.documents
    ]
    assert checklist[0].label.params["label_zh"] == bocom.documents[0].label_zh


async def test_which_products_a_patent_may_support(backend: Any) -> None:
    await seed_accounts()
    async with jobs.unit_of_work():
        await products.seed_demo(bank_name=DEMO_BANK)
    _, uni = await university("浙江大学")
    today = patents.today()
    young = await record(uni, eligible("CN108982325B", patentees=["浙江大学"], filing_date=today - timedelta(days=800),
                                       grant_date=today - timedelta(days=400)))
    old = await record(uni, eligible("CN108982326B", patentees=["浙江大学"], filing_date=date(today.year - 15, 1, 5),
                                     grant_date=date(today.year - 13, 1, 5)))
    by_code = {}
    for patent_id in (young, old):
        row = await patents.patent_by_id(patent_id)
        assert row is not None
        by_code[patent_id] = {e.product.code: e for e in await products.eligible_products(row, today)}
    assert by_code[young]["bocom-example"].eligible and by_code[young]["bocom-example"].reasons == []
    assert by_code[young]["bocom-example"].max_amount == by_code[young]["bocom-example"].product.max_amount
    refused = by_code[old]["bocom-example"]  # 5 years left: under the 8 an invention needs
    assert not refused.eligible and [r.code for r in refused.reasons] == [rules.FLOOR_REMAINING]
    assert refused.max_amount is None
    assert by_code[old]["sichuan-tianfu-zhilaidai"].eligible  # no minimum term there
