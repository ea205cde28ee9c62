"""The payments port: what the licence flow asks of any way of paying, in its own words.

Money is always ``market.kit.money.Money`` (integer minor units with an ISO 4217 currency), never a float. Every
adapter starts a payment from a ``PaymentRequest`` and answers a ``Payment``; how the payment is then confirmed
differs by nature and is the adapter's own surface:

- Stripe (cards, Alipay, WeChat Pay): a signed webhook, normalised into a ``PaymentEvent``;
- bank transfer (对公转账): a platform admin confirms receipt, or a bank statement file is matched against the
  open references (``bank_statement.match_statement``).

The platform fee is computed here once, in basis points with integer arithmetic, so every adapter and the
university's ledger agree to the fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from market.kit.money import Money

BASIS_POINTS = 10_000


class PaymentMethod(StrEnum):
    """How a licensee pays. The first three go through Stripe; bank transfer is matched by its reference."""

    CARD = "card"
    ALIPAY = "alipay"
    WECHAT_PAY = "wechat_pay"
    BANK_TRANSFER = "bank_transfer"


STRIPE_METHODS = frozenset({PaymentMethod.CARD, PaymentMethod.ALIPAY, PaymentMethod.WECHAT_PAY})


class PaymentStatus(StrEnum):
    """The few states the licence flow acts on; each adapter maps its provider's many states onto these."""

    AWAITING_PAYER = "awaiting_payer"  # the payer still has to act (choose, confirm, authenticate, transfer)
    PROCESSING = "processing"  # the payer acted; the money is on its way (or authorised, not captured)
    SUCCEEDED = "succeeded"  # the money is received: the licence becomes active (Patent Law Art 51)
    CANCELED = "canceled"


@dataclass(frozen=True)
class PaymentRequest:
    """What to collect, for which licence, and for whom (the university's account at the provider, if any).

    ``idempotency_key`` must be stable for one attempt (e.g. ``f"licence:{id}:payment:{n}"``), so a retried job
    never charges twice.
    """

    licence_id: str
    amount: Money
    idempotency_key: str
    payee_account: str | None = None
    description: str = ""
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Payment:
    """A payment as the provider holds it. ``client_secret`` goes to the payer's browser only; never log it."""

    provider: str
    provider_id: str
    status: PaymentStatus
    amount: Money
    platform_fee: Money
    licence_id: str | None = None
    payee_account: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    reference: str | None = None
    methods: tuple[str, ...] = ()

    @property
    def payee_net(self) -> Money:
        """What the university receives: the amount less the platform fee (before the provider's own fees)."""
        return self.amount - self.platform_fee


@dataclass(frozen=True)
class Refund:
    provider: str
    provider_id: str
    payment_id: str
    amount: Money
    status: str


@dataclass(frozen=True)
class PaymentEvent:
    """A provider's webhook event, verified and normalised; the flow stores it once by ``(provider, id)``.

    ``amount_minor``/``currency`` stay apart (not ``Money``) because a provider may report a currency we do not
    sell in; ``money`` converts when it is one of ours.
    """

    provider: str
    id: str
    type: str
    object_id: str | None
    object_type: str | None
    object_status: str | None
    amount_minor: int | None
    currency: str | None
    metadata: Mapping[str, str]
    created: datetime
    account: str | None = None
    livemode: bool = False

    @property
    def licence_id(self) -> str | None:
        return self.metadata.get("licence_id")

    @property
    def money(self) -> Money | None:
        if self.amount_minor is None or self.currency is None:
            return None
        return Money(self.currency, self.amount_minor)


class PaymentGateway(Protocol):
    """The port: every adapter starts a payment the same way."""

    provider: str

    async def start_payment(self, request: PaymentRequest) -> Payment:
        """Open a payment for ``request``; safe to call again with the same idempotency key."""
        ...


def platform_fee(amount: Money, fee_bp: int) -> Money:
    """The platform's fee on ``amount``: ``fee_bp`` basis points, rounded half up to the minor unit.

    Integer arithmetic only (500 bp of 1,283,450 fen = 64,172.5 -> 64,173 fen): no float ever touches money.
    """
    if not 0 <= fee_bp <= BASIS_POINTS:
        raise ValueError(f"platform fee must be 0..{BASIS_POINTS} basis points, got {fee_bp}")
    if amount.minor < 0:
        raise ValueError("platform fee of a negative amount")
    return Money(amount.currency, (amount.minor * fee_bp * 2 + BASIS_POINTS) // (2 * BASIS_POINTS))
