"""Every query on the event outbox; rows leave as frozen records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from pydantic import JsonValue

from market.events.tables import DomainEvent, EventDelivery


@dataclass(frozen=True)
class EventRecord:
    id: int
    name: str
    payload: dict[str, Any]
    status: str
    created_at: datetime
    handled_at: datetime | None


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    event: int
    handler: str
    status: str
    attempts: int
    last_error: str
    updated_at: datetime


def _event(row: dict[str, Any]) -> EventRecord:
    return EventRecord(
        id=row["id"],
        name=row["name"],
        payload=json.loads(row["payload"] or "{}"),
        status=row["status"],
        created_at=row["created_at"],
        handled_at=row["handled_at"],
    )


def _delivery(row: dict[str, Any]) -> DeliveryRecord:
    return DeliveryRecord(
        id=row["id"],
        event=row["event"],
        handler=row["handler"],
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        updated_at=row["updated_at"],
    )


async def add(name: str, payload: dict[str, Any]) -> int:
    rows = await DomainEvent.insert(
        DomainEvent(name=name, payload=json.dumps(payload, sort_keys=True, default=str), status="pending")
    ).returning(DomainEvent.id)
    return int(rows[0]["id"])


def current_transaction() -> object | None:
    """The transaction an event is written in (None outside one)."""
    transaction: object | None = DomainEvent._meta.db.current_transaction.get()
    return transaction


async def get(event_id: int) -> EventRecord | None:
    row = await DomainEvent.select().where(DomainEvent.id == event_id).first()
    return _event(row) if row else None


async def unhandled_payloads(name: str) -> list[dict[str, JsonValue]]:
    rows = await DomainEvent.select(DomainEvent.payload).where(
        (DomainEvent.name == name) & (DomainEvent.status != "done")
    )
    return [json.loads(r["payload"] or "{}") for r in rows]


async def set_status(event_id: int, status: str) -> None:
    handled_at = datetime.now(UTC) if status == "done" else None
    await DomainEvent.update({DomainEvent.status: status, DomainEvent.handled_at: handled_at}).where(
        DomainEvent.id == event_id
    )


async def claim(event_id: int, handler: str) -> DeliveryRecord:
    """The delivery row of (event, handler), made if missing and locked until the transaction ends (PostgreSQL;
    SQLite's unit of work holds the database's write lock already), so two dispatches of one event take turns."""
    await EventDelivery.insert(EventDelivery(event=event_id, handler=handler)).on_conflict(
        target=(EventDelivery.event, EventDelivery.handler), action="DO NOTHING"
    )
    query = EventDelivery.select().where((EventDelivery.event == event_id) & (EventDelivery.handler == handler))
    if isinstance(EventDelivery._meta.db, PostgresEngine):
        query = query.lock_rows("UPDATE")
    row = await query.first()
    assert row is not None
    return _delivery(row)


async def update_delivery(delivery_id: int, *, status: str, attempts: int | None = None, error: str = "") -> None:
    values: dict[Any, Any] = {
        EventDelivery.status: status,
        EventDelivery.last_error: error[:2000],
        EventDelivery.updated_at: datetime.now(UTC),
    }
    if attempts is not None:
        values[EventDelivery.attempts] = attempts
    await EventDelivery.update(values).where(EventDelivery.id == delivery_id)


async def deliveries(event_ids: list[int]) -> list[DeliveryRecord]:
    if not event_ids:
        return []
    rows = await EventDelivery.select().where(EventDelivery.event.is_in(event_ids)).order_by(EventDelivery.id)
    return [_delivery(r) for r in rows]


async def unsettled(*, created_before: datetime, limit: int) -> list[EventRecord]:
    """Events not handled yet: failed or retrying ones at once, pending ones once older than ``created_before``."""
    rows = (
        await DomainEvent.select()
        .where(
            DomainEvent.status.is_in(["failed", "retrying"])
            | ((DomainEvent.status == "pending") & (DomainEvent.created_at < created_before))
        )
        .order_by(DomainEvent.id)
        .limit(limit)
    )
    return [_event(r) for r in rows]


async def reset(event_id: int) -> None:
    """Every delivery of the event not done is to be tried afresh."""
    await EventDelivery.update(
        {EventDelivery.status: "pending", EventDelivery.attempts: 0, EventDelivery.updated_at: datetime.now(UTC)}
    ).where((EventDelivery.event == event_id) & (EventDelivery.status != "done"))
    await set_status(event_id, "pending")
