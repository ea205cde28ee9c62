"""Every query on webhook endpoints, deliveries and attempts; rows leave as frozen records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from market.webhooks.records import AttemptRecord, DeliveryRecord, EndpointRecord
from market.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def _endpoint(row: dict[str, Any]) -> EndpointRecord:
    events = json.loads(row["events"] or "[]")
    return EndpointRecord(**{**row, "events": tuple(str(e) for e in events)})


def _delivery(row: dict[str, Any]) -> DeliveryRecord:
    return DeliveryRecord(**row)


def _attempt(row: dict[str, Any]) -> AttemptRecord:
    return AttemptRecord(**row)


# ---------------------------------------------------------------------------------------------- endpoints


async def insert_endpoint(
    *, org_id: int, url: str, description: str, events: Sequence[str], secret: str, secret_prefix: str,
    created_by: int | None,
) -> int:
    rows = await WebhookEndpoint.insert(
        WebhookEndpoint(
            org=org_id,
            url=url,
            description=description,
            events=json.dumps(list(events)),
            secret=secret,
            secret_prefix=secret_prefix,
            created_by=created_by,
        )
    ).returning(WebhookEndpoint.id)
    return int(rows[0]["id"])


async def endpoint(endpoint_id: int) -> EndpointRecord | None:
    row = await WebhookEndpoint.select().where(WebhookEndpoint.id == endpoint_id).first()
    return _endpoint(row) if row else None


async def endpoints_of(org_id: int) -> list[EndpointRecord]:
    rows = await WebhookEndpoint.select().where(WebhookEndpoint.org == org_id).order_by(WebhookEndpoint.id)
    return [_endpoint(r) for r in rows]


async def active_endpoints_of(org_id: int) -> list[EndpointRecord]:
    rows = (
        await WebhookEndpoint.select()
        .where((WebhookEndpoint.org == org_id) & (WebhookEndpoint.active == True))  # noqa: E712 - SQL
        .order_by(WebhookEndpoint.id)
    )
    return [_endpoint(r) for r in rows]


async def disable_endpoint(endpoint_id: int) -> None:
    await WebhookEndpoint.update(
        {WebhookEndpoint.active: False, WebhookEndpoint.disabled_at: datetime.now(UTC)}
    ).where(WebhookEndpoint.id == endpoint_id)


# --------------------------------------------------------------------------------------------- deliveries


async def insert_delivery(*, endpoint_id: int, org_id: int, event_id: str, event_type: str, body: str) -> int | None:
    """The new delivery's id, or None when this endpoint has a delivery of this event already."""
    rows = (
        await WebhookDelivery.insert(
            WebhookDelivery(endpoint=endpoint_id, org=org_id, event_id=event_id, event_type=event_type, body=body)
        )
        .on_conflict(target=(WebhookDelivery.endpoint, WebhookDelivery.event_id), action="DO NOTHING")
        .returning(WebhookDelivery.id)
    )
    return int(rows[0]["id"]) if rows else None


async def delivery(delivery_id: int) -> DeliveryRecord | None:
    row = await WebhookDelivery.select().where(WebhookDelivery.id == delivery_id).first()
    return _delivery(row) if row else None


async def deliveries_of(
    org_id: int, *, status: str | None = None, endpoint_id: int | None = None, limit: int = 50, offset: int = 0
) -> list[DeliveryRecord]:
    query = WebhookDelivery.select().where(WebhookDelivery.org == org_id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint == endpoint_id)
    rows = (
        await query
        .order_by(WebhookDelivery.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return [_delivery(r) for r in rows]


async def update_delivery(
    delivery_id: int, *, status: str, tries: int, attempts: int, status_code: int | None, error: str
) -> None:
    now = datetime.now(UTC)
    values: dict[Any, Any] = {
        WebhookDelivery.status: status,
        WebhookDelivery.tries: tries,
        WebhookDelivery.attempts: attempts,
        WebhookDelivery.last_status_code: status_code,
        WebhookDelivery.last_error: error[:2000],
        WebhookDelivery.updated_at: now,
    }
    if status == "delivered":
        values[WebhookDelivery.delivered_at] = now
    await WebhookDelivery.update(values).where(WebhookDelivery.id == delivery_id)


async def restart_delivery(delivery_id: int) -> None:
    """A new round: pending, no tries yet (the attempts so far are kept)."""
    await WebhookDelivery.update(
        {WebhookDelivery.status: "pending", WebhookDelivery.tries: 0, WebhookDelivery.updated_at: datetime.now(UTC)}
    ).where(WebhookDelivery.id == delivery_id)


# ----------------------------------------------------------------------------------------------- attempts


async def insert_attempt(
    *, delivery_id: int, number: int, status_code: int | None, error: str, duration_ms: int
) -> int:
    rows = await WebhookAttempt.insert(
        WebhookAttempt(
            delivery=delivery_id, number=number, status_code=status_code, error=error[:2000], duration_ms=duration_ms
        )
    ).returning(WebhookAttempt.id)
    return int(rows[0]["id"])


async def attempts_of(delivery_id: int) -> list[AttemptRecord]:
    rows = await WebhookAttempt.select().where(WebhookAttempt.delivery == delivery_id).order_by(WebhookAttempt.id)
    return [_attempt(r) for r in rows]


async def unsettled(*, updated_before: datetime, limit: int) -> list[DeliveryRecord]:
    """Deliveries still pending or retrying whose last change is older than ``updated_before``."""
    rows = (
        await WebhookDelivery.select()
        .where(WebhookDelivery.status.is_in(["pending", "retrying"]) & (WebhookDelivery.updated_at < updated_before))
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    return [_delivery(r) for r in rows]
