from __future__ import annotations

from piccolo.columns import JSON, BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class Need(Table, tablename="listings_need"):
    """A technology need an SME posts: what it looks for, its field, the most it would pay up front, by when."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    created_by = Integer()  # the user notified of new matches
    title = Varchar(length=200)
    description = Text(default="")
    tech_field = Integer(null=True, default=None)  # WIPO field 1..35
    budget_max_minor = BigInt(null=True, default=None)  # CNY fen: the most for a lump sum or an entry fee
    currency = Varchar(length=3, default="CNY")
    region = Varchar(length=20, default="")  # administrative division code
    deadline = Date(null=True, default=None)
    status = Varchar(length=12, default="open")  # open, closed
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SavedSearch(Table, tablename="listings_saved_search"):
    """A search an SME keeps: the query text and filters (``listings.search.schemas.SearchParams``)."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    created_by = Integer()  # the user notified of new matches
    name = Varchar(length=200)
    params = JSON(default={})
    created_at = Timestamptz(default=TimestamptzNow())


class AlertEmail(Table, tablename="listings_alert_email"):
    """An alert e-mail sent, by the notification's dedupe key: a retried job does not send it twice."""

    id = Serial(primary_key=True)
    dedupe_key = Varchar(length=200, unique=True)
    sent_at = Timestamptz(default=TimestamptzNow())
