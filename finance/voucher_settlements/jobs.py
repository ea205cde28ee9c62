"""Settlement batches' reactions and jobs: the payees' statements once a batch is paid, the batch events to the
webhooks of the issuer (and, paid, of each payee), and the daily batch at a settlement cycle's end (the claims'
events go to the webhooks from ``finance.voucher_redemptions``).
Each is safe to run twice (the webhook event id comes from the domain event; a statement is rendered once per batch
and payee; a batch is made once per programme and cycle end)."""

from __future__ import annotations

from datetime import date
from typing import Any

from finance.voucher_settlements import documents, service
from market.events import on
from market.jobs import daily, job
from market.webhooks import service as webhooks

BATCH_EVENTS = ("assembled", "proposed", "approved", "paid", "cancelled")


async def _forward(event_type: str, payload: dict[str, Any], *, payees: bool = False) -> None:
    orgs = [payload["issuer_org"]] if isinstance(payload.get("issuer_org"), int) else []
    if payees:
        orgs += [o for o in payload.get("payee_orgs") or () if isinstance(o, int)]
    for org in dict.fromkeys(orgs):
        await webhooks.publish(org, event_type, None, payload)


@on("voucher.batch_assembled")
async def assembled_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.batch_assembled", payload)


@on("voucher.batch_proposed")
async def proposed_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.batch_proposed", payload)


@on("voucher.batch_approved")
async def approved_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.batch_approved", payload)


@on("voucher.batch_cancelled")
async def cancelled_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.batch_cancelled", payload)


@on("voucher.batch_paid")
async def paid_to_webhooks(**payload: Any) -> None:
    await _forward("voucher.batch_paid", payload, payees=True)


@on("voucher.batch_paid")
async def issue_statements(*, batch_id: int, **_: Any) -> None:
    """Each payee's statement of the paid batch, rendered and stored once."""
    await documents.issue_statements(batch_id=batch_id)


@job("voucher_settlements.cycle_batches")
async def cycle_batches(*, on: str = "") -> None:
    """Daily: each open programme's batch of the settlement cycle that has just ended (once per cycle end; none when
    no captured claim waits). A closed programme's last claims are batched by its issuer (page or API)."""
    await service.batches_at_cycle_end(on=date.fromisoformat(on) if on else service.today())


daily("voucher_settlements.cycle_batches", hour=16, minute=30)  # 00:30 in China (UTC+8)
