from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.accounts.tables import User


class Notification(Table, tablename="market_notification"):
    """A notification is stored as catalogue codes with parameters and rendered in the reader's language when shown
    (the list in the app, the API in ``Accept-Language``, an e-mail in the recipient's locale)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, index=True)
    kind = Varchar(length=60)
    code = Varchar(length=100, default="notification.legacy")  # the title: a catalogue code
    params = JSON(default={})  # its parameters (market.kit.message_json), shared by the title and the body
    body_code = Varchar(length=100, default="")  # the body: a catalogue code, or "" for none
    # Legacy: the text of notifications written before codes (market_0004), shown through notification.legacy.
    title = Varchar(length=200, default="")
    body = Text(default="")
    # One notification per dedupe key: a job that runs twice writes it once.
    dedupe_key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
