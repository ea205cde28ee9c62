"""Voucher settlement factories: an issuer with a maker and a checker, payees with or without an account, and
captured claims to settle (as ``finance.voucher_redemptions`` hands them over)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from finance.voucher_settlements.records import ClaimToSettle
from finance.voucher_settlements.service import ProgrammeInfo
from market.accounts.principal import Principal
from tests.conftest import make_account
from tests.finance.pledge_support import member_of
from tests.finance.support import payee_account, principal_of


@dataclass(frozen=True)
class Issuer:
    maker: Principal
    checker: Principal


async def issuer(name: str = "杭州市科学技术局（测试）") -> Issuer:
    maker = await principal_of(await make_account("voucher_issuer", org_name=name))
    checker = await member_of(maker, email=f"checker-{maker.org_id}@issuer.example.cn")
    return Issuer(maker=maker, checker=checker)


async def payee(kind: str = "university", name: str | None = None, *, account: bool = True) -> Principal:
    principal = await principal_of(await make_account(kind, org_name=name))
    if account:
        await payee_account(principal, number=f"62220000{principal.org_id:010d}")
    return principal


def programme(owner: Principal, programme_id: int = 7, cycle: str = "half_yearly") -> ProgrammeInfo:
    name = "浙江省科技创新券（测试）"
    return ProgrammeInfo(id=programme_id, issuer=owner.org_id, name=name, currency="CNY", cycle=cycle)


_claims = iter(range(1, 10_000_000))


def claim(payee_id: int, amount_minor: int, *, category: str = "tech_results", region: str = "330100",
          sme: int | None = None, days_ago: int = 20) -> ClaimToSettle:  # fmt: skip
    n = next(_claims)
    at = datetime.now(UTC) - timedelta(days=days_ago)
    return ClaimToSettle(claim=n, reference=f"VC-2027-{n:06d}", payee=payee_id, provider=payee_id, sme=sme,
                         category=category, region=region, amount_minor=amount_minor, currency="CNY",
                         claimed_at=at, captured_at=at + timedelta(days=3))  # fmt: skip
