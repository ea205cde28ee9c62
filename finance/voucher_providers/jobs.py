"""Voucher provider jobs: the daily listing of providers whose public notice ended without an objection open or
upheld, and the universities' open licences kept in step (also on ``declaration.changed``); provider events to the
webhooks of the provider and the issuer (signed by ``market.webhooks``, once per event)."""

from __future__ import annotations

from datetime import date
from typing import Any

from finance.voucher_providers import service
from market.events import on
from market.jobs import daily, job
from market.webhooks import service as webhooks

LISTING_JOB = "finance.voucher_providers_listing"


@job(LISTING_JOB)
async def voucher_providers_listing(*, on: str = "") -> dict[str, int]:
    """List every provider whose notice ended (safe to run twice); bring the universities' open licences in step."""
    listed = await service.list_due(on=date.fromisoformat(on) if on else None)
    return {"listed": listed, "universities": await service.sync_all()}


daily(LISTING_JOB, hour=0, minute=20)


@on("declaration.changed")
async def open_licences_in_step(*, declaration_id: int, **_: Any) -> None:
    await service.declaration_changed(declaration_id)


async def _forward(event_type: str, payload: dict[str, Any]) -> None:
    orgs = [payload[k] for k in ("provider_org", "issuer_org") if isinstance(payload.get(k), int)]
    for org in dict.fromkeys(orgs):
        await webhooks.publish(org, event_type, None, payload)


@on("voucher.provider_listed")
async def listed_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.provider_listed", payload)


@on("voucher.provider_suspended")
async def suspended_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.provider_suspended", payload)


@on("voucher.provider_delisted")
async def delisted_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.provider_delisted", payload)
