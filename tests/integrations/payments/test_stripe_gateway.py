"""The Stripe adapter: the official SDK over HTTP against localstripe, and webhook signatures through the SDK.

What localstripe lacks is listed (and bridged, where it can be) in stripe_support.LOCALSTRIPE_GAPS.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr

from market.errors import TemporaryFailure
from market.integrations.payments import (
    PaymentDeclined,
    PaymentMethod,
    PaymentProviderMisconfigured,
    PaymentRejected,
    PaymentRequest,
    PaymentStatus,
    StripeConfig,
    StripeGateway,
    TestModeOnly,
    WebhookSignatureInvalid,
    platform_fee,
)
from market.integrations.payments.stripe_gateway import payment_intent_params, refund_params
from market.kit.money import Money
from tests.integrations.payments.stripe_support import (
    API_KEY,
    LOCALSTRIPE_GAPS,
    WEBHOOK_SECRET,
    LocalstripeTransport,
    WebhookReceiver,
    free_port,
    sign,
)

# stripe-python's own HTTPXClient posts form bodies with data=<str>, which httpx 0.28 deprecates: not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

YUAN_50K = Money("CNY", 5_000_000)
UNIVERSITY_ACCOUNT = "acct_1BeichenUniv0001"


def request(licence_id: str = "lic_42", amount: Money = YUAN_50K, payee: str | None = None) -> PaymentRequest:
    return PaymentRequest(
        licence_id=licence_id,
        amount=amount,
        idempotency_key=f"licence:{licence_id}:payment:1",
        payee_account=payee,
        description="开放许可入门费 / open licence entry fee",
        metadata={"contract_number": "OL-LC-2026-000123"},
    )


# -- the request we build (no network) ---------------------------------------------------------------------------


def test_a_university_with_a_connected_account_gets_a_destination_charge_less_the_fee() -> None:
    config = StripeConfig(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, platform_fee_bp=500)
    params = payment_intent_params(request(payee=UNIVERSITY_ACCOUNT, amount=Money("CNY", 1_283_450)), config)

    assert params["amount"] == 1_283_450 and params["currency"] == "cny"
    assert params["application_fee_amount"] == 64_173  # 5% of 12,834.50, rounded half up to the fen
    assert params["transfer_data"] == {"destination": UNIVERSITY_ACCOUNT}
    assert params["allowed_payment_method_types"] == ["card", "alipay", "wechat_pay"]
    # Refused since API 2026-09-30 with payment_method_types_no_longer_supported:
    assert "payment_method_types" not in params
    assert params["metadata"] == {
        "contract_number": "OL-LC-2026-000123",
        "licence_id": "lic_42",
        "platform_fee_minor": "64173",
    }


def test_without_a_connected_account_the_platform_collects_and_records_the_fee() -> None:
    config = StripeConfig(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, platform_fee_bp=250,
                          payment_methods=(PaymentMethod.ALIPAY,))
    params = payment_intent_params(request(), config)

    assert "application_fee_amount" not in params and "transfer_data" not in params
    assert params["metadata"]["platform_fee_minor"] == "125000"
    assert params["allowed_payment_method_types"] == ["alipay"]


def test_a_refund_of_a_destination_charge_reverses_the_transfer_and_the_fee() -> None:
    assert refund_params("pi_1", None, UNIVERSITY_ACCOUNT) == {
        "payment_intent": "pi_1", "reverse_transfer": True, "refund_application_fee": True}
    assert refund_params("pi_1", Money("CNY", 100), None) == {"payment_intent": "pi_1", "amount": 100}


def test_platform_fee_is_integer_basis_points_rounded_half_up() -> None:
    assert platform_fee(Money("CNY", 1_283_450), 500) == Money("CNY", 64_173)
    assert platform_fee(Money("CNY", 10), 500) == Money("CNY", 1)  # 0.5 fen -> 1
    assert platform_fee(Money("CNY", 9), 500) == Money("CNY", 0)
    assert platform_fee(YUAN_50K, 0) == Money("CNY", 0)
    assert platform_fee(YUAN_50K, 10_000) == YUAN_50K
    with pytest.raises(ValueError, match="basis points"):
        platform_fee(YUAN_50K, 10_001)


def test_settings_name_the_methods_and_refuse_nonsense() -> None:
    assert StripeConfig.methods_from_setting("card, alipay,wechat_pay,bank_transfer") == (
        PaymentMethod.CARD, PaymentMethod.ALIPAY, PaymentMethod.WECHAT_PAY)
    with pytest.raises(ValueError, match="paypal"):
        StripeConfig.methods_from_setting("card,paypal")
    with pytest.raises(ValueError, match="MARKET_PLATFORM_FEE_BP"):
        StripeConfig(api_key=API_KEY, webhook_secret="x", platform_fee_bp=-1)
    with pytest.raises(ValueError, match="payment methods"):
        StripeConfig(api_key=API_KEY, webhook_secret="x", payment_methods=(PaymentMethod.BANK_TRANSFER,))
    with pytest.raises(ValueError, match="MARKET_STRIPE_API_KEY"):
        StripeConfig(api_key="", webhook_secret="x")


def test_config_from_settings_keeps_secrets_out_of_reprs() -> None:
    settings = SimpleNamespace(
        stripe_api_key=SecretStr(API_KEY),
        stripe_webhook_secret=SecretStr(WEBHOOK_SECRET),
        stripe_api_base="",
        platform_fee_bp=500,
        payment_methods="bank_transfer,wechat_pay,card",
    )
    config = StripeConfig.from_settings(settings)

    assert (config.api_base, config.platform_fee_bp, config.test_mode) == (None, 500, True)
    assert config.payment_methods == (PaymentMethod.WECHAT_PAY, PaymentMethod.CARD)
    assert API_KEY not in repr(config) and WEBHOOK_SECRET not in repr(config)


# -- over HTTP against localstripe -------------------------------------------------------------------------------


async def test_start_payment_creates_a_payment_intent(gateway: StripeGateway, transport: LocalstripeTransport) -> None:
    payment = await gateway.start_payment(request())

    assert payment.provider == "stripe" and payment.provider_id.startswith("pi_")
    assert payment.status is PaymentStatus.AWAITING_PAYER
    assert payment.amount == YUAN_50K and payment.platform_fee == Money("CNY", 250_000)
    assert payment.licence_id == "lic_42"
    assert payment.client_secret and payment.client_secret.startswith(payment.provider_id)
    assert payment.client_secret not in repr(payment)  # never in a log line
    sent = transport.sent[-1]
    assert sent.method == "post" and sent.url.endswith("/v1/payment_intents")
    assert sent.headers["Idempotency-Key"] == "licence:lic_42:payment:1"
    assert [sent.params[f"allowed_payment_method_types[{i}]"] for i in range(3)] == ["card", "alipay", "wechat_pay"]


async def test_destination_charge_is_sent_as_stripe_expects(
    gateway: StripeGateway, transport: LocalstripeTransport
) -> None:
    """localstripe lacks Connect (LOCALSTRIPE_GAPS): the transport drops these two fields before localstripe
    sees them, so what is asserted here is what our code put on the wire."""
    assert "application_fee_amount" in LOCALSTRIPE_GAPS and "transfer_data[destination]" in LOCALSTRIPE_GAPS

    payment = await gateway.start_payment(request(payee=UNIVERSITY_ACCOUNT))

    sent = transport.sent[-1].params
    assert sent["application_fee_amount"] == "250000"
    assert sent["transfer_data[destination]"] == UNIVERSITY_ACCOUNT
    assert sent["description"] == "开放许可入门费 / open licence entry fee"
    assert payment.platform_fee == Money("CNY", 250_000)  # from metadata: localstripe echoes no fee
    assert payment.payee_net == Money("CNY", 4_750_000)


async def test_the_same_idempotency_key_is_sent_on_a_retry(
    gateway: StripeGateway, transport: LocalstripeTransport
) -> None:
    """Stripe answers a repeated key with the first intent; localstripe ignores the header (LOCALSTRIPE_GAPS), so
    the test pins what we control: a retried job sends the same key."""
    await gateway.start_payment(request("lic_retry"))
    await gateway.start_payment(request("lic_retry"))

    keys = [s.headers["Idempotency-Key"] for s in transport.sent[-2:]]
    assert keys == ["licence:lic_retry:payment:1"] * 2


async def test_pay_in_test_mode_then_retrieve(gateway: StripeGateway) -> None:
    started = await gateway.start_payment(request("lic_pay"))

    paid = await gateway.confirm_test_payment(started.provider_id)
    again = await gateway.retrieve_payment(started.provider_id)

    assert paid.status is PaymentStatus.SUCCEEDED and again.status is PaymentStatus.SUCCEEDED
    assert (again.provider_id, again.amount, again.licence_id) == (started.provider_id, YUAN_50K, "lic_pay")
    assert again.platform_fee == Money("CNY", 250_000)


async def test_a_declined_card_is_a_declined_payment(gateway: StripeGateway) -> None:
    """pm_card_chargeCustomerFail declines when charged, in Stripe's test mode and in localstripe alike
    (localstripe accepts pm_card_visa_chargeDeclined, which Stripe declines earlier)."""
    started = await gateway.start_payment(request("lic_declined"))
    with pytest.raises(PaymentDeclined) as declined:
        await gateway.confirm_test_payment(started.provider_id, "pm_card_chargeCustomerFail")
    assert declined.value.status == 402
    assert (await gateway.retrieve_payment(started.provider_id)).status is PaymentStatus.AWAITING_PAYER


async def test_cancel(gateway: StripeGateway) -> None:
    started = await gateway.start_payment(request("lic_cancel"))
    assert (await gateway.cancel_payment(started.provider_id)).status is PaymentStatus.CANCELED


async def test_refund_all(gateway: StripeGateway, transport: LocalstripeTransport) -> None:
    started = await gateway.start_payment(request("lic_refund_all"))
    await gateway.confirm_test_payment(started.provider_id)

    refund = await gateway.refund(started.provider_id, idempotency_key="refund:lic_refund_all:1")

    assert (refund.amount, refund.status, refund.payment_id) == (YUAN_50K, "succeeded", started.provider_id)
    assert refund.provider_id.startswith("re_")
    assert transport.sent[-1].headers["Idempotency-Key"] == "refund:lic_refund_all:1"
    assert "reverse_transfer" not in transport.sent[-1].params  # no destination: nothing to reverse


async def test_refund_part(gateway: StripeGateway) -> None:
    started = await gateway.start_payment(request("lic_refund_part"))
    await gateway.confirm_test_payment(started.provider_id)

    refund = await gateway.refund(started.provider_id, idempotency_key="refund:lic_refund_part:1",
                                  amount=Money("CNY", 100_000))

    assert refund.amount == Money("CNY", 100_000)
    with pytest.raises(PaymentRejected, match="USD"):
        await gateway.refund(started.provider_id, idempotency_key="refund:lic_refund_part:2", amount=Money("USD", 1))


async def test_test_mode_helpers_refuse_a_live_key() -> None:
    live = StripeGateway(StripeConfig(api_key="sk_live_x", webhook_secret=WEBHOOK_SECRET,
                                      api_base=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(TestModeOnly):
        await live.confirm_test_payment("pi_x")


async def test_a_bad_api_key_is_a_configuration_error(localstripe_url: str) -> None:
    gateway = StripeGateway(StripeConfig(api_key="not-a-key", webhook_secret=WEBHOOK_SECRET,
                                         api_base=localstripe_url, max_network_retries=0))
    with pytest.raises(PaymentProviderMisconfigured):
        await gateway.start_payment(request())


async def test_an_unreachable_stripe_is_temporary_so_the_job_retries() -> None:
    gateway = StripeGateway(StripeConfig(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET,
                                         api_base=f"http://127.0.0.1:{free_port()}", max_network_retries=0))
    with pytest.raises(TemporaryFailure):
        await gateway.start_payment(request())


async def test_localstripe_still_lacks_allowed_payment_method_types(config: StripeConfig) -> None:
    """Fails the day localstripe learns the 2026 parameter: then drop the rename from the test transport."""
    raw = StripeGateway(config, http_client=LocalstripeTransport(rename=False))
    with pytest.raises(PaymentRejected, match="Unexpected allowed_payment_method_types"):
        await raw.start_payment(request())


async def test_localstripe_still_lacks_connect(config: StripeConfig) -> None:
    """Fails the day localstripe serves destination charges: then stop dropping them in the test transport."""
    raw = StripeGateway(config, http_client=LocalstripeTransport(drop=("description",)))
    with pytest.raises(PaymentRejected, match="Unexpected application_fee_amount, transfer_data"):
        await raw.start_payment(request(payee=UNIVERSITY_ACCOUNT))


# -- webhooks ----------------------------------------------------------------------------------------------------


async def test_signed_webhook_from_localstripe_round_trip(
    gateway: StripeGateway, webhook_receiver: WebhookReceiver
) -> None:
    """localstripe signs its webhooks with the secret registered at POST /_config/webhooks/<id>; the SDK verifies
    the signature and we normalise the event."""
    started = await gateway.start_payment(request("lic_webhook"))
    await gateway.confirm_test_payment(started.provider_id)

    delivery = webhook_receiver.wait_for("payment_intent.succeeded", started.provider_id)
    event = gateway.parse_webhook(delivery.body, delivery.signature)

    assert event.provider == "stripe" and event.id.startswith("evt_")
    assert event.type == "payment_intent.succeeded"
    assert (event.object_id, event.object_type, event.object_status) == (
        started.provider_id, "payment_intent", "succeeded")
    assert (event.amount_minor, event.currency, event.money) == (5_000_000, "CNY", YUAN_50K)
    assert event.licence_id == "lic_webhook" and event.metadata["contract_number"] == "OL-LC-2026-000123"
    assert event.created.tzinfo is UTC and abs((datetime.now(UTC) - event.created).total_seconds()) < 120


async def test_a_tampered_webhook_is_refused(gateway: StripeGateway, webhook_receiver: WebhookReceiver) -> None:
    started = await gateway.start_payment(request("lic_tamper"))
    await gateway.confirm_test_payment(started.provider_id)
    delivery = webhook_receiver.wait_for("payment_intent.succeeded", started.provider_id)

    forged = delivery.body.replace(b'"amount": 5000000', b'"amount": 1')
    assert forged != delivery.body
    with pytest.raises(WebhookSignatureInvalid) as refused:
        gateway.parse_webhook(forged, delivery.signature)
    assert refused.value.status == 400


def payload(**overrides: Any) -> bytes:
    event = {
        "id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "created": int(time.time()),
        "livemode": False, "account": UNIVERSITY_ACCOUNT,
        "data": {"object": {"id": "pi_1", "object": "payment_intent", "amount": 5_000_000, "currency": "cny",
                            "status": "succeeded", "metadata": {"licence_id": "lic_7"}}},
    }
    event.update(overrides)
    return json.dumps(event).encode()


def test_webhook_signed_with_our_secret_verifies(gateway: StripeGateway) -> None:
    body = payload()
    event = gateway.parse_webhook(body, sign(body))
    assert (event.id, event.object_id, event.licence_id, event.account) == ("evt_1", "pi_1", "lic_7",
                                                                            UNIVERSITY_ACCOUNT)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "t=1,v1=deadbeef",
        sign(payload(), secret="whsec_someone_else"),
        "garbage",
    ],
    # stable ids: the signed header holds the time, and pytest-xdist's workers must collect the same tests
    ids=["none", "empty", "wrong-signature", "another-secret", "garbage"],
)
def test_bad_signatures_are_refused(gateway: StripeGateway, header: str | None) -> None:
    with pytest.raises(WebhookSignatureInvalid):
        gateway.parse_webhook(payload(), header)


def test_a_replayed_old_webhook_is_refused(gateway: StripeGateway) -> None:
    """Stripe's tolerance (300 s by default) bounds replays of a captured delivery."""
    body = payload()
    with pytest.raises(WebhookSignatureInvalid):
        gateway.parse_webhook(body, sign(body, timestamp=int(time.time()) - 3600))


def test_a_signed_non_event_is_refused(gateway: StripeGateway) -> None:
    body = b"not json"
    with pytest.raises(WebhookSignatureInvalid, match="not a Stripe event"):
        gateway.parse_webhook(body, sign(body))


def test_an_event_without_amount_normalises_to_none(gateway: StripeGateway) -> None:
    body = payload(type="account.updated",
                   data={"object": {"id": UNIVERSITY_ACCOUNT, "object": "account", "metadata": {}}})
    event = gateway.parse_webhook(body, sign(body))
    assert (event.amount_minor, event.currency, event.money, event.licence_id) == (None, None, None, None)
