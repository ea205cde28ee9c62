"""IP insurance test factories: an insurer with two underwriters and a published product; an SME with its own
patents; applications at every step up to an accepted one (``accepted_application``, for finance.policies,
subsidies and claims tests).

    from tests.finance.insurance_support import accepted_application
    accepted = await accepted_application()          # an SME's application, accepted by the insurer
    accepted.application_id, accepted.sme.principal, accepted.insurer.underwriter, accepted.product_version_id
    record = await insurance.application(accepted.application_id)   # state "accepted", quote frozen
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from finance.insurance import service as insurance
from finance.insurance.schemas import AnswersIn, ApplicationIn, DecisionIn, MoveIn
from finance.insurance_products import service as products
from finance.insurance_products.schemas import ProductCreateIn
from market.accounts.principal import Principal
from market.jobs import unit_of_work
from tests.conftest import Account, make_account
from tests.finance.pledge_support import member_of
from tests.finance.support import principal_of
from tests.listings.support import eligible, record

SME_NAME = "杭州青禾智能科技有限公司"  # words: data
_numbers = itertools.count(1)
PATENT = "CN108982325B"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ANSWERS: dict[str, Any] = {"known_disputes": False, "turnover": 12_000_000}

# PICC 2012 pilot shape: CNY 2,000 + 200 per patent up to 10 patents (15x), CNY 4,000 + 400 after (30x). A second
# underwriter approves above CNY 40,000 of aggregate limit: one patent (CNY 2,200 x 15 = CNY 33,000) is decided by one
# underwriter, four (CNY 2,800 x 15 = CNY 42,000) need two. The demo seed is insurance_products' ``seed_demo``.
FOUR_EYES_ABOVE = 4_000_000
PRODUCT: dict[str, Any] = {
    "code": "enforcement-test",
    "kind": "enforcement",
    "name_zh": "专利执行保险（测试）",  # words: data
    "name_en": "Patent enforcement insurance (test)",
    "wording_version": "2026-01",
    "deductible_minor": 100_000,
    "premium_table": {
        "shape": "base_plus_per_patent",
        "base_tiers": [
            {"max_patents": 10, "base_minor": 200_000, "limit_multiple": 15, "per_patent_minor": 20_000},
            {"max_patents": None, "base_minor": 400_000, "limit_multiple": 30, "per_patent_minor": 40_000},
        ],
    },
    "questions": [
        {"key": "known_disputes", "kind": "yes_no", "material": True},
        {"key": "turnover", "kind": "number", "material": True},
    ],
    "documents": [{"code": "patent_certificate", "required": True, "accepted_types": ["application/pdf"]}],
    "approval_thresholds": [{"above_minor": FOUR_EYES_ABOVE, "approvals": 2}],
    "min_remaining_years": 3,
    "quote_valid_days": 30,
    "patent_kinds": ["invention", "utility_model"],
    "source": "PICC 2012 pilot (test)",
}


@dataclass
class Insurer:
    account: Account
    underwriter: Principal  # the maker
    checker: Principal  # a second member
    product_version_id: int
    product_id: int


@dataclass
class Sme:
    account: Account
    principal: Principal
    patent: int  # an eligible patent of its own
    extra: dict[str, int] = field(default_factory=dict)


@dataclass
class Accepted:
    application_id: int
    sme: Sme
    insurer: Insurer

    @property
    def product_version_id(self) -> int:
        return self.insurer.product_version_id


async def insurer(name: str = "", **terms: Any) -> Insurer:
    """An insurer (its name unique unless given) with two underwriters and a published product."""
    account = await make_account("insurer", org_name=name or f"人保财险测试分公司{next(_numbers)}")  # words: data
    maker = await principal_of(account)
    checker = await member_of(maker, email=f"underwriter-{maker.org_id}@insurer.example.cn")
    async with unit_of_work():
        created = await products.create_product(principal=maker, data=ProductCreateIn(**{**PRODUCT, **terms}))
    return Insurer(
        account=account, underwriter=maker, checker=checker, product_version_id=created.id, product_id=created.product
    )


async def sme(name: str = "", **patent: Any) -> Sme:
    """An SME (its name unique unless given) with one eligible patent of its own."""
    name = name or f"杭州青禾智能科技{next(_numbers)}有限公司"  # words: data
    account = await make_account("sme", org_name=name)
    principal = await principal_of(account)
    patent_id = await record(principal, eligible(PATENT, patentees=[name], **patent))
    return Sme(account=account, principal=principal, patent=patent_id)


async def apply(applicant: Sme, cover: Insurer, *patent_ids: int) -> Any:
    async with unit_of_work():
        return await insurance.create_application(
            principal=applicant.principal,
            data=ApplicationIn(
                product_version_id=cover.product_version_id, patent_ids=list(patent_ids or (applicant.patent,))
            ),
        )


async def answer(applicant: Sme, application_id: int, answers: dict[str, Any] | None = None) -> Any:
    async with unit_of_work():
        return await insurance.answer(
            principal=applicant.principal,
            application_id=application_id,
            data=AnswersIn(questionnaire_version=1, answers=answers or ANSWERS, acknowledge_disclosure=True),
        )


async def upload(principal: Principal, application_id: int, requirement: str = "patent_certificate") -> Any:
    async with unit_of_work():
        return await insurance.upload(
            principal=principal,
            application_id=application_id,
            requirement=requirement,
            filename=f"{requirement}.pdf",
            content_type="application/pdf",
            content=PDF,
            issued_on=date.today(),
        )


async def submitted(applicant: Sme, cover: Insurer, *patent_ids: int) -> Any:
    """An application answered, its checklist complete, submitted, and the insurer's review started."""
    app = await apply(applicant, cover, *patent_ids)
    app = await answer(applicant, app.id)
    for line in app.requirements:
        if line.required:
            await upload(applicant.principal, app.id, line.code)
    async with unit_of_work():
        app = await insurance.submit(principal=applicant.principal, application_id=app.id, version=app.version)
    async with unit_of_work():
        return await insurance.start_review(
            principal=cover.underwriter, application_id=app.id, data=MoveIn(expected_version=app.version)
        )


async def accepted_application(
    applicant: Sme | None = None, cover: Insurer | None = None, *, conditions: tuple[str, ...] = ()
) -> Accepted:
    """An SME's application on an insurer's product (one patent: below the four-eyes threshold), accepted by one
    underwriter: state "accepted", quote frozen and valid, ``insurance.accepted`` emitted."""
    cover = cover or await insurer()
    applicant = applicant or await sme()
    app = await submitted(applicant, cover)
    async with unit_of_work():
        app = await insurance.decide(
            principal=cover.underwriter,
            application_id=app.id,
            data=DecisionIn(expected_version=app.version, outcome="accept", conditions=list(conditions)),
        )
    assert app.state == "accepted", app.state
    return Accepted(application_id=app.id, sme=applicant, insurer=cover)


@dataclass
class Licensed:
    university: Principal  # the patentee
    patent: int
    licence: int


async def licensed(applicant: Sme, *, name: str = "浙江大学", number: str = "CN109000001B") -> Licensed:  # words: data
    """A university's patent licensed to ``applicant`` on the platform (an active open licence)."""
    from finance.licences import repository as licences_repo
    from tests.finance.support import LUMP, offer

    uni, patent_id, declaration_id = await offer(
        LUMP, name=name, number=number, payee=False
    )
    async with unit_of_work():
        licence_id = await licences_repo.create(
            number=f"OL-LC-2026-{patent_id:06d}", declaration=declaration_id, declaration_version=1,
            declaration_version_id=1, patent=patent_id, licensor=uni.org_id, licensee=applicant.principal.org_id,
            status="active", payment_mode="lump_sum", lump_sum_minor=100_000,
            licensee_name=applicant.principal.org_name, starts_on=date.today(),
        )  # fmt: skip
    return Licensed(university=uni, patent=patent_id, licence=licence_id)
