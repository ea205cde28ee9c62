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
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
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


# The transaction whose events one dispatch job carries, in this context, and their ids: one dispatch per
# transaction, so that what a transaction changed at once is handled at once (e.g. seven listings published
# together reach the index in one drain, and their alerts in one digest). A strong reference: a later transaction
# is never mistaken for it.
_batch: ContextVar[tuple[object, list[int]] | None] = ContextVar("market_events_batch", default=None)

# The event a handler is handling (its id), while it runs: what a handler passes on keeps the event's identity (a
# webhook's event id is derived from it, so a handler run twice publishes the same event).
_handling: ContextVar[int | None] = ContextVar("market_events_handling", default=None)


def handling() -> int | None:
    """The id of the event the running handler handles (None outside a handler)."""
    return _handling.get()


async def emit(name: str, **payload: Any) -> int:
    """Record that ``name`` happened, in the current unit of work; its handlers run after the commit."""
    if "." not in name:
        raise ValueError("event names are '<module>.<past_tense>'")
    event_id = await repository.add(name, payload)
    transaction = repository.current_transaction()
    batch = _batch.get()
    if transaction is not None and batch is not None and batch[0] is transaction:
        batch[1].append(event_id)  # the dispatch queued for this transaction (sent after the commit) takes it too
        return event_id
    event_ids = [event_id]
    if transaction is not None:
        _batch.set((transaction, event_ids))
    await jobs.enqueue(DISPATCH_JOB, job_id=f"{DISPATCH_JOB}:{event_id}", event_ids=event_ids)
    return event_id


# ------------------------------------------------------------------------------------------- dispatching


async def _deliver(events: list[EventRecord], name: str) -> list[str]:
    """Run one handler for each of these events (in one transaction) unless it has run for it; returns each
    delivery's status afterwards. A failure rolls the handler's work on all of them back and counts a try on each."""
    try:
        async with jobs.unit_of_work():
            done = []
            for event in events:
                delivery = await repository.claim(event.id, name)
                if delivery.status in ("done", "failed"):
                    done.append(delivery.status)
                    continue
                token = _handling.set(event.id)
                try:
                    await HANDLERS[event.name][name](**event.payload)
                finally:
                    _handling.reset(token)
                await repository.update_delivery(delivery.id, status="done", attempts=delivery.attempts + 1)
                done.append("done")
        return done
    except TemporaryFailure as exc:
        error, temporary = str(exc), True
    except Exception as exc:
        log.exception("event.handler_failed", event_ids=[e.id for e in events], handler=name)
        error, temporary = repr(exc), False
    outcomes = []
    async with jobs.unit_of_work():  # the handler's work was rolled back; record the try
        for event in events:
            delivery = await repository.claim(event.id, name)
            if delivery.status in ("done", "failed"):
                outcomes.append(delivery.status)
                continue
            attempts = delivery.attempts + 1
            status = "retrying" if temporary and attempts < MAX_TRIES else "failed"
            await repository.update_delivery(delivery.id, status=status, attempts=attempts, error=error)
            log.warning("event.handler_" + status, event_name=event.name, event_id=event.id, handler=name)
            outcomes.append(status)
    return outcomes


async def dispatch(*, event_ids: list[int] | None = None, event_id: int | None = None) -> None:
    """Run every handler of these events that has not run yet, handler by handler, each over all the events it
    listens to in one transaction. Raises ``TemporaryFailure`` (so the queue retries with backoff) while a handler
    is still to be retried."""
    ids = [*(event_ids or []), *([event_id] if event_id is not None else [])]
    events = [e for e in [await repository.get(i) for i in ids] if e is not None and e.status != "done"]
    if not events:
        return
    outcomes: dict[int, list[str]] = {e.id: [] for e in events}
    names = list(dict.fromkeys(name for e in events for name in HANDLERS.get(e.name, {})))
    for name in names:
        listening = [e for e in events if name in HANDLERS.get(e.name, {})]
        for event, status in zip(listening, await _deliver(listening, name), strict=True):
            outcomes[event.id].append(status)
    retrying = False
    async with jobs.unit_of_work():
        for event in events:
            got = outcomes[event.id]
            status = "failed" if "failed" in got else "retrying" if "retrying" in got else "done"
            retrying = retrying or status == "retrying"
            await repository.set_status(event.id, status)
    if retrying:
        raise TemporaryFailure(f"events {[e.id for e in events]}: a handler is to be retried")


async def sweep(*, older_than_seconds: int = 60) -> int:
    """Queue a dispatch of every pending or retrying event older than ``older_than_seconds`` (its job was lost or
    gave up); failed ones wait for an admin. Returns how many were queued."""
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    queued = 0
    for event in await repository.unsettled(created_before=cutoff, limit=1000):
        if event.status != "failed" and event.created_at < cutoff:
            await jobs.enqueue(DISPATCH_JOB, job_id=f"{DISPATCH_JOB}:{event.id}", event_ids=[event.id])
            queued += 1
    return queued


async def unhandled(name: str, key: str, values: Sequence[int]) -> set[int]:
    """Those of ``values`` that an event ``name`` not handled yet names in its payload's ``key``."""
    wanted = set(values)
    return {v for p in await repository.unhandled_payloads(name) if isinstance(v := p.get(key), int) and v in wanted}


async def start() -> None:
    """At a process's start (the app, the worker): queue a sweep of every event not yet handled, so the events
    whose dispatch was lost (a crash between the commit and the job, an in-process queue that died with its
    process) are handled then."""
    await jobs.enqueue(SWEEP_JOB, job_id=f"{SWEEP_JOB}:start:{time.time_ns()}", older_than_seconds=0)


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
        await jobs.enqueue(
            DISPATCH_JOB, job_id=f"{DISPATCH_JOB}:{event_id}:retry:{time.time_ns()}", event_ids=[event_id]
        )
    return await get(event_id=event_id)
