from __future__ import annotations

from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class SearchOutbox(Table, tablename="listings_search_outbox"):
    """One change of a declaration still to be carried into the search index. Written by the handler of the
    ``declaration.changed`` event (itself stored in the transaction of the change); the ``listings.sync_search``
    job reads the declaration's state *then* (not this row's) and marks the row processed, so a row handled twice
    or out of order does no harm."""

    id = Serial(primary_key=True)
    declaration = Integer(index=True)  # a plain id: the row is a log entry, it outlives nothing
    status = Varchar(length=12, default="")  # the declaration's status when the change was made (for the log)
    created_at = Timestamptz(default=TimestamptzNow())
    processed_at = Timestamptz(null=True, default=None)


class IndexedListing(Table, tablename="listings_search_indexed"):
    """A declaration that has been in the index: its first indexing is when it is *new* (the alerts to needs and
    saved searches go out once, then ``alerted_at`` is set)."""

    id = Serial(primary_key=True)
    declaration = Integer(unique=True)
    first_indexed_at = Timestamptz(default=TimestamptzNow())
    alerted_at = Timestamptz(null=True, default=None)
