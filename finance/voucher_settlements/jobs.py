"""Settlement batches' reactions and jobs: the payees' statements once a batch is paid, the batch events to the
webhooks of the issuer (and, paid, of each payee), the claims' events (``finance.voucher_redemptions``: filed,
captured, refused) to the webhooks of the organisations they name, and the daily batch at a settlement cycle's end.
Each is safe to run twice (the webhook event id comes from the domain event; a statement is rendered once per batch
and payee; a batch is made once per programme and cycle end)."""

from __future__ import annotations

from typing import Any

from finance.voucher_settlements import documents
from market.events import on
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


async def _to_parties(event_type: str, payload: dict[str, Any]) -> None:
    """A claim's event to the webhooks of every organisation it names (issuer, provider, SME, payee), once each."""
    named = ("issuer_org", "provider_org", "sme_org", "payee_org")
    orgs = [payload[k] for k in named if isinstance(payload.get(k), int)]
    for org in dict.fromkeys(orgs):
        await webhooks.publish(org, event_type, None, payload)


@on("voucher.claim_filed")
async def claim_filed_to_webhooks(**payload: Any) -> None:
    await _to_parties("voucher.claim_filed", payload)


@on("voucher.claim_captured")
async def claim_captured_to_webhooks(**payload: Any) -> None:
    await _to_parties("voucher.claim_captured", payload)


@on("voucher.claim_refused")
async def claim_refused_to_webhooks(**payload: Any) -> None:
    await _to_parties("voucher.claim_refused", payload)


@on("voucher.batch_paid")
async def issue_statements(*, batch_id: int, **_: Any) -> None:
    """Each payee's statement of the paid batch, rendered and stored once."""
    await documents.issue_statements(batch_id=batch_id)
