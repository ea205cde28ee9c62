"""Helpers for the Stripe tests: localstripe's gaps, a recording transport, webhook signing.

What localstripe 1.15 lacks, and what the tests do about each (LOCALSTRIPE_GAPS is the list the tests cite):

- API version 2026-10-28.endive (stripe-python 16's pin) made ``payment_method_types`` read-only in favour of
  ``allowed_payment_method_types``; localstripe only knows the old name and answers 400 to the new one. The test
  transport renames the parameter on the wire, after recording what the SDK sent.
- Connect: no ``application_fee_amount``, ``transfer_data[destination]`` (destination charges), no
  ``reverse_transfer``/``refund_application_fee`` on refunds, no ``/v1/accounts``. The test transport records
  them and drops them so the rest of the request can be served; the tests assert what our code sent.
- ``description`` on a PaymentIntent: refused; dropped by the test transport like the Connect fields.
- Idempotency: the ``Idempotency-Key`` header is ignored (a repeat creates a second intent). The tests assert the
  header is sent; the once-only guarantee itself is Stripe's.
- Alipay and WeChat Pay payment methods: localstripe can only confirm cards (``pm_card_visa``...).
- Checkout Sessions and Prices: absent (we use neither).

``test_localstripe_still_lacks_*`` in test_stripe_gateway.py hit localstripe without the bridging and fail the
day localstripe catches up, so this list cannot silently go stale.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import stripe

API_KEY = "sk_test_localstripe"
WEBHOOK_SECRET = "whsec_test_open_licence_market"
PLATFORM_FEE_BP = 500

LOCALSTRIPE_GAPS = {
    "allowed_payment_method_types": "API 2026-10-28.endive parameter; localstripe knows payment_method_types",
    "application_fee_amount": "Connect destination charges (platform fee)",
    "transfer_data[destination]": "Connect destination charges (university's account)",
    "reverse_transfer": "Connect refunds",
    "refund_application_fee": "Connect refunds",
    "description": "PaymentIntent description is refused (Unexpected description)",
    "Idempotency-Key": "ignored: a repeat creates a second object",
    "alipay / wechat_pay confirmation": "only card test payment methods can be confirmed",
    "Checkout Sessions, Prices": "not implemented",
}
CONNECT_FIELDS = ("application_fee_amount", "transfer_data[destination]", "reverse_transfer", "refund_application_fee")
UNSUPPORTED_FIELDS = ("description",)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header, as Stripe (and localstripe) compute it: HMAC-SHA256 of "<t>.<payload>"."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


@dataclass
class SentRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    params: dict[str, str]  # what the SDK sent, before the localstripe rewrite


class LocalstripeTransport(stripe.HTTPXClient):
    """The SDK's own httpx transport, recording each request and bridging LOCALSTRIPE_GAPS on the wire.

    ``drop`` names the fields removed before localstripe sees them (Connect, description); ``rename`` maps
    ``allowed_payment_method_types`` to the older ``payment_method_types``. Switch either off to see it refuse.
    """

    def __init__(self, *, drop: tuple[str, ...] = CONNECT_FIELDS + UNSUPPORTED_FIELDS, rename: bool = True) -> None:
        super().__init__()
        self.drop = drop
        self.rename = rename
        self.sent: list[SentRequest] = []

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None
    ) -> Any:
        params = dict(parse_qsl(post_data, keep_blank_values=True)) if isinstance(post_data, str) else {}
        self.sent.append(SentRequest(method, url, dict(headers or {}), params))
        if params:
            post_data = urlencode(list(self._for_localstripe(params).items()))
        return await super().request_async(method, url, headers, post_data)

    def _for_localstripe(self, params: dict[str, str]) -> dict[str, str]:
        out = {}
        for key, value in params.items():
            if self.drop and key.startswith(self.drop):
                continue
            if self.rename:
                key = key.replace("allowed_payment_method_types", "payment_method_types")
            out[key] = value
        return out


@dataclass
class Delivery:
    body: bytes
    signature: str | None

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class WebhookReceiver:
    url: str
    deliveries: list[Delivery] = field(default_factory=list)

    def wait_for(self, event_type: str, object_id: str, timeout: float = 15.0) -> Delivery:
        """localstripe sends webhooks about a second after the fact, from its own event loop."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for delivery in list(self.deliveries):
                event = delivery.event
                if event.get("type") == event_type and event["data"]["object"].get("id") == object_id:
                    return delivery
            time.sleep(0.1)
        raise AssertionError(f"no {event_type} webhook for {object_id} within {timeout} s")
