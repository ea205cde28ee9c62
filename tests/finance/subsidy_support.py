"""Subsidy test factories: an issuer (a ``voucher_issuer`` organisation) and its open programmes."""

from __future__ import annotations

from typing import Any

from finance.subsidies import service as subsidies
from finance.subsidies.schemas import ProgrammeCreateIn, StatusIn
from market.accounts.principal import Principal
from market.jobs import unit_of_work
from tests.conftest import make_account
from tests.finance.support import principal_of

BEIJING: dict[str, Any] = {
    "name_zh": "北京市知识产权保险保费补贴",
    "kinds": ["enforcement", "infringement_loss"],
    "share_first_bp": {"sme": 10000, "champion": 10000},
    "share_later_bp": {"sme": 9000, "champion": 8000},
    "tier_caps_minor": {"sme": 20_000_000, "champion": 50_000_000},
    "budget_minor": 1_000_000_000,
}
SHANDONG: dict[str, Any] = {
    "name_zh": "山东省企业知识产权保险扶持",
    "kinds": ["enforcement", "infringement_loss", "overseas_liability"],
    "share_first_bp": {"sme": 6000, "champion": 6000},
    "kind_caps_minor": {"enforcement+infringement_loss": 20_000_000, "overseas_liability": 40_000_000},
}


async def issuer(name: str = "北京市知识产权局（测试）") -> Principal:
    return await principal_of(await make_account("voucher_issuer", org_name=name))


async def open_programme(owner: Principal, code: str, terms: dict[str, Any]) -> int:
    async with unit_of_work():
        made = await subsidies.create_programme(principal=owner, data=ProgrammeCreateIn(code=code, **terms))
        await subsidies.change_status(principal=owner, programme_id=made.id, action="open", expected_version=1)
    _ = StatusIn
    return made.id
