"""Voucher settlement factories: an issuer with a maker and a checker, payees with or without an account, and
captured claims to settle (as ``finance.voucher_redemptions`` hands them over)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from finance.voucher_redemptions import checkout, claims
from finance.voucher_redemptions import service as redemptions
from finance.voucher_redemptions.schemas import ApproveIn, LicenceVoucherIn, VersionIn
from finance.voucher_redemptions.tables import VoucherRedemption
from finance.voucher_settlements.records import ClaimToSettle
from finance.voucher_settlements.service import ProgrammeInfo
from market.accounts.principal import Principal
from market.jobs import unit_of_work
from market.orgs import repository as orgs_repo
from tests.conftest import make_account
from tests.finance.pledge_support import member_of
from tests.finance.support import admin, drain, payee_account, principal_of
from tests.finance.voucher_redemption_support import DOCS, World, take_licence, world


@dataclass(frozen=True)
class Issuer:
    maker: Principal
    checker: Principal
    maker_email: str
    checker_email: str


async def issuer(name: str = "杭州市科学技术局（测试）") -> Issuer:
    account = await make_account("voucher_issuer", org_name=name)
    maker = await principal_of(account)
    email = f"checker-{maker.org_id}@issuer.example.cn"
    checker = await member_of(maker, email=email)
    return Issuer(maker=maker, checker=checker, maker_email=account.email, checker_email=email)


async def payee(kind: str = "university", name: str | None = None, *, account: bool = True,
                email: str | None = None) -> Principal:  # fmt: skip
    principal = await principal_of(await make_account(kind, org_name=name, email=email))
    if account:
        await payee_account(principal, number=f"62220000{principal.org_id:010d}")
    return principal


def programme(owner: Principal, programme_id: int = 7, cycle: str = "half_yearly") -> ProgrammeInfo:
    name = "浙江省科技创新券（测试）"
    return ProgrammeInfo(id=programme_id, issuer=owner.org_id, name=name, currency="CNY", cycle=cycle)


_claims = iter(range(1, 10_000_000))


async def claim(payee_id: int, amount_minor: int, *, category: str = "tech_results", region: str = "330100",
                sme: int | None = None, days_ago: int = 20, programme_id: int = 7) -> ClaimToSettle:  # fmt: skip
    """A captured claim as ``finance.voucher_redemptions`` hands it over, its row written straight into that
    module's table (captured, in no batch; the full journey is ``captured_through_checkout``'s)."""
    n = next(_claims)
    at = datetime.now(UTC) - timedelta(days=days_ago)
    if sme is None:
        async with unit_of_work():
            sme = await orgs_repo.create_org(name=f"兑付企业{n}", kind="sme", region=region, name_key=f"兑付企业{n}",
                                             status="approved")  # fmt: skip
    reference = f"VC-2027-{n:06d}"
    async with unit_of_work():
        made = await VoucherRedemption.insert(VoucherRedemption(
            source="service", programme=programme_id, entitlement=0, sme=sme, provider=payee_id, payee=payee_id,
            issuer=0, category=category, price_minor=amount_minor * 2, currency="CNY", share_bp=5000,
            voucher_minor=amount_minor, captured_minor=amount_minor, region=region, status="captured",
            reference=reference, claimed_at=at, captured_at=at + timedelta(days=3),
        )).returning(VoucherRedemption.id)  # fmt: skip
    return ClaimToSettle(claim=int(made[0]["id"]), reference=reference, payee=payee_id, provider=payee_id, sme=sme,
                         category=category, region=region, amount_minor=amount_minor, currency="CNY",
                         claimed_at=at, captured_at=at + timedelta(days=3))  # fmt: skip


async def captured_through_checkout(monkeypatch: pytest.MonkeyPatch) -> tuple[World, int]:
    """The acceptance journey up to the capture, through the services: a university's licence paid 50% by voucher
    and 50% by bank transfer, its claim filed and approved (the hold captured). Returns the world and the claim."""
    w = await world(monkeypatch)
    licence_id = await take_licence(w)
    async with unit_of_work():
        held = await checkout.choose_for_licence(principal=w.sme, licence_id=licence_id,
                                                data=LicenceVoucherIn(entitlement_id=w.entitlement.id))
    async with unit_of_work():
        transfer = await payments.start(principal=w.sme, licence_id=licence_id,
                                        data=PaymentStartIn(method="bank_transfer"))
    async with unit_of_work():
        await payments.confirm_bank_transfer(principal=await admin(), payment_id=transfer.id)
    await drain()  # the contract is rendered (licence.activated)
    found = await redemptions.redemption_by_id(held.id)
    assert found is not None
    async with unit_of_work():
        filed = await claims.file_claim(principal=w.university, redemption_id=found.id,
                                        expected_version=found.version,
                                        documents={"invoice": DOCS["invoice"], "deliverable": DOCS["deliverable"]})
    out = await claims.get(principal=w.issuer, redemption_id=filed.id)
    async with unit_of_work():
        await claims.start_review(principal=w.issuer, redemption_id=filed.id,
                                  data=VersionIn(expected_version=out.claim_version or 0))
    out = await claims.get(principal=w.issuer, redemption_id=filed.id)
    async with unit_of_work():
        await claims.approve(principal=w.issuer, redemption_id=filed.id,
                             data=ApproveIn(expected_version=out.claim_version or 0))
    return w, filed.id
