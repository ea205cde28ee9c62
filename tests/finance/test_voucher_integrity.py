"""Integrity of voucher redemptions, on SQLite and PostgreSQL: a related-party redemption refused with its reason and
source; an entitlement expired at the moment of use refused although no nightly job ran; a voucher of another
programme, a negative or over-cap amount, a claim without its documents: a clear error naming the field, and nothing
written; a replayed idempotency key answers the first answer. Caps across claims under 20 parallel confirmations on
PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from finance.licences import service as licences
from finance.voucher_entitlements import service as entitlements
from finance.voucher_redemptions import checkout, claims, orders, rules, service
from finance.voucher_redemptions.schemas import LicenceVoucherIn
from finance.voucher_redemptions.tables import VoucherClaimCap, VoucherRedemption
from market.errors import Conflict, MarketError, ValidationFailed
from market.jobs import unit_of_work
from tests.conftest import Backend, Client, sign_in
from tests.finance.party_support import facts
from tests.finance.voucher_entitlement_support import assert_ledger_balanced
from tests.finance.voucher_programme_support import ZHEJIANG, open_programme
from tests.finance.voucher_redemption_support import (
    DOCS,
    confirm,
    order,
    provider_with_service,
    take_licence,
    world,
)


async def nothing_written(w: Any, licence_id: int | None = None) -> None:
    assert await VoucherRedemption.count() == 0
    balance = await entitlements.balance(w.entitlement.id)
    assert balance.held_minor == 0 and balance.available_minor == w.entitlement.granted_minor
    if licence_id is not None:
        licence = await licences.licence_by_id(licence_id)
        assert licence is not None and licence.voucher_cover_minor == 0


async def test_a_related_party_redemption_is_refused_with_its_reason(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(monkeypatch)
    licence_id = await take_licence(w)
    await facts(w.sme, phone="0571-8888 6666")
    await facts(w.university, phone="0571 88886666")  # the same number, written differently
    with pytest.raises(Conflict) as refused:
        async with unit_of_work():
            await checkout.choose_for_licence(principal=w.sme, licence_id=licence_id,
                                             data=LicenceVoucherIn(entitlement_id=w.entitlement.id))
    errors = {e.code: e for e in refused.value.errors}
    assert "parties.same_phone" in errors, refused.value.errors
    assert errors["parties.same_phone"].field == "provider" and errors["parties.same_phone"].article
    assert refused.value.message.code == "voucher_redemption.refused"
    await nothing_written(w, licence_id)


async def test_an_expired_entitlement_is_refused_at_the_moment_of_use(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order is placed while the entitlement is valid; the provider confirms after it expired (no nightly job
    ran): the hold is refused then, and nothing is held."""
    w = await world(monkeypatch, validity_months=1)
    who, service_id = await provider_with_service(w, monkeypatch)
    placed = await order(w, service_id)
    assert placed.status == "ordered"
    later = w.entitlement.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(service, "now", lambda: later)
    with pytest.raises(Conflict) as refused:
        await confirm(who, placed)
    assert refused.value.message.code == "voucher_redemption.entitlement_expired"
    found = await service.redemption_by_id(placed.id)
    assert found is not None and found.status == "ordered" and found.hold is None
    balance = await entitlements.balance(w.entitlement.id)
    assert balance.held_minor == 0 and balance.expired_minor == 0  # the nightly job has not run
    await assert_ledger_balanced(w.entitlement.id)


async def test_bad_input_gets_a_clear_error_and_nothing_is_written(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(monkeypatch)
    licence_id = await take_licence(w)
    not_positive, above = "voucher_redemption.amount_not_positive", "voucher_redemption.above_voucher_part"
    for amount, code in ((-100, not_positive), (0, not_positive), (1_000_001, above)):  # the part: 50% of CNY 20,000
        with pytest.raises(ValidationFailed) as bad:
            async with unit_of_work():
                await checkout.choose_for_licence(principal=w.sme, licence_id=licence_id,
                                                 data=LicenceVoucherIn(entitlement_id=w.entitlement.id,
                                                                       amount_minor=amount))  # fmt: skip
        assert [(e.field, e.code) for e in bad.value.errors] == [("amount_minor", code)]
    await nothing_written(w, licence_id)

    # a voucher of another programme: the service is catalogued in programme B, the entitlement is of A
    other = await open_programme(w.issuer, "other", {**ZHEJIANG, "name_zh": "另一项目（测试）"})  # words: data
    _, service_id = await provider_with_service(w, monkeypatch, programme_id=other)
    with pytest.raises(Conflict) as wrong:
        await order(w, service_id)
    codes = [e.code for e in wrong.value.errors]  # and its provider is not listed in the voucher's programme either
    assert codes[0] == rules.WRONG_PROGRAMME and set(codes) == {rules.WRONG_PROGRAMME, rules.PROVIDER_NOT_LISTED}
    await nothing_written(w, licence_id)


async def test_a_claim_without_its_documents_names_each_and_writes_nothing(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(monkeypatch)
    who, service_id = await provider_with_service(w, monkeypatch)
    held = await confirm(who, await order(w, service_id))
    async with unit_of_work():
        delivered = await orders.deliver(principal=who, redemption_id=held.id, expected_version=held.version,
                                          deliverable=DOCS["deliverable"])  # fmt: skip
    async with unit_of_work():
        accepted = await orders.accept(principal=w.sme, redemption_id=held.id, expected_version=delivered.version)
    with pytest.raises(ValidationFailed) as bad:
        async with unit_of_work():
            await claims.file_claim(principal=who, redemption_id=held.id, expected_version=accepted.version,
                                    documents={"invoice": DOCS["invoice"]})  # fmt: skip
    assert {e.field for e in bad.value.errors} == {"contract", "copay_proof"}  # the deliverable came at delivery
    found = await service.redemption_by_id(held.id)
    assert found is not None and found.status == "accepted" and found.case is None
    async with unit_of_work():
        filed = await claims.file_claim(principal=who, redemption_id=held.id, expected_version=accepted.version,
                                        documents={c: DOCS[c] for c in ("contract", "invoice", "copay_proof")})
    assert filed.status == "claimed" and filed.case is not None


async def test_a_replayed_idempotency_key_gets_the_first_answer(
    backend: Backend, client: Client, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await world(monkeypatch)
    licence_id = await take_licence(w)
    client.cookies.clear()
    await sign_in(client, w.sme_account)
    headers = {"x-csrftoken": await client.csrf(), "idempotency-key": "9b2f6a0e-0c1d-4e5f-8a9b-0c1d2e3f4a5b"}
    body = {"entitlement_id": w.entitlement.id}
    first = await client.post(f"/api/licences/{licence_id}/voucher", json=body, headers=headers)
    again = await client.post(f"/api/licences/{licence_id}/voucher", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and await VoucherRedemption.count() == 1
    assert (await entitlements.balance(w.entitlement.id)).held_minor == first.json()["voucher"]["minor"]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_cap_is_never_exceeded_under_twenty_parallel_claims(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 orders of one firm (CNY 5,000 each by voucher) confirmed at once under a per-year cap of CNY 20,000: four
    holds pass, the others are refused by the database (409), the cap row is exact and the ledger balances."""
    w = await world(monkeypatch, terms={**ZHEJIANG, "per_period_minor": 2_000_000})
    who, service_id = await provider_with_service(w, monkeypatch, price=1_000_000)
    placed = [await order(w, service_id) for _ in range(20)]

    async def outcome(found: Any) -> int:
        try:
            await confirm(who, found)
        except MarketError as exc:
            return exc.status
        return 200

    answers = await asyncio.gather(*(outcome(p) for p in placed))
    assert Counter(answers) == Counter({200: 4, 409: 16}), answers
    [cap] = await VoucherClaimCap.select().where(VoucherClaimCap.scope == "period")
    assert cap["reserved_minor"] == 2_000_000 <= cap["limit_minor"]
    balance = await entitlements.balance(w.entitlement.id)
    assert balance.held_minor == 2_000_000
    await assert_ledger_balanced(w.entitlement.id)
