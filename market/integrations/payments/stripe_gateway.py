"""Stripe through the official SDK (stripe-python 16, ``StripeClient``, async methods over httpx).

Each university is a Stripe connected account; a payment for its licence is a *destination charge*: the
PaymentIntent carries ``transfer_data.destination`` (the university's account) and ``application_fee_amount``
(the platform's fee, ``MARKET_PLATFORM_FEE_BP`` basis points), so the university receives the amount less the fee
and Stripe's own fees fall on the platform. A university without a connected account (most mainland Chinese
universities: Stripe does not onboard mainland China entities, so it cannot settle CNY to them) gets a plain
PaymentIntent: the platform receives the money and pays the university out by its own means; the fee is still
recorded in the metadata (``platform_fee_minor``) for the ledger.

SDK 16 pins API version 2026-10-28.endive, where ``payment_method_types`` is no longer writable: the allowed
methods go in ``allowed_payment_method_types`` (Stripe silently drops the ones a currency or account cannot use).

Stripe objects in SDK 16 are not dicts: read attributes (``intent.id``), and ``getattr(obj, name, None)`` for a
field an API version or a test double may leave out.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

import stripe
from pydantic import SecretStr

from market.integrations.payments.errors import (
    PaymentConflict,
    PaymentDeclined,
    PaymentProviderMisconfigured,
    PaymentProviderUnavailable,
    PaymentRejected,
    TestModeOnly,
    WebhookSignatureInvalid,
)
from market.integrations.payments.port import (
    STRIPE_METHODS,
    Payment,
    PaymentEvent,
    PaymentMethod,
    PaymentRequest,
    PaymentStatus,
    Refund,
    platform_fee,
)
from market.kit.money import Money

if TYPE_CHECKING:
    from stripe.params import PaymentIntentCreateParams, RefundCreateParams

PROVIDER = "stripe"
StripeMethod = Literal["card", "alipay", "wechat_pay"]
_STRIPE_TYPES: dict[PaymentMethod, StripeMethod] = {
    PaymentMethod.CARD: "card",
    PaymentMethod.ALIPAY: "alipay",
    PaymentMethod.WECHAT_PAY: "wechat_pay",
}
_STATUS = {
    "requires_payment_method": PaymentStatus.AWAITING_PAYER,
    "requires_confirmation": PaymentStatus.AWAITING_PAYER,
    "requires_action": PaymentStatus.AWAITING_PAYER,
    "processing": PaymentStatus.PROCESSING,
    "requires_capture": PaymentStatus.PROCESSING,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.CANCELED,
}
TEST_KEY_PREFIXES = ("sk_test_", "rk_test_")


class StripeSettings(Protocol):
    """The settings ``StripeConfig.from_settings`` reads: ``market.settings.Settings`` once it has these fields."""

    @property
    def stripe_api_key(self) -> SecretStr: ...

    @property
    def stripe_webhook_secret(self) -> SecretStr: ...

    @property
    def stripe_api_base(self) -> str: ...

    @property
    def platform_fee_bp(self) -> int: ...

    @property
    def payment_methods(self) -> str: ...


@dataclass(frozen=True)
class StripeConfig:
    """Settings of the Stripe adapter (their ``MARKET_*`` names in brackets).

    - ``api_key`` (MARKET_STRIPE_API_KEY): secret or restricted key; ``sk_test_...`` for test mode.
    - ``webhook_secret`` (MARKET_STRIPE_WEBHOOK_SECRET): the endpoint's signing secret, ``whsec_...``.
    - ``api_base`` (MARKET_STRIPE_API_BASE): empty for Stripe itself; tests point it at localstripe.
    - ``platform_fee_bp`` (MARKET_PLATFORM_FEE_BP): the platform's fee in basis points (500 = 5%).
    - ``payment_methods`` (MARKET_PAYMENT_METHODS): the Stripe methods offered, of card, alipay, wechat_pay.
    """

    api_key: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    api_base: str | None = None
    platform_fee_bp: int = 0
    payment_methods: tuple[PaymentMethod, ...] = (PaymentMethod.CARD, PaymentMethod.ALIPAY, PaymentMethod.WECHAT_PAY)
    max_network_retries: int = 2
    webhook_tolerance_seconds: int = 300

    def __post_init__(self) -> None:
        if not self.api_key:
            raise ValueError("MARKET_STRIPE_API_KEY is empty")
        if not 0 <= self.platform_fee_bp <= 10_000:
            raise ValueError("MARKET_PLATFORM_FEE_BP must be 0..10000 basis points")
        if not self.payment_methods or not set(self.payment_methods) <= STRIPE_METHODS:
            raise ValueError(f"Stripe payment methods must be some of {sorted(STRIPE_METHODS)}")

    @classmethod
    def from_settings(cls, settings: StripeSettings) -> StripeConfig:
        """From ``MARKET_STRIPE_API_KEY``, ``MARKET_STRIPE_WEBHOOK_SECRET``, ``MARKET_STRIPE_API_BASE``,
        ``MARKET_PLATFORM_FEE_BP`` and ``MARKET_PAYMENT_METHODS`` (bank_transfer in that list is not Stripe's)."""
        return cls(
            api_key=settings.stripe_api_key.get_secret_value(),
            webhook_secret=settings.stripe_webhook_secret.get_secret_value(),
            api_base=settings.stripe_api_base or None,
            platform_fee_bp=settings.platform_fee_bp,
            payment_methods=cls.methods_from_setting(settings.payment_methods),
        )

    @property
    def test_mode(self) -> bool:
        return self.api_key.startswith(TEST_KEY_PREFIXES)

    @staticmethod
    def methods_from_setting(value: str | Iterable[str]) -> tuple[PaymentMethod, ...]:
        """``"card,alipay,wechat_pay,bank_transfer"`` -> the Stripe ones, in order; an unknown name is an error."""
        names = value.split(",") if isinstance(value, str) else list(value)
        methods = [PaymentMethod(name.strip()) for name in names if name.strip()]
        return tuple(m for m in methods if m in STRIPE_METHODS)


def payment_intent_params(request: PaymentRequest, config: StripeConfig) -> PaymentIntentCreateParams:
    """The PaymentIntent to create: a destination charge when the university has a connected account."""
    fee = platform_fee(request.amount, config.platform_fee_bp)
    params: PaymentIntentCreateParams = {
        # Stripe's smallest currency unit equals ISO 4217 minor units for CNY, USD, EUR and HKD (2 decimals).
        "amount": request.amount.minor,
        "currency": request.amount.currency.lower(),
        "allowed_payment_method_types": [_STRIPE_TYPES[m] for m in config.payment_methods],
        "metadata": {**request.metadata, "licence_id": request.licence_id, "platform_fee_minor": str(fee.minor)},
    }
    if request.description:
        params["description"] = request.description
    if request.payee_account:
        params["application_fee_amount"] = fee.minor
        params["transfer_data"] = {"destination": request.payee_account}
    return params


def refund_params(intent_id: str, amount: Money | None, destination: str | None) -> RefundCreateParams:
    """A refund of a destination charge also takes the money back from the university and refunds the fee
    (in proportion), or the platform alone would bear it."""
    params: RefundCreateParams = {"payment_intent": intent_id}
    if amount is not None:
        params["amount"] = amount.minor
    if destination:
        params["reverse_transfer"] = True
        params["refund_application_fee"] = True
    return params


class StripeGateway:
    """The Stripe adapter of the payments port, plus what only Stripe has: retrieve, refund, webhooks."""

    provider = PROVIDER

    def __init__(self, config: StripeConfig, *, http_client: stripe.HTTPClient | None = None) -> None:
        self._config = config
        self._client = stripe.StripeClient(
            config.api_key,
            base_addresses={"api": config.api_base} if config.api_base else None,
            max_network_retries=config.max_network_retries,
            http_client=http_client,
        )

    @property
    def config(self) -> StripeConfig:
        return self._config

    async def start_payment(self, request: PaymentRequest) -> Payment:
        """Create the PaymentIntent; the same idempotency key returns the same intent, never a second charge."""
        async with _stripe_errors():
            intent = await self._client.v1.payment_intents.create_async(
                params=payment_intent_params(request, self._config),
                options={"idempotency_key": request.idempotency_key},
            )
        return payment_from_intent(intent)

    async def retrieve_payment(self, intent_id: str) -> Payment:
        """The intent as Stripe holds it now: a webhook job re-reads it rather than trusting event order."""
        async with _stripe_errors():
            intent = await self._client.v1.payment_intents.retrieve_async(intent_id)
        return payment_from_intent(intent)

    async def cancel_payment(self, intent_id: str) -> Payment:
        async with _stripe_errors():
            intent = await self._client.v1.payment_intents.cancel_async(intent_id)
        return payment_from_intent(intent)

    async def confirm_test_payment(self, intent_id: str, payment_method: str = "pm_card_visa") -> Payment:
        """Test mode only: pay an intent with a Stripe test payment method, as a payer's browser would."""
        if not self._config.test_mode:
            raise TestModeOnly("confirm_test_payment needs a test-mode key (sk_test_...)")
        async with _stripe_errors():
            await self._client.v1.payment_intents.update_async(intent_id, params={"payment_method": payment_method})
            intent = await self._client.v1.payment_intents.confirm_async(intent_id)
        return payment_from_intent(intent)

    async def refund(self, intent_id: str, *, idempotency_key: str, amount: Money | None = None) -> Refund:
        """Refund all of a payment, or ``amount`` of it; for a destination charge the transfer is reversed too."""
        payment = await self.retrieve_payment(intent_id)
        if amount is not None and amount.currency != payment.amount.currency:
            raise PaymentRejected(f"refund in {amount.currency} of a payment in {payment.amount.currency}")
        async with _stripe_errors():
            refund = await self._client.v1.refunds.create_async(
                params=refund_params(intent_id, amount, payment.payee_account),
                options={"idempotency_key": idempotency_key},
            )
        return Refund(
            provider=PROVIDER,
            provider_id=refund.id,
            payment_id=intent_id,
            amount=Money(str(refund.currency).upper(), int(refund.amount)),
            status=str(refund.status),
        )

    def parse_webhook(self, payload: bytes | str, signature_header: str | None) -> PaymentEvent:
        """Verify a webhook's ``Stripe-Signature`` with the SDK and normalise the event; a bad one is refused.

        Synchronous and local (an HMAC, no network): call it in the webhook handler before storing the event.
        """
        try:
            event = self._client.construct_event(
                payload, signature_header, self._config.webhook_secret, self._config.webhook_tolerance_seconds
            )
        except stripe.SignatureVerificationError as exc:
            raise WebhookSignatureInvalid("the Stripe-Signature header does not verify") from exc
        except ValueError as exc:
            raise WebhookSignatureInvalid("the webhook payload is not a Stripe event") from exc
        return event_from_stripe(event)


def payment_from_intent(intent: stripe.PaymentIntent) -> Payment:
    """Our ``Payment`` from a PaymentIntent, tolerating fields an API version or test double leaves out."""
    amount = Money(str(intent.currency).upper(), int(intent.amount))
    metadata = _metadata(intent)
    fee_minor = getattr(intent, "application_fee_amount", None)
    if fee_minor is None:
        fee_minor = int(metadata.get("platform_fee_minor", "0"))
    return Payment(
        provider=PROVIDER,
        provider_id=intent.id,
        status=_STATUS.get(str(intent.status), PaymentStatus.PROCESSING),
        amount=amount,
        platform_fee=Money(amount.currency, int(fee_minor)),
        licence_id=metadata.get("licence_id"),
        payee_account=_destination(intent),
        client_secret=getattr(intent, "client_secret", None),
        methods=tuple(getattr(intent, "payment_method_types", None) or ()),
    )


def event_from_stripe(event: stripe.Event) -> PaymentEvent:
    """The normalised event: id, type, the object's id/type/status, amount, currency, metadata, created."""
    obj: Any = event.data.object
    amount = getattr(obj, "amount", None)
    currency = getattr(obj, "currency", None)
    return PaymentEvent(
        provider=PROVIDER,
        id=event.id,
        type=event.type,
        object_id=getattr(obj, "id", None),
        object_type=getattr(obj, "object", None),
        object_status=getattr(obj, "status", None),
        amount_minor=amount if isinstance(amount, int) else None,
        currency=currency.upper() if isinstance(currency, str) else None,
        metadata=_metadata(obj),
        created=datetime.fromtimestamp(int(event.created), tz=UTC),
        account=getattr(event, "account", None),
        livemode=bool(getattr(event, "livemode", False)),
    )


def _metadata(obj: Any) -> dict[str, str]:
    metadata = getattr(obj, "metadata", None)
    if metadata is None:
        return {}
    return {str(k): str(v) for k, v in metadata.to_dict().items()}


def _destination(intent: stripe.PaymentIntent) -> str | None:
    transfer_data: Any = getattr(intent, "transfer_data", None)
    destination = getattr(transfer_data, "destination", None) if transfer_data else None
    if destination is None or isinstance(destination, str):
        return destination
    return str(destination.id)  # expanded into an Account object


@contextlib.asynccontextmanager
async def _stripe_errors() -> AsyncIterator[None]:
    """Stripe's errors as ours: temporary ones retry in the job, the rest are final and named."""
    try:
        yield
    except stripe.CardError as exc:
        raise PaymentDeclined(str(exc.user_message or exc), decline_code=exc.code) from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise PaymentProviderUnavailable(f"unreachable or rate-limiting: {exc.user_message or exc}") from exc
    except (stripe.AuthenticationError, stripe.PermissionError) as exc:
        raise PaymentProviderMisconfigured(f"credentials refused: {exc.user_message or exc}") from exc
    except stripe.IdempotencyError as exc:
        raise PaymentConflict(f"idempotency key reused with other parameters: {exc.user_message or exc}") from exc
    except stripe.StripeError as exc:
        if exc.http_status is None or exc.http_status >= 500:
            raise PaymentProviderUnavailable(f"failed: {exc.user_message or exc}") from exc
        raise PaymentRejected(f"request refused: {exc.user_message or exc}") from exc
