from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class Signature(Table, tablename="finance_signature"):
    """A party's signature of one document version (its SHA-256), as the signing port recorded it. Never changed.
    (document_kind, document_id, sha256, organisation, role) is unique (finance_0012): a party signs a version
    once; a second click answers the first signature."""

    id = Serial(primary_key=True)
    document_kind = Varchar(length=40)
    document_id = Integer()
    sha256 = Varchar(length=64)
    signer = Integer()  # the user (market_user.id)
    organisation = ForeignKey(Organisation, null=False, index=True)
    role = Varchar(length=40)
    signed_at = Timestamptz(default=TimestamptzNow())
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=400, default="")
    method = Varchar(length=20, default="click")
    evidence = Text(default="")  # what a later adapter (a licensed CA) returns: its signature or certificate
