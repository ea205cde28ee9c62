"""The licence checkout paying the voucher's share, end to end through the services on SQLite and PostgreSQL: the
SME holds 50% of a lump sum on its entitlement, pays the other 50% by bank transfer (which alone activates the
licence), the university files the claim (the contract and the proof of co-pay attached by the platform), the
issuer approves and the hold is captured; settlements read it once. Cancelling a licence releases its hold."""

from __future__ import annotations

from typing import Any

import pytest

from finance.dossiers import service as dossiers
from finance.licences import service as licences
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from finance.voucher_entitlements import service as entitlements
from finance.voucher_redemptions import checkout, claims, service
from finance.voucher_redemptions.schemas import ApproveIn, LicenceVoucherIn, VersionIn
from finance.voucher_redemptions.tables import VoucherRedemption
from market.audit.service import Actor
from market.errors import Conflict
from market.jobs import unit_of_work
from tests.finance.support import admin, drain
from tests.finance.voucher_entitlement_support import assert_ledger_balanced
from tests.finance.voucher_redemption_support import DOCS, LICENCE_PRICE, take_licence, world

HALF = LICENCE_PRICE // 2


async def test_half_by_voucher_half_by_bank_transfer_activates_the_licence_and_the_claim_is_captured(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(monkeypatch)
    licence_id = await take_licence(w)
    async with unit_of_work():
        held = await checkout.choose_for_licence(principal=w.sme, licence_id=licence_id,
                                                data=LicenceVoucherIn(entitlement_id=w.entitlement.id))
    assert held.status == "held" and held.voucher_minor == HALF and held.hold_ref == f"licence:{licence_id}"
    balance = await entitlements.balance(w.entitlement.id)
    assert balance.held_minor == HALF and balance.available_minor == w.entitlement.granted_minor - HALF
    licence = await licences.licence_by_id(licence_id)
    assert licence is not None and licence.voucher_cover_minor == HALF and licence.status == "pending_payment"

    async with unit_of_work():  # the same choice again: the same redemption, nothing held twice
        again = await checkout.choose_for_licence(principal=w.sme, licence_id=licence_id,
                                                 data=LicenceVoucherIn(entitlement_id=w.entitlement.id))
    assert again.id == held.id and await VoucherRedemption.count() == 1

    async with unit_of_work():  # the bank transfer asks for the rest only
        transfer = await payments.start(principal=w.sme, licence_id=licence_id,
                                        data=PaymentStartIn(method="bank_transfer"))
    assert transfer.amount_minor == LICENCE_PRICE - HALF
    async with unit_of_work():
        await payments.confirm_bank_transfer(principal=await admin(), payment_id=transfer.id)
    licence = await licences.licence_by_id(licence_id)
    assert licence is not None and licence.status == "active"
    await drain()  # the contract is rendered (licence.activated)

    found = await service.redemption_by_id(held.id)
    assert found is not None
    async with unit_of_work():
        filed = await claims.file_claim(principal=w.university, redemption_id=found.id,
                                        expected_version=found.version,
                                        documents={"invoice": DOCS["invoice"], "deliverable": DOCS["deliverable"]})
    assert filed.status == "claimed" and filed.case is not None
    assert filed.copay["payment_id"] == transfer.id and filed.copay["amount_minor"] == LICENCE_PRICE - HALF
    docs = {d.requirement: d for d in await dossiers.documents(filed.case)}
    assert set(docs) == set(service.DOCUMENT_CODES)  # the four, two of them attached by the platform
    assert docs["copay_proof"].status == "verified" and docs["contract"].status == "verified"

    out = await claims.get(principal=w.issuer, redemption_id=filed.id)
    async with unit_of_work():
        await claims.start_review(principal=w.issuer, redemption_id=filed.id,
                                  data=VersionIn(expected_version=out.claim_version or 0))
    out = await claims.get(principal=w.issuer, redemption_id=filed.id)
    async with unit_of_work():
        await claims.approve(principal=w.issuer, redemption_id=filed.id,
                             data=ApproveIn(expected_version=out.claim_version or 0))
    captured = await service.redemption_by_id(filed.id)
    assert captured is not None and captured.status == "captured" and captured.captured_minor == HALF
    balance = await entitlements.balance(w.entitlement.id)
    assert balance.captured_minor == HALF and balance.held_minor == 0
    await assert_ledger_balanced(w.entitlement.id)

    unsettled = await service.captured_unsettled(w.programme_id, up_to=service.today())
    assert [(c.claim_id, c.payee_org, c.amount_minor, c.category) for c in unsettled] == [
        (filed.id, w.university.org_id, HALF, "tech_results")
    ]
    assert unsettled[0].reference == filed.reference and filed.reference.startswith("VC-")
    actor = Actor(w.issuer.user_id, w.issuer.org_id)
    async with unit_of_work():
        await service.mark_settled([filed.id], 7, actor)
    with pytest.raises(Conflict):  # a claim is in one batch at most
        async with unit_of_work():
            await service.mark_settled([filed.id], 8, actor)
    assert await service.captured_unsettled(w.programme_id, up_to=service.today()) == []
    [row] = await service.claims_for_report(w.programme_id)
    assert (row.status, row.count, row.captured_minor, row.settled_count) == ("captured", 1, HALF, 1)
    [read] = await service.captured_claims([filed.id])
    assert read.hold_id == captured.hold and read.settled_batch == 7
    groups = await service.captured_by(w.programme_id)
    assert [(g.key, g.claims, g.captured_minor) for g in groups["category"]] == [("tech_results", 1, HALF)]
    assert [g.key for g in groups["provider"]] == [str(w.university.org_id)]


async def test_cancelling_the_licence_releases_the_hold_and_clears_the_cover(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(monkeypatch)
    licence_id = await take_licence(w)
    async with unit_of_work():
        held = await checkout.choose_for_licence(principal=w.sme, licence_id=licence_id,
                                                data=LicenceVoucherIn(entitlement_id=w.entitlement.id))
    async with unit_of_work():
        await licences.cancel(principal=w.sme, licence_id=licence_id)
    await drain()  # licence.cancelled
    found = await service.redemption_by_id(held.id)
    assert found is not None and found.status == "cancelled" and found.live_key is None
    balance = await entitlements.balance(w.entitlement.id)
    assert balance.held_minor == 0 and balance.available_minor == w.entitlement.granted_minor
    licence = await licences.licence_by_id(licence_id)
    assert licence is not None and licence.voucher_cover_minor == 0
    assert not await checkout.licence_cancelled(licence_id=licence_id)  # the event again: nothing more
    await assert_ledger_balanced(w.entitlement.id)


async def test_withdrawing_the_voucher_makes_the_whole_amount_due_again(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(monkeypatch)
    licence_id = await take_licence(w)
    async with unit_of_work():
        await checkout.choose_for_licence(principal=w.sme, licence_id=licence_id,
                                         data=LicenceVoucherIn(entitlement_id=w.entitlement.id, amount_minor=300_000))
    async with unit_of_work():
        first = await payments.start(principal=w.sme, licence_id=licence_id,
                                     data=PaymentStartIn(method="bank_transfer"))
    assert first.amount_minor == LICENCE_PRICE - 300_000
    async with unit_of_work():
        await checkout.withdraw_for_licence(principal=w.sme, licence_id=licence_id)
    async with unit_of_work():  # the open attempt of the old amount was canceled: a new one asks for all of it
        second = await payments.start(principal=w.sme, licence_id=licence_id,
                                      data=PaymentStartIn(method="bank_transfer"))
    assert second.id != first.id and second.amount_minor == LICENCE_PRICE
    assert (await payments.payment_by_id(first.id)).status == "canceled"  # type: ignore[union-attr]
    assert (await entitlements.balance(w.entitlement.id)).held_minor == 0


async def test_a_full_payment_arriving_after_the_voucher_was_chosen_releases_the_hold(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transfer of the whole amount was asked for first; the SME then chose the voucher (that attempt canceled);
    the money of the first transfer still arrives and activates the licence: the voucher pays nothing."""
    w = await world(monkeypatch)
    licence_id = await take_licence(w)
    async with unit_of_work():
        whole = await payments.start(principal=w.sme, licence_id=licence_id,
                                     data=PaymentStartIn(method="bank_transfer"))
    async with unit_of_work():
        held = await checkout.choose_for_licence(principal=w.sme, licence_id=licence_id,
                                                 data=LicenceVoucherIn(entitlement_id=w.entitlement.id))
    assert (await payments.payment_by_id(whole.id)).status == "canceled"  # type: ignore[union-attr]
    async with unit_of_work():
        await payments.confirm_bank_transfer(principal=await admin(), payment_id=whole.id)
    await drain()  # licence.activated
    found = await service.redemption_by_id(held.id)
    assert found is not None and found.status == "cancelled"
    assert found.refusal == ["voucher_redemption.closed.paid_in_full"]
    licence = await licences.licence_by_id(licence_id)
    assert licence is not None and licence.status == "active" and licence.voucher_cover_minor == 0
    assert (await entitlements.balance(w.entitlement.id)).held_minor == 0
    await assert_ledger_balanced(w.entitlement.id)
