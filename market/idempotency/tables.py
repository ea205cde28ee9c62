from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class IdempotencyKey(Table, tablename="market_idempotency_key"):
    """A client's ``Idempotency-Key`` on an API write: claimed before the write runs (``in_progress``), then the
    write's successful response (``done``), replayed for the same request until ``expires_at``. Unique (principal,
    key), a hand-written index."""

    id = Serial(primary_key=True)
    principal = Varchar(length=80)  # user:<id>:org:<id>, or anonymous
    key = Varchar(length=255)
    fingerprint = Varchar(length=64)  # SHA-256 of method, path, query and body
    method = Varchar(length=8)
    path = Varchar(length=500)
    status = Varchar(length=12, default="in_progress")  # in_progress, done
    response_status = Integer(default=0)
    response_type = Varchar(length=100, default="")
    response_body = Text(default="")  # base64
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)
