from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.accounts.tables import User


class Notification(Table, tablename="market_notification"):
    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, index=True)
    kind = Varchar(length=60)
    title = Varchar(length=200)
    body = Text(default="")
    # One notification per dedupe key: a job that runs twice writes it once.
    dedupe_key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
