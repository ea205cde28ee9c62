"""Domain events: an outbox written in the transaction of the change, handled by jobs once per handler.

- ``await emit("licence.activated", licence_id=7)`` inside a unit of work writes the event row in that transaction
  and queues ``events.dispatch`` for after the commit: a rollback leaves neither the event nor the job.
- ``@on("licence.activated")`` registers a handler, in the listening module's ``jobs.py``; it is called with the
  payload as keyword arguments (ids, never objects) in a unit of work of its own.
- The dispatcher runs each (event, handler) once: the handler's delivery row is locked and marked done in the
  handler's own transaction, so an event dispatched twice (a lost ack, a sweep, an admin's retry) is handled once.
- A handler raising ``TemporaryFailure`` is retried with the job queue's exponential backoff, up to ``MAX_TRIES``;
  anything else, or the last try, marks it ``failed``. Failed events, and events left pending (a job lost with its
  process), are listed for a platform admin, who can retry one; ``events.sweep`` re-dispatches the pending ones.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from market import jobs
from market.errors import NotFound, TemporaryFailure
from market.events import repository
from market.events.repository import EventRecord
from market.events.schemas import DeliveryOut, EventOut
from market.kit.messages import Msg

log = structlog.get_logger("market.events")

DISPATCH_JOB = "events.dispatch"
SWEEP_JOB = "events.sweep"
MAX_TRIES = 5
STUCK_AFTER = timedelta(minutes=5)

Handler = Callable[..., Awaitable[None]]

# event name -> handler name -> handler
HANDLERS: dict[str, dict[str, Handler]] = {}


def handler_name(func: Handler) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def on(name: str) -> Callable[[Handler], Handler]:
    """Register a handler of the event ``name`` (``<module>.<past_tense>``)."""
    if "." not in name:
        raise ValueError("event names are '<module>.<past_tense>'")

    def register(func: Handler) -> Handler:
        HANDLERS.setdefault(name, {})[handler_name(func)] = func
        return func

    return register


async def emit(name: str, **payload: Any) -> int:
    """Record that ``name`` happened, in the current unit of work; its handlers run after the commit."""
    if "." not in name:
        raise ValueError("event names are '<module>.<past_tense>'")
    event_id = await repository.add(name, payload)
    await jobs.enqueue(DISPATCH_JOB, job_id=f"{DISPATCH_JOB}:{event_id}", event_id=event_id)
    return event_id


# ------------------------------------------------------------------------------------------- dispatching


async def _deliver(event: EventRecord, name: str, handler: Handler) -> str:
    """Run one handler of one event unless it has run; returns the delivery's status afterwards."""
    try:
        async with jobs.unit_of_work():
            delivery = await repository.claim(event.id, name)
            if delivery.status in ("done", "failed"):
                return delivery.status
            await handler(**event.payload)
            await repository.update_delivery(delivery.id, status="done", attempts=delivery.attempts + 1)
        return "done"
    except TemporaryFailure as exc:
        error, temporary = str(exc), True
    except Exception as exc:
        log.exception("event.handler_failed", event_name=event.name, event_id=event.id, handler=name)
        error, temporary = repr(exc), False
    async with jobs.unit_of_work():  # the handler's work was rolled back; record the try
        delivery = await repository.claim(event.id, name)
        attempts = delivery.attempts + 1
        status = "retrying" if temporary and attempts < MAX_TRIES else "failed"
        await repository.update_delivery(delivery.id, status=status, attempts=attempts, error=error)
    log.warning("event.handler_" + status, event_name=event.name, event_id=event.id, handler=name, tries=attempts)
    return status


async def dispatch(*, event_id: int) -> None:
    """Run every handler of the event that has not run yet. Raises ``TemporaryFailure`` (so the queue retries with
    backoff) while a handler is still to be retried."""
    event = await repository.get(event_id)
    if event is None or event.status == "done":
        return
    outcomes = [await _deliver(event, name, h) for name, h in HANDLERS.get(event.name, {}).items()]
    status = "failed" if "failed" in outcomes else "retrying" if "retrying" in outcomes else "done"
    async with jobs.unit_of_work():
        await repository.set_status(event_id, status)
    if status == "retrying":
        raise TemporaryFailure(f"event {event_id} ({event.name}): a handler is to be retried")


async def sweep(*, older_than_seconds: int = 60) -> int:
    """Queue a dispatch of every pending or retrying event older than ``older_than_seconds`` (its job was lost or
    gave up); failed ones wait for an admin. Returns how many were queued."""
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    queued = 0
    for event in await repository.unsettled(created_before=cutoff, limit=1000):
        if event.status != "failed" and event.created_at < cutoff:
            await jobs.enqueue(DISPATCH_JOB, job_id=f"{DISPATCH_JOB}:{event.id}", event_id=event.id)
            queued += 1
    return queued


jobs.job(DISPATCH_JOB, max_tries=MAX_TRIES, transactional=False)(dispatch)
jobs.job(SWEEP_JOB)(sweep)
jobs.daily(SWEEP_JOB, hour=20)


# ------------------------------------------------------------------------------------------------- admin


def _out(event: EventRecord, deliveries: list[repository.DeliveryRecord]) -> EventOut:
    return EventOut(
        id=event.id,
        name=event.name,
        payload=event.payload,
        status=event.status,
        created_at=event.created_at,
        handled_at=event.handled_at,
        handlers=sorted(HANDLERS.get(event.name, {})),
        deliveries=[
            DeliveryOut(
                handler=d.handler,
                status=d.status,
                attempts=d.attempts,
                last_error=d.last_error,
                updated_at=d.updated_at,
            )
            for d in deliveries
        ],
    )


async def stuck(*, stuck_after: timedelta = STUCK_AFTER, limit: int = 100) -> list[EventOut]:
    """Events a platform admin should look at: failed, being retried, or pending for longer than ``stuck_after``."""
    events = await repository.unsettled(created_before=datetime.now(UTC) - stuck_after, limit=limit)
    deliveries = await repository.deliveries([e.id for e in events])
    return [_out(e, [d for d in deliveries if d.event == e.id]) for e in events]


async def get(*, event_id: int) -> EventOut:
    event = await repository.get(event_id)
    if event is None:
        raise NotFound(Msg("events.not_found", {"id": event_id}))
    return _out(event, await repository.deliveries([event_id]))


async def retry(*, event_id: int) -> EventOut:
    """Try the event's handlers that have not run again from the first try (after the commit)."""
    event = await repository.get(event_id)
    if event is None:
        raise NotFound(Msg("events.not_found", {"id": event_id}))
    if event.status != "done":
        await repository.reset(event_id)
        await jobs.enqueue(DISPATCH_JOB, job_id=f"{DISPATCH_JOB}:{event_id}:retry:{time.time_ns()}", event_id=event_id)
    return await get(event_id=event_id)
