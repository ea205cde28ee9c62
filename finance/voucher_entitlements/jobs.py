"""Voucher entitlement jobs: the nightly expiry (safe to run twice; ``hold`` checks expiry itself at the moment of
use, so this only writes off what is left) and the application and entitlement events to the webhooks of the SME
and the issuer (signed by ``market.webhooks``, once per event)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from finance.voucher_entitlements import applications, service
from market.events import on
from market.jobs import daily, job
from market.webhooks import service as webhooks

EXPIRE_JOB = "vouchers.entitlements_expire"


@job(EXPIRE_JOB)
async def expire_entitlements(*, at: str = "") -> int:
    """Nightly: an ``expire`` entry for what is still available on each entitlement past its expiry."""
    run = await service.expire_due(at=datetime.fromisoformat(at) if at else None)
    return run.entitlements


daily(EXPIRE_JOB, hour=16, minute=20)  # 00:20 in China (UTC+8): entitlements expire at midnight in China


async def _forward(event_type: str, payload: dict[str, Any]) -> None:
    orgs = [payload[k] for k in ("holder_org", "applicant_org", "issuer_org") if isinstance(payload.get(k), int)]
    for org in dict.fromkeys(orgs):
        await webhooks.publish(org, event_type, None, payload)


@on(service.ENTITLEMENT_ISSUED)
async def issued_to_webhooks(**payload: Any) -> None:
    await _forward(service.ENTITLEMENT_ISSUED, payload)


@on(service.ENTITLEMENT_REVOKED)
async def revoked_to_webhooks(**payload: Any) -> None:
    await _forward(service.ENTITLEMENT_REVOKED, payload)


@on(service.ENTITLEMENT_EXPIRED)
async def expired_to_webhooks(**payload: Any) -> None:
    await _forward(service.ENTITLEMENT_EXPIRED, payload)


@on(applications.APPLICATION_FILED)
async def filed_to_webhooks(**payload: Any) -> None:
    await _forward(applications.APPLICATION_FILED, payload)


@on(applications.APPLICATION_REFUSED)
async def refused_to_webhooks(**payload: Any) -> None:
    await _forward(applications.APPLICATION_REFUSED, payload)
