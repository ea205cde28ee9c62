"""The outbox of domain events and the record of which handler has handled which event."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class DomainEvent(Table, tablename="market_event"):
    """One thing that happened (``<module>.<past_tense>``, ids in ``payload``), written in the transaction of the
    change. ``status``: pending (handlers still to run), done, retrying (a temporary failure), failed."""

    id = Serial(primary_key=True)
    name = Varchar(length=80, index=True)
    payload = Text(default="{}")  # JSON of ids (and plain values), never objects
    status = Varchar(length=12, default="pending", index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    handled_at = Timestamptz(null=True, default=None)


class EventDelivery(Table, tablename="market_event_delivery"):
    """One handler's handling of one event: ``done`` is written in the handler's own transaction, so a handler
    runs to completion once however often the event is dispatched. Unique (event, handler)."""

    id = Serial(primary_key=True)
    event = Integer(index=True)  # a plain id: deliveries are a log of the event's handling
    handler = Varchar(length=200)
    status = Varchar(length=12, default="pending")  # pending, done, retrying, failed
    attempts = Integer(default=0)
    last_error = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())
