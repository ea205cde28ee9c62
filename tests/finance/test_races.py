"""Money exactly once, under 20 parallel requests on PostgreSQL (API tests run there only): one transfer, one
PaymentIntent, one success (one audit event, one ledger entry), one royalty report per quarter, one payment per
royalty invoice; every duplicate a 409 problem, never a 500. Money received for something no longer due is
``refund_due`` and on the admin's refund list. A service-level race of the Stripe paths runs on both databases."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from finance.ledger.tables import LedgerEntry
from finance.licences import service as licences
from finance.payments import gateways
from finance.payments import repository as payments_repo
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from finance.payments.tables import LicencePayment, PaymentEvent
from finance.piccolo_migrations import finance_0009_payment_exactly_once as migration
from finance.royalties.tables import RoyaltyReport
from market.audit.tables import AuditEvent
from market.integrations.payments import StripeConfig, StripeGateway
from market.jobs import unit_of_work
from tests.conftest import Account, Backend, Client, make_account, sign_in
from tests.finance.support import LUMP, ROYALTY, drain, firm, offer
from tests.finance.test_licence_flow import request
from tests.finance.test_stripe_flow import WEBHOOK, crafted_event
from tests.integrations.payments.stripe_support import API_KEY, WEBHOOK_SECRET, LocalstripeTransport, sign

N = 20


@pytest.fixture
def stripe_transport(backend: Any, localstripe_url: str) -> LocalstripeTransport:
    """Stripe through localstripe, keeping the transport to count what was sent to Stripe."""
    transport = LocalstripeTransport()
    config = StripeConfig(
        api_key=API_KEY,
        webhook_secret=WEBHOOK_SECRET,
        api_base=localstripe_url,
        platform_fee_bp=500,
        max_network_retries=0,
    )
    gateways.use_stripe(StripeGateway(config, http_client=transport))
    return transport


def intents_created(transport: LocalstripeTransport) -> int:
    return sum(1 for s in transport.sent if s.method.lower() == "post" and s.url.endswith("/v1/payment_intents"))


async def fire(client: Client, method: str, url: str, body: Any = None, **kw: Any) -> list[Any]:
    token = await client.csrf()
    headers = {"x-csrftoken": token, **kw.pop("headers", {})}
    return list(
        await asyncio.gather(*(client.request(method, url, json=body, headers=headers, **kw) for _ in range(N)))
    )


def statuses(answers: list[Any]) -> Counter[int]:
    return Counter(a.status_code for a in answers)


def conflicts_are_problems(answers: list[Any]) -> None:
    for answer in answers:
        if answer.status_code == 409:
            assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
            assert answer.json()["status"] == 409


async def take(client: Client, terms: dict[str, Any]) -> tuple[Account, int]:
    """A firm signed in on ``client`` takes a licence on ``terms``: the firm and the licence's id."""
    _, _, declaration_id = await offer(terms)
    sme = await make_account("sme", org_name="杭州智造科技有限公司")
    await sign_in(client, sme)
    r = await client.send_json(
        "POST", "/api/licences", {"declaration_id": declaration_id, "declaration_version": 1, "accept_terms": True}
    )
    assert r.status_code == 201, r.text
    return sme, int(r.json()["id"])


async def count_audit(action: str, entity_id: int | None = None) -> int:
    where = AuditEvent.action == action
    if entity_id is not None:
        where = where & (AuditEvent.entity_id == str(entity_id))
    return int(await AuditEvent.count().where(where))


async def as_admin(client: Client) -> None:
    client.cookies.clear()
    await sign_in(client, await make_account("platform_admin", org_name="平台运营"))


async def test_twenty_pay_clicks_open_one_bank_transfer(backend: Backend, client: Client) -> None:
    _, licence_id = await take(client, LUMP)
    answers = await fire(client, "POST", f"/api/licences/{licence_id}/payments", {"method": "bank_transfer"})
    assert set(statuses(answers)) <= {201, 409}, [a.text for a in answers if a.status_code not in (201, 409)]
    conflicts_are_problems(answers)
    ids = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(ids) == 1  # every click that was answered got the one transfer
    assert await LicencePayment.count().where(LicencePayment.licence == licence_id) == 1
    assert await count_audit("finance.payment_started") == 1


async def test_twenty_pay_clicks_create_one_payment_intent(
    backend: Backend, client: Client, stripe_transport: LocalstripeTransport
) -> None:
    _, licence_id = await take(client, LUMP)
    answers = await fire(client, "POST", f"/api/licences/{licence_id}/payments", {"method": "card"})
    assert set(statuses(answers)) <= {201, 409}, [a.text for a in answers if a.status_code not in (201, 409)]
    conflicts_are_problems(answers)
    paid = [a.json() for a in answers if a.status_code == 201]
    assert len({p["provider_id"] for p in paid}) == 1 and all(p["client_secret"] for p in paid)
    assert intents_created(stripe_transport) == 1  # one PaymentIntent at Stripe
    rows = await LicencePayment.select().where(LicencePayment.licence == licence_id)
    assert len(rows) == 1 and rows[0]["provider_id"] == paid[0]["provider_id"]
    [created] = [s for s in stripe_transport.sent if s.url.endswith("/v1/payment_intents")]
    assert created.headers.get("Idempotency-Key") == rows[0]["idempotency_key"]  # the row's key, for a retry


async def test_twenty_confirmations_record_one_success_one_audit_event_one_ledger_entry(
    backend: Backend, client: Client
) -> None:
    _, licence_id = await take(client, LUMP)
    r = await client.send_json("POST", f"/api/licences/{licence_id}/payments", {"method": "bank_transfer"})
    payment_id = r.json()["id"]
    await as_admin(client)
    answers = await fire(client, "POST", f"/api/admin/payments/{payment_id}/confirm")
    assert statuses(answers) == Counter({200: 1, 409: N - 1}), [a.text for a in answers]
    conflicts_are_problems(answers)
    await client.app.state.job_queue.drain()
    await drain()
    assert await count_audit("finance.payment_succeeded", payment_id) == 1
    assert await count_audit("finance.licence_activated", licence_id) == 1
    assert await LedgerEntry.count().where(LedgerEntry.payment == payment_id) == 1


async def test_twenty_reports_of_one_quarter_file_one_and_twenty_payments_of_it_open_one(
    backend: Backend, client: Client, quarters_ended: Any
) -> None:
    sme, licence_id = await take(client, ROYALTY)  # a running royalty only: active at once
    licence = await licences.licence_by_id(licence_id)
    assert licence is not None and licence.starts_on is not None
    period = {
        "period_start": licence.starts_on.isoformat(),
        "period_end": licences.quarter_end(licence.starts_on).isoformat(),
        "net_sales_minor": 10_000_000,
    }
    answers = await fire(client, "POST", f"/api/licences/{licence_id}/royalty-reports", period)
    assert statuses(answers) == Counter({201: 1, 409: N - 1}), [a.text for a in answers]
    conflicts_are_problems(answers)
    assert await RoyaltyReport.count().where(RoyaltyReport.licence == licence_id) == 1
    [report_id] = [a.json()["id"] for a in answers if a.status_code == 201]

    url = f"/api/licences/{licence_id}/royalty-reports/{report_id}/payments"
    answers = await fire(client, "POST", url, {"method": "bank_transfer"})
    assert set(statuses(answers)) <= {201, 409}
    conflicts_are_problems(answers)
    assert await LicencePayment.count().where(LicencePayment.royalty_report == report_id) == 1
    [invoice_id] = {a.json()["id"] for a in answers if a.status_code == 201}

    await as_admin(client)
    answers = await fire(client, "POST", f"/api/admin/payments/{invoice_id}/confirm")
    assert statuses(answers) == Counter({200: 1, 409: N - 1})
    await client.app.state.job_queue.drain()
    await drain()
    client.cookies.clear()
    await sign_in(client, sme)
    again = await client.send_json("POST", url, {"method": "bank_transfer"})
    assert again.status_code == 409 and again.json()["message_code"] == "royalty.already_paid"
    [report] = (await client.get(f"/api/licences/{licence_id}/royalty-reports")).json()
    assert report["status"] == "paid"
    assert await LedgerEntry.count().where(LedgerEntry.licence == licence_id) == 1


async def test_a_report_must_be_an_ended_calendar_quarter_citing_the_licence_terms(
    backend: Backend, client: Client
) -> None:
    _, licence_id = await take(client, ROYALTY)
    licence = await licences.licence_by_id(licence_id)
    assert licence is not None and licence.starts_on is not None
    start, end = licence.starts_on, licences.quarter_end(licence.starts_on)
    url = f"/api/licences/{licence_id}/royalty-reports"
    current = await client.send_json(
        "POST", url, {"period_start": start.isoformat(), "period_end": end.isoformat(), "net_sales_minor": 1}
    )
    assert current.status_code == 422 and current.json()["message_code"] == "royalty.quarter_not_ended"
    assert licence.number in current.json()["detail"]
    month = await client.send_json(
        "POST", url, {"period_start": start.isoformat(), "period_end": start.isoformat(), "net_sales_minor": 1}
    )
    assert month.status_code == 422 and month.json()["message_code"] == "royalty.period_not_quarter"
    assert month.json()["errors"][0]["code"] == "period_not_quarter"
    assert await RoyaltyReport.count() == 0


async def test_a_transfer_confirmed_after_the_licence_was_cancelled_is_refund_due_and_listed(
    backend: Backend, client: Client
) -> None:
    _, licence_id = await take(client, LUMP)
    r = await client.send_json("POST", f"/api/licences/{licence_id}/payments", {"method": "bank_transfer"})
    payment_id = r.json()["id"]
    assert (await client.send_json("POST", f"/api/licences/{licence_id}/cancel")).status_code == 200
    await client.app.state.job_queue.drain()
    closed = await LicencePayment.select(LicencePayment.status).where(LicencePayment.id == payment_id).first()
    assert closed["status"] == "canceled"  # the licence's open attempt closed with it (licence.cancelled)
    await as_admin(client)
    answers = await fire(client, "POST", f"/api/admin/payments/{payment_id}/confirm")
    assert statuses(answers) == Counter({200: 1, 409: N - 1}), [a.text for a in answers]
    [received] = [a.json() for a in answers if a.status_code == 200]
    assert received["status"] == "refund_due"  # the money arrived: kept, to be given back, never lost
    assert await count_audit("finance.payment_refund_due", payment_id) == 1
    assert await count_audit("finance.payment_succeeded") == 0 and await LedgerEntry.count() == 0
    listed = (await client.get("/api/admin/payments/refunds-due")).json()
    assert [(p["id"], p["amount_minor"]) for p in listed] == [(payment_id, 12_345_600)]
    answers = await fire(client, "POST", f"/api/admin/payments/{payment_id}/refunded")
    assert statuses(answers) == Counter({200: 1, 409: N - 1})
    assert (await client.get("/api/admin/payments/refunds-due")).json() == []
    assert await count_audit("finance.payment_refunded", payment_id) == 1


async def test_webhook_poll_and_confirmation_racing_record_one_success(
    backend: Backend, job_queue: Any, stripe_transport: LocalstripeTransport
) -> None:
    """The Stripe paths (webhook job, poll, the payer's test-mode confirmation) all end in ``apply_provider_state``:
    twenty of them at once record the payment once."""
    _, _, declaration_id = await offer(LUMP)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
        card = await payments.start(principal=sme, licence_id=licence.id, data=PaymentStartIn(method="card"))
    gateway = gateways.stripe()
    assert gateway is not None
    await gateway.confirm_test_payment(card.provider_id)

    async def apply() -> str:
        async with unit_of_work():
            return await payments.apply_provider_state(card.provider_id)

    outcomes = await asyncio.gather(*(apply() for _ in range(N)))
    assert Counter(outcomes)["succeeded"] == 1, outcomes
    await drain()
    assert await count_audit("finance.payment_succeeded", card.id) == 1
    assert await count_audit("finance.licence_activated", licence.id) == 1
    assert await LedgerEntry.count() == 1
    row = await LicencePayment.select().where(LicencePayment.id == card.id).first()
    assert row["status"] == "succeeded" and row["succeeded_at"] <= datetime.now(UTC)


async def test_the_admin_refund_page_lists_the_money_and_marks_it_refunded(backend: Backend, client: Client) -> None:
    _, licence_id = await take(client, LUMP)
    r = await client.send_json("POST", f"/api/licences/{licence_id}/payments", {"method": "bank_transfer"})
    payment_id = r.json()["id"]
    assert (await client.send_json("POST", f"/api/licences/{licence_id}/cancel")).status_code == 200
    await as_admin(client)
    assert (await client.send_json("POST", f"/api/admin/payments/{payment_id}/confirm")).json()[
        "status"
    ] == "refund_due"
    html = {"accept": "text/html", "x-csrftoken": await client.csrf()}
    listed = await client.get("/admin/refunds", headers=html)
    assert listed.status_code == 200 and f'data-payment="{payment_id}"' in listed.text and "待退款" in listed.text
    asked = await client.post(f"/admin/refunds/{payment_id}/refunded", headers=html)
    assert asked.status_code == 200 and 'id="confirm-form"' in asked.text  # one confirmation before it is done
    done = await client.post(f"/admin/refunds/{payment_id}/refunded", data={"confirmed": "yes"}, headers=html)
    assert done.status_code == 200 and "done=refunded" in str(done.url) and 'id="no-refunds"' in done.text
    again = await client.post(f"/admin/refunds/{payment_id}/refunded", data={"confirmed": "yes"}, headers=html)
    assert again.status_code == 409 and "不在待退款列表中" in again.text


async def test_the_migration_repairs_what_past_races_left_then_the_database_refuses_them(
    backend: Backend, job_queue: Any
) -> None:
    """Rows an earlier race left (two open attempts, two successes of one licence) are repaired before the indexes
    are made: the newest attempt stays open, the others are canceled; the first success counts, the others are
    ``refund_due``. Then the indexes refuse a second open attempt."""
    _, _, declaration_id = await offer(LUMP)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
    for statement in migration.DOWN:
        await LicencePayment.raw(statement)
    made = []
    for n, status in enumerate(["awaiting_payer", "awaiting_payer", "succeeded", "succeeded"]):
        made.append(
            await payments_repo.create(
                licence=licence.id,
                purpose="initial",
                method="bank_transfer",
                provider="bank_transfer",
                amount_minor=100,
                idempotency_key=f"past:{n}",
                status=status,
            )
        )
    manager = await migration.forwards()
    for up in manager.raw:
        await up()
    rows = await LicencePayment.select(LicencePayment.id, LicencePayment.status).order_by(LicencePayment.id)
    assert [r["status"] for r in rows] == ["canceled", "awaiting_payer", "succeeded", "refund_due"]
    extra = await payments_repo.create(
        licence=licence.id,
        purpose="initial",
        method="bank_transfer",
        provider="bank_transfer",
        amount_minor=100,
        idempotency_key="past:again",
    )
    assert extra is None  # one open attempt per licence: the index refuses a second


async def test_twenty_deliveries_of_one_webhook_at_once_store_and_process_it_once(
    backend: Backend, client: Client, stripe_transport: LocalstripeTransport
) -> None:
    _, licence_id = await take(client, LUMP)
    payment = (await client.send_json("POST", f"/api/licences/{licence_id}/payments", {"method": "card"})).json()
    gateway = gateways.stripe()
    assert gateway is not None
    await gateway.confirm_test_payment(payment["provider_id"])
    body = crafted_event("payment_intent.succeeded", payment["provider_id"], licence_id, "succeeded", 1_800_000_000)
    headers = {"stripe-signature": sign(body), "content-type": "application/json"}
    answers = await asyncio.gather(*(client.post(WEBHOOK, content=body, headers=headers) for _ in range(N)))
    assert statuses(list(answers)) == Counter({202: 1, 200: N - 1}), [a.text for a in answers]
    await client.app.state.job_queue.drain()
    await drain()
    [stored] = await PaymentEvent.select()
    assert stored["deliveries"] == N and stored["processed_at"] is not None
    assert await count_audit("finance.payment_succeeded", payment["id"]) == 1
    assert await count_audit("finance.licence_activated", licence_id) == 1
