"""Small factories for listings tests: a university and its patents, written through the services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from listings.patents import service as patents
from listings.patents.schemas import PatentIn
from market import jobs
from market.accounts import service as accounts
from market.accounts.principal import Principal
from tests.conftest import Account, make_account

NEXT_YEAR = date.today() + timedelta(days=365)


async def university(name: str = "浙江大学") -> tuple[Account, Principal]:
    account = await make_account("university", org_name=name)
    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    return account, principal


def eligible(number: str = "CN108982325B", **changes: Any) -> PatentIn:
    values: dict[str, Any] = {
        "number": number, "title_zh": "地下防污屏障材料化学相容性测试装置及方法", "patentees": ["浙江大学"],
        "filing_date": date(2018, 7, 30), "grant_date": date(2020, 5, 12), "ipc_codes": ["G01N 15/08"],
        "annual_fees_paid_through": NEXT_YEAR, "claims_count": 8,
    }
    values.update(changes)
    return PatentIn.model_validate(values)


async def record(principal: Principal, data: PatentIn) -> int:
    async with jobs.unit_of_work():
        return (await patents.create(principal=principal, data=data)).id
