"""Pledge-loan test factories: an SME with its patents, a bank with a maker and a checker and a published product."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from finance.loan_products import service as products
from finance.loan_products.schemas import ProductCreateIn
from finance.pledges import service as pledges
from finance.pledges.schemas import ApplicationIn, ValuationMethod
from market.accounts import passwords
from market.accounts import repository as accounts_repo
from market.accounts import service as accounts
from market.accounts.principal import Principal
from market.jobs import unit_of_work
from market.orgs import repository as orgs_repo
from tests.conftest import PASSWORD, Account, make_account
from tests.finance.support import principal_of
from tests.listings.support import eligible, record

SME_NAME = "杭州青禾智能科技有限公司"
GOOD = "CN108982325B"
UNPAID = "CN109000001B"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SALES = 2_000_000_000  # CNY 20 million of annual net sales, in fen

PRODUCT = {
    "code": "ip-pledge",
    "name_zh": "知识产权质押贷",  # words: data
    "name_en": "IP pledge loan",
    "kinds": ["invention", "utility_model"],
    "ltv_bp": {"invention": 2500, "utility_model": 1500},
    "min_remaining_years": {"invention": 8, "utility_model": 4},
    "max_amount_minor": 1_000_000_000,
    "max_term_months": 36,
    "documents": [
        {
            "code": "identity",
            "required": True,
            "accepted_types": ["application/pdf"],
            "label_zh": "营业执照",  # words: data
            "label_en": "Business licence",
        },
        {
            "code": "financial_statements",
            "required": True,
            "accepted_types": ["application/pdf"],
            "max_age_days": 180,
            "label_zh": "最近一期财务报表",  # words: data
            "label_en": "Latest financial statements",
        },
    ],
    "approval_thresholds": [{"above_minor": 500_000_000, "approvals": 2}],
    "refusal_needs_second": False,
}


@dataclass
class Bank:
    account: Account  # the maker's
    maker: Principal
    checker: Principal
    product_id: int


@dataclass
class Sme:
    account: Account
    principal: Principal
    good: int  # a patent the pre-check passes
    unpaid: int  # a patent whose annual fees are unpaid (ground 04)


async def member_of(owner: Principal, *, email: str) -> Principal:
    """A second user of the owner's organisation (a checker of the same bank)."""
    async with unit_of_work():
        user_id = await accounts_repo.create_user(
            email=email, password_hash=passwords.hash_password(PASSWORD), display_name="复核员", locale="zh"
        )
        await orgs_repo.add_membership(user_id=user_id, org_id=owner.org_id, role="member")
    principal = await accounts.principal_for(user_id=user_id, org_id=owner.org_id)
    assert principal is not None
    return principal


async def bank(name: str = "中国银行杭州分行", **terms: Any) -> Bank:
    account = await make_account("bank", org_name=name)
    maker = await principal_of(account)
    checker = await member_of(maker, email=f"checker-{maker.org_id}@bank.example.cn")
    async with unit_of_work():
        created = await products.create_product(principal=maker, data=ProductCreateIn(**{**PRODUCT, **terms}))
        await products.change_status(principal=maker, product_id=created.id, action="publish", expected_version=1)
    return Bank(account=account, maker=maker, checker=checker, product_id=created.id)


async def sme(name: str = SME_NAME) -> Sme:
    account = await make_account("sme", org_name=name)
    principal = await principal_of(account)
    good = await record(principal, eligible(GOOD, patentees=[name]))
    past = date.today() - timedelta(days=30)
    unpaid = await record(principal, eligible(UNPAID, patentees=[name], annual_fees_paid_through=past))
    return Sme(account=account, principal=principal, good=good, unpaid=unpaid)


async def draft(
    applicant: Sme,
    product_id: int,
    *patent_ids: int,
    amount_minor: int = 50_000_000,
    valuation_method: ValuationMethod = "internal",
    appraised_value_minor: int | None = None,
) -> Any:
    """A draft on ``product_id`` (the good patent unless others are named), valued by relief-from-royalty unless an
    appraised (external) or agreed value is given."""
    async with unit_of_work():
        return await pledges.start(
            principal=applicant.principal,
            data=ApplicationIn(
                product_id=product_id,
                patent_ids=list(patent_ids or (applicant.good,)),
                amount_minor=amount_minor,
                term_months=12,
                purpose="流动资金",  # words: data
                annual_net_sales_minor=SALES,
                valuation_method=valuation_method,
                appraised_value_minor=appraised_value_minor,
            ),
        )
