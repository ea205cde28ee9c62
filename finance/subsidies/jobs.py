"""Subsidy claim events to the webhooks of the firm and the issuer (signed by ``market.webhooks``, once per event:
the webhook event id comes from the domain event)."""

from __future__ import annotations

from typing import Any

from market.events import on
from market.webhooks import service as webhooks

EVENTS = ("filed", "more_info", "approved", "refused", "paid")


async def _forward(event_type: str, payload: dict[str, Any]) -> None:
    orgs = [payload[k] for k in ("applicant_org", "issuer_org") if isinstance(payload.get(k), int)]
    for org in dict.fromkeys(orgs):
        await webhooks.publish(org, event_type, None, payload)


@on("subsidy.claim.filed")
async def filed_to_webhooks(**payload: Any) -> None:
    await _forward("subsidy.claim.filed", payload)


@on("subsidy.claim.more_info")
async def more_info_to_webhooks(**payload: Any) -> None:
    await _forward("subsidy.claim.more_info", payload)


@on("subsidy.claim.approved")
async def approved_to_webhooks(**payload: Any) -> None:
    await _forward("subsidy.claim.approved", payload)


@on("subsidy.claim.refused")
async def refused_to_webhooks(**payload: Any) -> None:
    await _forward("subsidy.claim.refused", payload)


@on("subsidy.claim.paid")
async def paid_to_webhooks(**payload: Any) -> None:
    await _forward("subsidy.claim.paid", payload)
