"""Policies' reactions to events, webhooks and the daily expiry. Each is safe to run twice."""

from __future__ import annotations

from datetime import date
from typing import Any

from finance.policies import service
from market.events import on
from market.i18n import Msg
from market.jobs import daily, job
from market.notifications.service import notify_members
from market.webhooks import service as webhooks


@on("payments.intent_changed")
async def intent_changed(*, provider_id: str, **_: Any) -> None:
    """A Stripe PaymentIntent that is not a licence payment changed: if it is a premium's, take its state (money
    received once, whichever of this and the payer's confirmation comes first)."""
    await service.apply_intent(provider_id)


@job("policies.cancel_provider_payment")
async def cancel_provider_payment(*, payment_id: int) -> None:
    await service.cancel_at_provider(payment_id)


@job("policies.refund_at_provider")
async def refund_at_provider(*, endorsement_id: int) -> None:
    """A cancellation's refund of a premium paid by card goes back through Stripe (once: its idempotency key)."""
    await service.refund_at_provider(endorsement_id)


@job("policies.expire")
async def expire(*, on: str = "") -> None:
    """Daily: policies whose period has ended expire."""
    await service.expire_ended(on=date.fromisoformat(on) if on else service.today())


daily("policies.expire", hour=0, minute=45)  # 08:45 in China (UTC+8)


WEBHOOK_EVENTS = {
    "policies.bound": "insurance.policy.bound",
    "policies.in_force": "insurance.policy.in_force",
    "policies.endorsed": "insurance.policy.endorsed",
    "policies.cancelled": "insurance.policy.cancelled",
    "policies.refunded": "insurance.policy.refunded",
    "policies.expired": "insurance.policy.expired",
}


async def _to_webhooks(name: str, payload: dict[str, Any]) -> None:
    """The event's own payload (ids and plain values) to the insurer's and the insured's webhooks, each once (the
    webhook event id comes from the domain event)."""
    for org in dict.fromkeys(payload[k] for k in ("insurer_org", "insured_org") if isinstance(payload.get(k), int)):
        await webhooks.publish(org, WEBHOOK_EVENTS[name], None, payload)


async def _tell(payload: dict[str, Any], key: str, what: str) -> None:
    """The members of the organisation ``key`` names are told (in the app), once per policy and event."""
    org_id = payload.get(key)
    if not isinstance(org_id, int):
        return
    message = Msg(f"notification.policy_{what}", {"number": str(payload.get("number", ""))})
    await notify_members(
        org_id=org_id,
        kind=f"policy_{what}",
        message=message,
        dedupe_key=f"policy:{payload.get('policy_id')}:{what}:{payload.get('endorsement_id', '')}",
    )


@on("policies.bound")
async def bound(**payload: Any) -> None:
    await _to_webhooks("policies.bound", payload)
    await _tell(payload, "insurer_org", "bound")


@on("policies.transfer_awaited")
async def transfer_awaited(**payload: Any) -> None:
    """The insurer is told a transfer quoting a reference is on its way (to confirm on receipt)."""
    await _tell(payload, "insurer_org", "transfer_awaited")


@on("policies.in_force")
async def in_force(**payload: Any) -> None:
    await _to_webhooks("policies.in_force", payload)
    await _tell(payload, "insured_org", "in_force")


@on("policies.endorsed")
async def endorsed(**payload: Any) -> None:
    await _to_webhooks("policies.endorsed", payload)
    await _tell(payload, "insured_org", "endorsed")


@on("policies.cancelled")
async def cancelled(**payload: Any) -> None:
    await _to_webhooks("policies.cancelled", payload)
    await _tell(payload, "insured_org", "cancelled")
    await _tell(payload, "insurer_org", "cancelled")


@on("policies.refunded")
async def refunded(**payload: Any) -> None:
    await _to_webhooks("policies.refunded", payload)
    await _tell(payload, "insured_org", "refunded")


@on("policies.expired")
async def expired(**payload: Any) -> None:
    await _to_webhooks("policies.expired", payload)
