"""Paying by Stripe over HTTP: the official SDK against localstripe (started by the suite), its signed webhooks
delivered to our endpoint ten times and out of order, and a bad signature. What localstripe lacks is named in
tests/integrations/payments/stripe_support.py (LOCALSTRIPE_GAPS)."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from finance.contracts.tables import ContractDocument
from finance.licences.tables import Licence
from finance.payments.tables import PaymentEvent
from market.audit.tables import AuditEvent
from tests.conftest import Backend, make_account, sign_in
from tests.finance.support import LUMP, drain, offer
from tests.integrations.payments.stripe_support import sign

WEBHOOK = "/api/payments/stripe/webhook"


def crafted_event(event_type: str, intent_id: str, licence_id: int, status: str, created: int) -> bytes:
    """An event as Stripe shapes it (signed below with the endpoint's secret, as Stripe does)."""
    return json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "type": event_type,
            "created": created,
            "livemode": False,
            "api_version": "2026-10-28.endive",
            "data": {
                "object": {
                    "id": intent_id,
                    "object": "payment_intent",
                    "status": status,
                    "amount": 12_345_600,
                    "currency": "cny",
                    "metadata": {"licence_id": str(licence_id)},
                }
            },
        }
    ).encode()


async def take_licence(client, declaration_id: int) -> dict:
    sme = await make_account("sme", org_name="杭州智造科技有限公司")
    await sign_in(client, sme)
    r = await client.send_json(
        "POST", "/api/licences", {"declaration_id": declaration_id, "declaration_version": 1, "accept_terms": True}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def counts(licence_id: int) -> tuple[int, int, int]:
    activations = await AuditEvent.count().where(
        (AuditEvent.action == "finance.licence_activated") & (AuditEvent.entity_id == str(licence_id))
    )
    contracts = await ContractDocument.count().where(ContractDocument.licence == licence_id)
    events = await PaymentEvent.count()
    return int(activations), int(contracts), int(events)


async def test_one_webhook_delivered_ten_times_gives_one_activation_and_one_contract(
    backend: Backend, client, stripe_gateway, webhook_receiver
) -> None:
    _, _, declaration_id = await offer(LUMP)
    licence = await take_licence(client, declaration_id)
    r = await client.send_json("POST", f"/api/licences/{licence['id']}/payments", {"method": "card"})
    assert r.status_code == 201, r.text
    payment = r.json()
    assert payment["client_secret"] and payment["test_mode"] and payment["amount_minor"] == 12_345_600
    intent = payment["provider_id"]
    await stripe_gateway.confirm_test_payment(intent)  # the payer's browser, in test mode
    delivery = webhook_receiver.wait_for("payment_intent.succeeded", intent)  # signed by localstripe itself
    statuses = []
    for _ in range(10):
        r = await client.post(
            WEBHOOK,
            content=delivery.body,
            headers={"stripe-signature": delivery.signature, "content-type": "application/json"},
        )
        statuses.append(r.status_code)
    assert statuses == [202] + [200] * 9
    await drain()
    await client.app.state.job_queue.drain()
    assert await counts(licence["id"]) == (1, 1, 1)
    stored = await PaymentEvent.select().first()
    assert stored["deliveries"] == 10 and stored["processed_at"] is not None
    row = await Licence.select(Licence.status).where(Licence.id == licence["id"]).first()
    assert row["status"] == "active"
    r = await client.get(f"/api/licences/{licence['id']}/contract")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")


async def test_two_events_out_of_order_converge_on_the_payment_intents_state(
    backend: Backend, client, stripe_gateway
) -> None:
    _, _, declaration_id = await offer(LUMP)
    licence = await take_licence(client, declaration_id)
    payment = (await client.send_json("POST", f"/api/licences/{licence['id']}/payments", {"method": "card"})).json()
    intent = payment["provider_id"]
    now = int(time.time())
    # a "succeeded" event that arrives before the payer paid (a forged or misordered delivery): the job re-reads
    # the PaymentIntent, which has not succeeded, and activates nothing
    early = crafted_event("payment_intent.succeeded", intent, licence["id"], "succeeded", now + 5)
    r = await client.post(WEBHOOK, content=early, headers={"stripe-signature": sign(early)})
    assert r.status_code == 202
    await client.app.state.job_queue.drain()
    assert (await counts(licence["id"]))[:2] == (0, 0)
    await stripe_gateway.confirm_test_payment(intent)
    # then an older "processing" event arrives last: it is processed against the current state, succeeded
    late = crafted_event("payment_intent.processing", intent, licence["id"], "processing", now - 60)
    r = await client.post(WEBHOOK, content=late, headers={"stripe-signature": sign(late)})
    assert r.status_code == 202
    await client.app.state.job_queue.drain()
    assert await counts(licence["id"]) == (1, 1, 2)
    # and the first event delivered again changes nothing
    r = await client.post(WEBHOOK, content=early, headers={"stripe-signature": sign(early)})
    assert r.status_code == 200 and r.json()["duplicate"] is True
    await client.app.state.job_queue.drain()
    assert await counts(licence["id"]) == (1, 1, 2)


async def test_a_bad_signature_gets_400_and_changes_nothing(backend: Backend, client, stripe_gateway) -> None:
    _, _, declaration_id = await offer(LUMP)
    licence = await take_licence(client, declaration_id)
    payment = (await client.send_json("POST", f"/api/licences/{licence['id']}/payments", {"method": "card"})).json()
    await stripe_gateway.confirm_test_payment(payment["provider_id"])
    body = crafted_event(
        "payment_intent.succeeded", payment["provider_id"], licence["id"], "succeeded", int(time.time())
    )
    for signature in (sign(body, secret="whsec_wrong"), "t=1,v1=00", None):
        headers = {"stripe-signature": signature} if signature else {}
        r = await client.post(WEBHOOK, content=body, headers=headers)
        assert r.status_code == 400, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    await client.app.state.job_queue.drain()
    assert await counts(licence["id"]) == (0, 0, 0)
    row = await Licence.select(Licence.status).where(Licence.id == licence["id"]).first()
    assert row["status"] == "pending_payment"


async def test_test_mode_payment_activates_without_waiting_for_the_webhook(
    backend: Backend, client, stripe_gateway
) -> None:
    _, _, declaration_id = await offer(LUMP)
    licence = await take_licence(client, declaration_id)
    payment = (await client.send_json("POST", f"/api/licences/{licence['id']}/payments", {"method": "card"})).json()
    r = await client.send_json("POST", f"/api/licences/{licence['id']}/payments/{payment['id']}/test-pay")
    assert r.status_code == 200 and r.json()["status"] == "succeeded"
    await client.app.state.job_queue.drain()
    assert (await counts(licence["id"]))[:2] == (1, 1)


async def test_paying_twice_by_two_methods_never_counts_twice(backend: Backend, job_queue, stripe_gateway) -> None:
    from finance.ledger import service as ledger
    from finance.licences import service as licences
    from finance.payments import service as payments
    from finance.payments.schemas import PaymentStartIn
    from finance.payments.tables import LicencePayment
    from market.errors import Conflict
    from market.jobs import unit_of_work
    from tests.finance.support import admin, firm
    from tests.finance.test_licence_flow import request

    uni, _, declaration_id = await offer(LUMP)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
        transfer = await payments.start(
            principal=sme, licence_id=licence.id, data=PaymentStartIn(method="bank_transfer")
        )
        card = await payments.start(principal=sme, licence_id=licence.id, data=PaymentStartIn(method="card"))
    stale = await LicencePayment.select(LicencePayment.status).where(LicencePayment.id == transfer.id).first()
    assert stale["status"] == "canceled"  # one open attempt at a time: the card replaced the unpaid transfer
    async with unit_of_work():
        await payments.pay_in_test_mode(principal=sme, payment_id=card.id, licence_id=licence.id)
    await drain()
    # the payer had sent the transfer anyway: its money is received as refund_due, never lost nor counted twice
    async with unit_of_work():
        received = await payments.confirm_bank_transfer(principal=await admin(), payment_id=transfer.id)
    assert received.status == "refund_due"
    with pytest.raises(Conflict):  # confirmed again: a duplicate
        async with unit_of_work():
            await payments.confirm_bank_transfer(principal=await admin(), payment_id=transfer.id)
    await drain()
    books = await ledger.ledger(principal=uni)
    assert [line.gross_minor for line in books.lines] == [12_345_600]  # counted once
    assert [p.id for p in await payments.refunds_due()] == [transfer.id]
