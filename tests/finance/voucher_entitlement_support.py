"""Voucher entitlement test factories: an issuer, an SME and an entitlement issued directly (``service.issue``); an
issuer with two members and an open programme, an application and its approval through every tier; and the ledger's
invariant checked after every test that moves money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from finance.voucher_entitlements import applications
from finance.voucher_entitlements import service as entitlements
from finance.voucher_entitlements.records import EntitlementRecord
from finance.voucher_entitlements.schemas import ApplicationOut, ApplyIn, ApproveIn, MoveIn
from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.schemas import ProgrammeCreateIn
from market.accounts.principal import Principal
from market.audit.service import Actor
from market.jobs import unit_of_work
from market.kit.money import Money
from tests.conftest import make_account
from tests.finance.pledge_support import member_of
from tests.finance.support import principal_of


@dataclass
class Entitled:
    issuer: Principal
    sme: Principal
    entitlement: EntitlementRecord

    @property
    def id(self) -> int:
        return self.entitlement.id

    @property
    def sme_actor(self) -> Actor:
        return Actor(self.sme.user_id, self.sme.org_id)

    @property
    def issuer_actor(self) -> Actor:
        return Actor(self.issuer.user_id, self.issuer.org_id)


async def issuer(name: str = "杭州市科学技术局（测试）") -> Principal:
    return await principal_of(await make_account("voucher_issuer", org_name=name))


async def sme(name: str = "杭州青禾智能科技有限公司") -> Principal:
    return await principal_of(await make_account("sme", org_name=name))


async def entitled(
    minor: int = 10_000_000, *, issued_on: date | None = None, validity_months: int = 12, programme_id: int = 1,
    who: Principal | None = None, by: Principal | None = None,
) -> Entitled:
    """An entitlement of ``minor`` fen for an SME (new unless ``who``), issued by an issuer (new unless ``by``)."""
    owner = by or await issuer()
    firm = who or await sme()
    async with unit_of_work():
        made = await entitlements.issue(
            holder=firm.org_id, issuer=owner.org_id, programme_id=programme_id, programme_version=1,
            amount=Money("CNY", minor), issued_on=issued_on or date.today(), validity_months=validity_months,
            actor=Actor(owner.user_id, owner.org_id),
        )  # fmt: skip
    return Entitled(owner, firm, made)


async def assert_ledger_balanced(entitlement_id: int) -> None:
    """The entries sum to the guard, and the guard is what the entries leave available (never below zero)."""
    found = await entitlements.entitlement(entitlement_id)
    balance = await entitlements.balance(entitlement_id)
    entries = await entitlements.ledger(entitlement_id)
    sign = {"grant": 1, "hold": -1, "release": 1, "capture": 0, "expire": -1, "revoke": -1, "payout": 0}
    by_hand = sum(sign[e.kind] * e.amount_minor for e in entries)
    assert balance.available_minor == found.available_minor == by_hand, (balance, found.available_minor, by_hand)
    assert balance.available_minor >= 0 and balance.held_minor >= 0
    assert (balance.available_minor + balance.held_minor + balance.captured_minor + balance.expired_minor
            + balance.revoked_minor) == balance.granted_minor == found.granted_minor  # fmt: skip
    holds = await entitlements.holds(entitlement_id)
    assert sum(h.amount_minor for h in holds if h.status == "held") == balance.held_minor
    assert sum(h.captured_minor for h in holds if h.status == "captured") == balance.captured_minor
    assert sum(h.paid_minor for h in holds) == balance.paid_out_minor <= balance.captured_minor


# ------------------------------------------------------------------------------------- applications


@dataclass
class Issuing:
    """A voucher issuer with a maker and a checker (two members: four eyes) and one of its open programmes."""

    maker: Principal
    checker: Principal
    programme_id: int


TERMS: dict[str, Any] = {
    "name_zh": "杭州市科技创新券（测试）",
    "name_en": "Hangzhou innovation voucher (test)",
    "mode": "provider_redeems",
    "value_kind": "amount",
    "categories": {"tech_results": {"share_bp": 5000}},
    "per_claim_minor": 2_000_000,
    "validity_months": 12,
    "budget_minor": 100_000_000,
    "review_tiers": ["district", "city"],
    "favoured": ["specialised"],
    "declaration_zh": "本企业承诺：该项目未获得其他财政资金支持。",
    "declaration_en": "We declare the project has no other public funding.",
}


async def issuing(name: str = "杭州市科学技术局（测试）", **terms: Any) -> Issuing:
    """An issuer (maker and checker) with an open programme on ``TERMS`` (overridden by ``terms``)."""
    maker = await issuer(name)
    checker = await member_of(maker, email=f"checker-{maker.org_id}@issuer.example.cn")
    async with unit_of_work():
        made = await programmes.create_programme(
            principal=maker, data=ProgrammeCreateIn(code=f"p-{maker.org_id}", **{**TERMS, **terms})
        )
        await programmes.change_status(principal=maker, programme_id=made.id, action="open", expected_version=1)
    return Issuing(maker, checker, made.id)


async def applied(
    firm: Principal, issuing_: Issuing, amount_minor: int = 5_000_000, **more: Any
) -> ApplicationOut:
    async with unit_of_work():
        return await applications.apply(principal=firm, data=ApplyIn(
            programme_id=issuing_.programme_id, amount_minor=amount_minor, purpose="购买开放许可专利的实施许可",
            declarations=["no_double_funding"], **more))  # fmt: skip


async def approved_through_tiers(issuing_: Issuing, application_id: int) -> ApplicationOut:
    """Every tier approves (the maker acting alone: below the four-eyes threshold)."""
    who = issuing_.maker
    async with unit_of_work():
        found = await applications.get_application(principal=who, application_id=application_id)
        found = await applications.start_review(principal=who, application_id=application_id,
                                                data=MoveIn(expected_version=found.version))  # fmt: skip
    while found.state == "in_review":
        async with unit_of_work():
            found = await applications.approve(principal=who, application_id=application_id,
                                               data=ApproveIn(expected_version=found.version))  # fmt: skip
    return found
