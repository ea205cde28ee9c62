"""Catalogued service orders and the reimbursed mode through the services, on SQLite and PostgreSQL: order, the
provider confirms (held), delivers (hashed), the SME accepts, the provider files, the issuer refuses (released, a
decision letter) or approves (captured); an outsized share alerts the issuer once; above the programme's threshold a
second member approves (never the maker); a licence's share refused leaves the licence active and tells both parties;
in the reimbursed mode the SME files itself and is the payee; the pages of the SME, the provider and the issuer, and
the licence page's card."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from finance.letters import service as letters
from finance.licences import service as licences
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from finance.voucher_entitlements import service as entitlements
from finance.voucher_redemptions import checkout, claims, orders, rules, service
from finance.voucher_redemptions.schemas import ApproveIn, CheckIn, LicenceVoucherIn, RefuseIn, ReimburseIn, VersionIn
from finance.voucher_redemptions.tables import VoucherShareAlert
from market.errors import Conflict, Forbidden
from market.jobs import unit_of_work
from market.notifications.tables import Notification
from tests.conftest import Client, sign_in
from tests.finance.pledge_support import member_of
from tests.finance.support import admin, drain
from tests.finance.voucher_entitlement_support import assert_ledger_balanced
from tests.finance.voucher_programme_support import ZHEJIANG
from tests.finance.voucher_redemption_support import (
    DOCS,
    World,
    confirm,
    order,
    provider_with_service,
    take_licence,
    world,
)

PRICE = 1_000_000  # CNY 10,000: the voucher pays 50%


async def delivered_and_filed(w: World, who: Any, service_id: int) -> Any:
    held = await confirm(who, await order(w, service_id))
    async with unit_of_work():
        delivered = await orders.deliver(principal=who, redemption_id=held.id, expected_version=held.version,
                                          deliverable=DOCS["deliverable"])  # fmt: skip
    async with unit_of_work():
        accepted = await orders.accept(principal=w.sme, redemption_id=held.id, expected_version=delivered.version)
    async with unit_of_work():
        return await claims.file_claim(principal=who, redemption_id=held.id, expected_version=accepted.version,
                                       documents={c: DOCS[c] for c in ("contract", "invoice", "copay_proof")})


async def in_review(w: World, redemption_id: int) -> int:
    out = await claims.get(principal=w.issuer, redemption_id=redemption_id)
    async with unit_of_work():
        await claims.start_review(principal=w.issuer, redemption_id=redemption_id,
                                  data=VersionIn(expected_version=out.claim_version or 0))
    return (await claims.get(principal=w.issuer, redemption_id=redemption_id)).claim_version or 0


async def test_an_order_refused_is_released_and_one_approved_is_captured_with_one_share_alert(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(monkeypatch)
    who, service_id = await provider_with_service(w, monkeypatch, price=PRICE)
    monkeypatch.setattr(rules, "SHARE_ALERT_MIN_CLAIMS", 1)

    refused = await delivered_and_filed(w, who, service_id)
    out = await claims.get(principal=who, redemption_id=refused.id)
    assert out.deliverable_sha256 == hashlib.sha256(DOCS["deliverable"].content).hexdigest()
    assert {d.requirement for d in out.documents} == set(service.DOCUMENT_CODES)
    version = await in_review(w, refused.id)
    async with unit_of_work():
        await claims.refuse(principal=w.issuer, redemption_id=refused.id, data=RefuseIn(
            expected_version=version, reasons=["voucher_redemption.refusal.not_delivered"]))
    found = await service.redemption_by_id(refused.id)
    assert found is not None and found.status == "refused"
    assert found.refusal == ["voucher_redemption.refusal.not_delivered"]
    assert (await entitlements.balance(w.entitlement.id)).held_minor == 0
    assert found.case is not None and await letters.letters_of_case(found.case)

    captured = await delivered_and_filed(w, who, service_id)
    version = await in_review(w, captured.id)
    async with unit_of_work():
        await claims.approve(principal=w.issuer, redemption_id=captured.id,
                             data=ApproveIn(expected_version=version, amount_minor=400_000))  # less than held
    found = await service.redemption_by_id(captured.id)
    assert found is not None and found.status == "captured" and found.captured_minor == 400_000
    balance = await entitlements.balance(w.entitlement.id)
    assert balance.captured_minor == 400_000 and balance.held_minor == 0
    assert balance.available_minor == w.entitlement.granted_minor - 400_000
    caps = {c.scope: c for c in await service.caps_of_firm(w.sme.org_id)}
    assert caps["period"].reserved_minor == caps["period"].captured_minor == 400_000
    await assert_ledger_balanced(w.entitlement.id)
    assert await VoucherShareAlert.count() == 1  # one provider holds 100% of the period: told once
    alerts = await Notification.select().where(Notification.code == "voucher_redemption.notice.outsized_share")
    assert len(alerts) == len({a["user"] for a in alerts}) >= 1


async def test_the_reimbursed_mode_pays_the_sme(backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    w = await world(monkeypatch, terms={**ZHEJIANG, "mode": "enterprise_reimbursed"})
    _, service_id = await provider_with_service(w, monkeypatch, price=PRICE)
    data = ReimburseIn(service_id=service_id, entitlement_id=w.entitlement.id)
    async with unit_of_work():
        filed = await claims.claim_reimbursement(principal=w.sme, data=data, documents=DOCS)
    assert filed.source == "reimbursed" and filed.status == "claimed" and filed.payee == w.sme.org_id
    assert filed.voucher_minor == PRICE // 2
    version = await in_review(w, filed.id)
    async with unit_of_work():
        await claims.approve(principal=w.issuer, redemption_id=filed.id, data=ApproveIn(expected_version=version))
    [line] = await service.captured_unsettled(w.programme_id, up_to=service.today())
    assert (line.claim_id, line.payee_org, line.amount_minor) == (filed.id, w.sme.org_id, PRICE // 2)
    with pytest.raises(Conflict) as wrong_mode:  # a provider-redeems order is refused in this programme
        await order(w, service_id)
    assert rules.MODE_MISMATCH in {e.code for e in wrong_mode.value.errors}


async def test_the_pages_of_the_three_parties(
    backend: Any, client: Client, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(monkeypatch)
    licence_id = await take_licence(w)
    client.cookies.clear()
    await sign_in(client, w.sme_account)
    page = await client.get(f"/licences/{licence_id}")
    assert page.status_code == 200 and f'id="voucher-form-{w.entitlement.id}"' in page.text
    answer = await client.post(f"/licences/{licence_id}/voucher", data={"entitlement_id": str(w.entitlement.id),
                                                                        "amount": "-5"},
                               headers={"x-csrftoken": await client.csrf()})  # fmt: skip
    assert answer.status_code == 400 and 'class="field-error"' in answer.text  # beside the field, nothing held
    answer = await client.post(f"/licences/{licence_id}/voucher", data={"entitlement_id": str(w.entitlement.id)},
                               headers={"x-csrftoken": await client.csrf()}, follow_redirects=True)
    assert answer.status_code == 200 and 'id="voucher-held"' in answer.text
    assert 'id="pay-amount" data-minor="1000000"' in answer.text  # the rest only
    orders = await client.get("/sme/vouchers/orders")
    assert orders.status_code == 200 and 'id="order-form"' in orders.text
    [found] = await service.of_org(principal=w.sme)
    one = await client.get(f"/sme/vouchers/orders/{found.id}")
    assert one.status_code == 200 and 'id="redemption-voucher" data-minor="1000000"' in one.text
    who, service_id = await provider_with_service(w, monkeypatch, price=PRICE)
    placed = await order(w, service_id)
    client.cookies.clear()
    await sign_in(client, w.accounts[who.org_id])
    listing = await client.get("/provider/voucher-claims")
    assert listing.status_code == 200 and f'id="redemption-{placed.id}"' in listing.text
    answer = await client.post(f"/provider/voucher-claims/{placed.id}/confirm",
                               data={"expected_version": str(placed.version)},
                               headers={"x-csrftoken": await client.csrf()}, follow_redirects=True)
    assert answer.status_code == 200 and 'data-status="held"' in answer.text and 'id="deliver-form"' in answer.text
    client.cookies.clear()
    await sign_in(client, w.accounts[w.issuer.org_id])
    queue = await client.get("/issuer/voucher-claims")
    assert queue.status_code == 200


async def test_above_the_threshold_a_second_member_approves_and_the_maker_cannot(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(monkeypatch, terms={**ZHEJIANG, "approval_thresholds": [{"above_minor": 100_000, "approvals": 1}]})
    who, service_id = await provider_with_service(w, monkeypatch, price=PRICE)
    filed = await delivered_and_filed(w, who, service_id)
    version = await in_review(w, filed.id)
    async with unit_of_work():
        await claims.approve(principal=w.issuer, redemption_id=filed.id, data=ApproveIn(expected_version=version))
    out = await claims.get(principal=w.issuer, redemption_id=filed.id)
    assert out.claim_state == "proposed" and out.pending_proposal_id and out.status == "claimed"
    assert (await entitlements.balance(w.entitlement.id)).held_minor == PRICE // 2  # nothing captured yet
    check = CheckIn(expected_version=out.claim_version or 0, proposal_id=out.pending_proposal_id)
    with pytest.raises(Forbidden):
        async with unit_of_work():
            await claims.check(principal=w.issuer, redemption_id=filed.id, data=check)
    checker = await member_of(w.issuer, email="voucher-checker@example.cn")
    async with unit_of_work():
        await claims.check(principal=checker, redemption_id=filed.id, data=check)
    found = await service.redemption_by_id(filed.id)
    assert found is not None and found.status == "captured" and found.captured_minor == PRICE // 2
    await assert_ledger_balanced(w.entitlement.id)


async def test_a_licence_share_refused_leaves_the_licence_active_and_tells_both(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    await drain()
    found = await service.redemption_by_id(held.id)
    assert found is not None
    async with unit_of_work():
        await claims.file_claim(principal=w.university, redemption_id=found.id, expected_version=found.version,
                                documents={"invoice": DOCS["invoice"], "deliverable": DOCS["deliverable"]})
    version = await in_review(w, found.id)
    async with unit_of_work():
        await claims.refuse(principal=w.issuer, redemption_id=found.id, data=RefuseIn(
            expected_version=version, reasons=["voucher_redemption.refusal.documents_insufficient"]))
    licence = await licences.licence_by_id(licence_id)
    assert licence is not None and licence.status == "active"
    assert (await entitlements.balance(w.entitlement.id)).held_minor == 0
    told = await Notification.select(Notification.user).where(
        Notification.code == "voucher_redemption.notice.refused_licence")
    assert len(told) == 2  # the university's owner and the SME's owner
