"""Development and tests only: talk to localstripe (PyPI) through the official SDK despite its gaps.

localstripe 1.15 refuses what the SDK's pinned API version sends (``allowed_payment_method_types``) and what Connect
needs (``application_fee_amount``, ``transfer_data``), and refuses ``description``. This transport renames the
first and drops the others on the wire, so the app can run end to end against localstripe
(``MARKET_STRIPE_LOCALSTRIPE=true`` with ``MARKET_STRIPE_API_BASE``). Production never uses it: the setting is
refused with MARKET_ENV=production. What it drops is therefore only checked in the request our code builds (see
tests/integrations/payments/stripe_support.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import stripe

DROPPED = (
    "application_fee_amount",
    "transfer_data",
    "on_behalf_of",
    "reverse_transfer",
    "refund_application_fee",
    "description",
)


class LocalstripeBridge(stripe.HTTPXClient):
    async def request_async(self, method: str, url: str, headers: Any, post_data: Any = None) -> Any:
        if isinstance(post_data, str) and post_data:
            params = [
                (key.replace("allowed_payment_method_types", "payment_method_types"), value)
                for key, value in parse_qsl(post_data, keep_blank_values=True)
                if not key.startswith(DROPPED)
            ]
            post_data = urlencode(params)
        return await super().request_async(method, url, headers, post_data)
