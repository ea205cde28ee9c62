"""Finance test factories: an open licence on offer, firms and the platform admin, signed-in principals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from finance.licences import service as licences
from finance.payees import service as payees
from finance.payees.schemas import PayeeAccountIn
from market.accounts import service as accounts
from market.accounts.principal import Principal
from market.jobs import queue, unit_of_work
from tests.conftest import Account, make_account
from tests.listings.support import eligible, record, university

ROYALTY = {"payment_mode": "running_royalty", "royalty_rate_bp": 350}
ENTRY = {"payment_mode": "entry_plus_royalty", "entry_fee_minor": 5_000_000, "royalty_rate_bp": 300, "term_years": 5}
LUMP = {"payment_mode": "lump_sum", "lump_sum_minor": 12_345_600}


async def principal_of(account: Account) -> Principal:
    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    return principal


PAYEE_NUMBER = "1202021209900012345"


async def payee_account(uni: Principal, number: str = PAYEE_NUMBER, bank: str = "中国工商银行杭州玉泉支行") -> int:
    """Record the university's payee account (its own name, a bank, a number): what a bank transfer needs."""
    async with unit_of_work():
        account = await payees.record_account(
            principal=uni, data=PayeeAccountIn(account_name=uni.org_name, bank_name=bank, account_number=number)
        )
    return account.id


async def offer(
    terms: dict, *, name: str = "浙江大学", number: str = "CN108982325B", payee: bool = True
) -> tuple[Principal, int, int]:
    """A university (with its payee account unless ``payee=False``), its eligible patent and a published declaration
    of it on ``terms``."""
    from listings.declarations import service as declarations
    from listings.declarations.schemas import DeclareIn, TermsIn

    _, uni = await university(name)
    if payee:
        await payee_account(uni)
    patent_id = await record(uni, eligible(number, patentees=[name]))
    async with unit_of_work():
        report = await declarations.declare(
            principal=uni, data=DeclareIn(patent_ids=[patent_id], terms=TermsIn(**terms))
        )
    declaration_id = report.results[0].declaration_id
    assert declaration_id is not None
    return uni, patent_id, declaration_id


async def firm(name: str = "深圳市青禾智能科技有限公司") -> Principal:
    return await principal_of(await make_account("sme", org_name=name))


async def admin() -> Principal:
    return await principal_of(await make_account("platform_admin"))  # a name of its own: names are unique


async def drain() -> None:
    q = queue()
    await q.drain()  # type: ignore[attr-defined]


def move_today_on(monkeypatch: pytest.MonkeyPatch, days: int = 200) -> date:
    """Royalties are reported per calendar quarter once it has ended: "today" (``finance.licences.service.today``)
    moves ``days`` on, so a licence starting now has its first quarters ended."""
    later = licences.today() + timedelta(days=days)
    monkeypatch.setattr(licences, "today", lambda: later)
    return later
