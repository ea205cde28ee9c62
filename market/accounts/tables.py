from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class User(Table, tablename="market_user"):
    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True, index=True)
    password_hash = Varchar(length=255)
    display_name = Varchar(length=120)
    locale = Varchar(length=8, default="zh")
    created_at = Timestamptz(default=TimestamptzNow())
    disabled_at = Timestamptz(null=True, default=None)
    email_verified_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="market_api_token"):
    """A bearer token for machine clients. Only its SHA-256 is stored; the secret is shown once."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False)
    organisation = ForeignKey(Organisation, null=False)
    name = Varchar(length=100)
    prefix = Varchar(length=16)
    token_hash = Varchar(length=64, unique=True, index=True)
    # What the token may do, comma-separated TokenScope values: "read" (safe methods), "write" (the rest). No scope
    # manages members or tokens: those need an owner's browser session.
    scopes = Varchar(length=40, default="read,write")
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
