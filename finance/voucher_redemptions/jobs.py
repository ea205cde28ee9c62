"""Voucher redemptions' reactions to licences' events, and its claim events to the webhooks of the parties (signed by
``market.webhooks``, once per event: the webhook event id comes from the domain event). Each is safe to run twice."""

from __future__ import annotations

from typing import Any

from finance.voucher_redemptions import checkout
from market.events import on
from market.webhooks import service as webhooks


@on("licence.cancelled")
async def release_licence_voucher(*, licence_id: int, **_: object) -> None:
    """The licensee cancelled an unpaid licence: the voucher's share held for it is released, its cover cleared."""
    await checkout.licence_cancelled(licence_id=licence_id)


@on("licence.activated")
async def licence_paid(*, licence_id: int, **_: object) -> None:
    """The licence's remainder is paid: the university is told it may file the voucher's claim."""
    await checkout.licence_activated(licence_id=licence_id)


async def _forward(event_type: str, payload: dict[str, Any]) -> None:
    """To the issuer, the provider and the SME (the payee is one of them)."""
    orgs = [payload[k] for k in ("issuer_org", "provider_org", "sme_org") if isinstance(payload.get(k), int)]
    for org in dict.fromkeys(orgs):
        await webhooks.publish(org, event_type, None, payload)


@on("voucher.claim_filed")
async def filed_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.claim_filed", payload)


@on("voucher.claim_captured")
async def captured_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.claim_captured", payload)


@on("voucher.claim_refused")
async def refused_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.claim_refused", payload)
