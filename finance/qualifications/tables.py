from __future__ import annotations

from piccolo.columns import Bytea, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class Qualification(Table, tablename="finance_qualification"):
    """One recorded qualification of an organisation (a kind from ``finance.qualifications.service.KINDS``) with its
    certificate's facts and evidence file (bytes in ``content``, their SHA-256 beside them). Only the review and end
    columns ever change, each by a conditional update on (status, version). ``live_key`` ("org:kind") is set while
    the record is live (recorded or verified) and cleared when it ends (rejected, revoked, superseded): its unique
    index keeps at most one live record per organisation and kind in both databases."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    kind = Varchar(length=20)
    live_key = Varchar(length=40, null=True, default=None, unique=True)
    certificate_number = Varchar(length=60)
    issuing_body = Varchar(length=200)
    issued_on = Date()
    expires_on = Date()
    filename = Varchar(length=200)
    content_type = Varchar(length=100)
    size = Integer(default=0)
    sha256 = Varchar(length=64)
    content = Bytea()
    status = Varchar(length=12, default="recorded")  # recorded, verified, rejected, revoked, superseded
    version = Integer(default=1)
    reason_code = Varchar(length=60, default="")
    note = Text(default="")
    superseded_by = Integer(null=True, default=None)
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())
    reviewed_by = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
