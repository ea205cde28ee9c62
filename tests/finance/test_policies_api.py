"""The policies API over HTTP (PostgreSQL, as every API test): the premium paid by Stripe's test card against
localstripe, a card payment confirmed by the payer's browser whose signed webhook arrives twice (the premium
received once, through ``payments.intent_changed``), 20 parallel pay clicks opening one bank transfer and one
PaymentIntent, bad input answered with problem+json, the schedule served to the two parties only, and the insurer's
webhook told ``insurance.policy.in_force``."""

from __future__ import annotations

import time
from typing import Any

import pytest

from finance.payments import gateways
from finance.payments.tables import PaymentEvent
from finance.policies import service as policies
from finance.policies.tables import PremiumEntry, PremiumPayment
from market.integrations.payments import StripeConfig, StripeGateway
from market.jobs import unit_of_work
from market.webhooks import service as webhooks
from market.webhooks.schemas import EndpointIn
from market.webhooks.tables import WebhookDelivery
from tests.conftest import Backend, Client, make_account, sign_in
from tests.finance.policy_support import bound_policy, in_force_policy
from tests.finance.support import drain
from tests.finance.test_races import conflicts_are_problems, fire, intents_created, statuses
from tests.finance.test_stripe_flow import WEBHOOK, crafted_event
from tests.integrations.payments.stripe_support import API_KEY, WEBHOOK_SECRET, LocalstripeTransport, sign

API = "/api/insurance/policies"


@pytest.fixture
def stripe_transport(backend: Any, localstripe_url: str) -> LocalstripeTransport:
    """Stripe through localstripe, keeping the transport to count what was sent to Stripe (as test_races does)."""
    transport = LocalstripeTransport()
    config = StripeConfig(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, api_base=localstripe_url,
                          platform_fee_bp=500, max_network_retries=0)
    gateways.use_stripe(StripeGateway(config, http_client=transport))
    return transport


async def entries(policy_id: int) -> int:
    return int(await PremiumEntry.count().where(PremiumEntry.policy == policy_id))


async def test_premium_paid_with_the_test_card_puts_the_policy_in_force(
    backend: Backend, client: Client, stripe_gateway: Any
) -> None:
    made = await bound_policy()
    await sign_in(client, made.sme.account)
    r = await client.send_json("POST", f"{API}/{made.policy_id}/payments", {"method": "card"})
    assert r.status_code == 201, r.text
    [payment] = r.json()["payments"]
    assert payment["provider"] == "stripe" and payment["client_secret"] and payment["test_mode"]
    assert payment["amount_minor"] == 220_000
    r = await client.send_json("POST", f"{API}/{made.policy_id}/payments/{payment['id']}/test-card", {})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "in_force" and body["premium_paid_minor"] == 220_000 and body["schedule_sha256"]
    await drain()
    r = await client.get(f"{API}/{made.policy_id}/proof")
    assert r.status_code == 200 and r.json()["method"] == "card" and r.json()["reference"] == payment["provider_id"]
    r = await client.get(f"{API}/{made.policy_id}/schedule.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


async def test_a_card_paid_in_the_browser_is_received_once_from_its_webhook(
    backend: Backend, client: Client, stripe_gateway: Any
) -> None:
    made = await bound_policy()
    await sign_in(client, made.sme.account)
    r = await client.send_json("POST", f"{API}/{made.policy_id}/payments", {"method": "card"})
    intent = r.json()["payments"][0]["provider_id"]
    await stripe_gateway.confirm_test_payment(intent)  # the payer's browser
    event = crafted_event("payment_intent.succeeded", intent, 0, "succeeded", int(time.time()))
    first = await client.post(WEBHOOK, content=event, headers={"stripe-signature": sign(event)})
    again = await client.post(WEBHOOK, content=event, headers={"stripe-signature": sign(event)})
    assert (first.status_code, again.status_code) == (202, 200)
    await client.app.state.job_queue.drain()
    await drain()
    row = await policies.policy(made.policy_id)
    assert row.state == "in_force" and row.premium_paid_minor == 220_000
    assert await entries(made.policy_id) == 1
    stored = await PaymentEvent.select().first()
    assert stored["result"] == "unknown payment"  # not a licence payment: policies reacted to intent_changed


async def test_twenty_pay_clicks_open_one_bank_transfer(backend: Backend, client: Client) -> None:
    made = await bound_policy()
    await sign_in(client, made.sme.account)
    answers = await fire(client, "POST", f"{API}/{made.policy_id}/payments", {"method": "bank_transfer"})
    assert set(statuses(answers)) <= {201, 409}, [a.text for a in answers if a.status_code not in (201, 409)]
    conflicts_are_problems(answers)
    ids = {a.json()["payments"][0]["id"] for a in answers if a.status_code == 201}
    assert len(ids) == 1
    assert await PremiumPayment.count().where(PremiumPayment.policy == made.policy_id) == 1


async def test_twenty_pay_clicks_create_one_payment_intent(
    backend: Backend, client: Client, stripe_transport: LocalstripeTransport
) -> None:
    made = await bound_policy()
    await sign_in(client, made.sme.account)
    answers = await fire(client, "POST", f"{API}/{made.policy_id}/payments", {"method": "card"})
    assert set(statuses(answers)) <= {201, 409}, [a.text for a in answers if a.status_code not in (201, 409)]
    conflicts_are_problems(answers)
    paid = [a.json()["payments"][0] for a in answers if a.status_code == 201]
    assert len({p["provider_id"] for p in paid}) == 1 and all(p["client_secret"] for p in paid)
    assert intents_created(stripe_transport) == 1
    assert await PremiumPayment.count().where(PremiumPayment.policy == made.policy_id) == 1


async def test_bad_input_gets_problem_json_and_writes_nothing(backend: Backend, client: Client) -> None:
    made = await in_force_policy()
    await sign_in(client, made.sme.account)
    row = await policies.policy(made.policy_id)
    r = await client.send_json("POST", f"{API}/{made.policy_id}/payments", {"method": "cash"})
    assert r.status_code in (400, 422) and r.headers["content-type"].startswith("application/problem+json")
    r = await client.send_json("POST", f"{API}/{made.policy_id}/payments", {"method": "bank_transfer"})
    assert r.status_code == 409 and r.json()["message_code"] == "policies.nothing_due", r.text
    r = await client.send_json("POST", f"{API}/{made.policy_id}/cancel", {"on": "2000-01-01", "version": row.version})
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["on"]
    r = await client.send_json("POST", f"{API}/{made.policy_id}/endorsements", {"patent_id": row.patent_ids[0],
                                                                                "version": row.version})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "patent_id"
    r = await client.send_json("POST", API, {"application_id": made.accepted.application_id})
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    assert (await policies.policy(made.policy_id)).version == row.version
    # another firm: the policy does not exist for it
    client.cookies.clear()
    await sign_in(client, await make_account("sme", org_name="路人科技有限公司"))  # words: data
    for path in (f"{API}/{made.policy_id}", f"{API}/{made.policy_id}/schedule.pdf"):
        assert (await client.get(path)).status_code == 404


async def test_the_insurers_webhook_is_told_the_policy_is_in_force(backend: Backend) -> None:
    made = await bound_policy()
    async with unit_of_work():
        await webhooks.create_endpoint(
            principal=made.underwriter,
            data=EndpointIn(url="https://insurer.example.cn/hooks", events=["insurance.*"]),
            allow_loopback_http=False,
        )
    async with unit_of_work():
        out = await policies.pay_premium(principal=made.insured, policy_id=made.policy_id, method="bank_transfer")
    async with unit_of_work():
        await policies.confirm_premium_received(principal=made.underwriter, payment_id=out.payments[0].id)
    await drain()
    await drain()
    types = [r["event_type"] for r in await WebhookDelivery.select(WebhookDelivery.event_type)]
    assert types.count("insurance.policy.in_force") == 1 and types.count("insurance.policy.bound") == 0


async def test_a_card_premium_is_refunded_through_stripe_on_cancellation(
    backend: Backend, client: Client, stripe_gateway: Any
) -> None:
    made = await bound_policy()
    await sign_in(client, made.sme.account)
    r = await client.send_json("POST", f"{API}/{made.policy_id}/payments", {"method": "test_card"})
    assert r.status_code == 201 and r.json()["state"] == "in_force", r.text
    body = r.json()
    on = policies.today().isoformat()  # before the start (tomorrow): all of the premium is unearned
    r = await client.send_json("POST", f"{API}/{made.policy_id}/cancel", {"on": on, "version": body["version"]})
    assert r.status_code == 200, r.text
    [cancellation] = r.json()["endorsements"]
    assert (cancellation["amount_minor"], cancellation["state"]) == (220_000, "refund_due")
    await client.app.state.job_queue.drain()
    await drain()
    r = await client.get(f"{API}/{made.policy_id}")
    [cancellation] = r.json()["endorsements"]
    assert cancellation["state"] == "refunded" and cancellation["refund_reference"].startswith("re_")
    assert r.json()["premium_paid_minor"] == 0
