"""Voucher programme and provider test factories: an issuer and its open programme, a provider applied, approved,
past its public notice and listed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from finance.desk import service as desk
from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.schemas import ProgrammeCreateIn
from finance.voucher_providers import service as providers
from finance.voucher_providers.records import Upload
from finance.voucher_providers.schemas import ApplyIn, MoveIn
from market.accounts.principal import Principal
from market.jobs import unit_of_work
from tests.conftest import make_account
from tests.finance.support import principal_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ZHEJIANG: dict[str, Any] = {
    "name_zh": "浙江省科技创新券（测试）",
    "mode": "provider_redeems",
    "categories": {
        "tech_results": {"share_bp": 5000},
        "novelty_search": {"share_bp": 5000},
        "ip_services": {"share_bp": 5000, "cap_minor": 500_000},
        "testing": {"share_bp": 4000},
    },
    "per_claim_minor": 2_000_000,
    "per_period_minor": 10_000_000,
    "period": "year",
    "validity_months": 12,
    "budget_minor": 500_000_000,
    "regions": ["33"],
    "required": ["specialised"],
    "favoured": ["little_giant"],
    "review_tiers": ["district", "city"],
    "settlement_cycle": "half_yearly",
    "notice_days": 7,
}
FACE: dict[str, Any] = {
    "name_zh": "首都科技创新券（测试）",
    "mode": "provider_redeems",
    "value_kind": "face_value",
    "face_value_minor": 500_000,
    "max_vouchers_per_use": 40,
    "categories": {"testing": {"share_bp": 10000}},
    "per_period_minor": 20_000_000,
    "settlement_cycle": "quarterly",
}


async def issuer(name: str = "杭州市科技局（测试）") -> Principal:
    return await principal_of(await make_account("voucher_issuer", org_name=name))


async def open_programme(owner: Principal, code: str = "zj", terms: dict[str, Any] | None = None) -> int:
    async with unit_of_work():
        data = ProgrammeCreateIn(code=code, **(terms or ZHEJIANG))
        made = await programmes.create_programme(principal=owner, data=data)
        await programmes.change_status(principal=owner, programme_id=made.id, action="open", expected_version=1)
    return made.id


async def applicant(kind: str = "service_provider", name: str | None = None) -> Principal:
    return await principal_of(await make_account(kind, org_name=name))


async def apply(who: Principal, programme_id: int) -> int:
    async with unit_of_work():
        made = await providers.apply(
            principal=who, data=ApplyIn(programme_id=programme_id, statement="查新与知识产权服务"),
            evidence=Upload("licence.pdf", "application/pdf", PDF),
            statement=Upload("statement.pdf", "application/pdf", PDF),
        )  # fmt: skip
    return made.id


async def approve(owner: Principal, provider_id: int) -> None:
    """The issuer starts the review and approves: the public notice starts today."""
    found = await providers.provider(provider_id)
    async with unit_of_work():
        await providers.start_review(principal=owner, provider_id=provider_id,
                                     data=MoveIn(expected_version=found.case_version))
    found = await providers.provider(provider_id)
    async with unit_of_work():
        await providers.approve(principal=owner, provider_id=provider_id,
                                data=MoveIn(expected_version=found.case_version))


def move_today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """The desk's (and so the providers') today."""
    monkeypatch.setattr(desk, "today", lambda: day)


async def listed(owner: Principal, who: Principal, programme_id: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """``who`` applied, approved, its notice passed (today moved past it) and listed by the daily job."""
    provider_id = await apply(who, programme_id)
    await approve(owner, provider_id)
    found = await providers.provider(provider_id)
    assert found.notice_ends_on is not None
    move_today(monkeypatch, found.notice_ends_on + timedelta(days=1))
    async with unit_of_work():
        await providers.list_due()
    return provider_id
