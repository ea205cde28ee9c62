"""Voucher redemption test factories: a programme with a listed university and a listed service provider, an SME with
an entitlement, a licence waiting for payment, service orders, and the documents of a claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
from finance.voucher_entitlements.records import EntitlementRecord
from finance.voucher_providers import service as providers
from finance.voucher_providers.schemas import ServiceIn
from finance.voucher_redemptions import orders, service
from finance.voucher_redemptions.records import RedemptionRecord, Upload
from finance.voucher_redemptions.schemas import OrderIn
from market.accounts.principal import Principal
from market.jobs import unit_of_work
from tests.conftest import Account, make_account
from tests.finance import voucher_entitlement_support as ve
from tests.finance import voucher_programme_support as vp
from tests.finance.support import offer, principal_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DOCS = {code: Upload(f"{code}.pdf", "application/pdf", PDF) for code in service.DOCUMENT_CODES}
LICENCE_PRICE = 2_000_000  # CNY 20,000: the Zhejiang test programme pays 50%, CNY 10,000 (under its per-claim cap)


@dataclass
class World:
    issuer: Principal
    programme_id: int
    university: Principal
    declaration_id: int
    sme: Principal
    entitlement: EntitlementRecord
    sme_account: Account
    accounts: dict[int, Account]  # by organisation: whom a page test signs in as


async def world(
    monkeypatch: pytest.MonkeyPatch, *, price: int = LICENCE_PRICE, terms: dict[str, Any] | None = None,
    granted: int = 10_000_000, issued_on: date | None = None, validity_months: int = 12,
) -> World:
    """An issuer's open programme (the Zhejiang test terms: tech_results at 50%), the university listed in it with an
    open licence at ``price`` (lump sum), and an SME holding an entitlement of ``granted`` fen."""
    issuer_account = await make_account("voucher_issuer", org_name="杭州市科技局（测试）")
    owner = await principal_of(issuer_account)
    programme_id = await vp.open_programme(owner, "zj", terms)
    uni, _, declaration_id = await offer({"payment_mode": "lump_sum", "lump_sum_minor": price})
    await vp.listed(owner, uni, programme_id, monkeypatch)
    account = await make_account("sme", org_name="杭州青禾智能科技有限公司")
    firm = await principal_of(account)
    made = await ve.entitled(granted, programme_id=programme_id, who=firm, by=owner, issued_on=issued_on,
                             validity_months=validity_months)  # fmt: skip
    return World(owner, programme_id, uni, declaration_id, firm, made.entitlement, account,
                 {owner.org_id: issuer_account, firm.org_id: account})


async def take_licence(w: World) -> int:
    async with unit_of_work():
        out = await licences.request_licence(principal=w.sme, data=LicenceRequestIn(
            declaration_id=w.declaration_id, declaration_version=1, accept_terms=True))
    return out.id


async def provider_with_service(w: World, monkeypatch: pytest.MonkeyPatch, *, category: str = "novelty_search",
                                price: int = 1_000_000, programme_id: int | None = None) -> tuple[Principal, int]:
    """A service provider listed in the programme with one catalogued service."""
    account = await make_account("service_provider")
    who = await principal_of(account)
    w.accounts[who.org_id] = account
    provider_id = await vp.listed(w.issuer, who, programme_id or w.programme_id, monkeypatch)
    async with unit_of_work():
        made = await providers.publish_service(principal=who, provider_id=provider_id, data=service_in(category, price))
    return who, made.id


def service_in(category: str, price: int) -> ServiceIn:
    return ServiceIn(category=category, title_zh="专利查新检索（测试）", unit="项", price_minor=price)


async def order(w: World, service_id: int, amount: int | None = None) -> RedemptionRecord:
    async with unit_of_work():
        return await orders.order(principal=w.sme, data=OrderIn(service_id=service_id, entitlement_id=w.entitlement.id,
                                                                 amount_minor=amount))


async def confirm(who: Principal, found: RedemptionRecord) -> RedemptionRecord:
    async with unit_of_work():
        return await orders.confirm(principal=who, redemption_id=found.id, expected_version=found.version)

