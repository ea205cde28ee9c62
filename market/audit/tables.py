from __future__ import annotations

from piccolo.columns import JSON, BigInt, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table, tablename="market_audit_event"):
    """One state change. ``hash`` = SHA-256 over the canonical event and ``prev_hash``: editing or deleting a
    row breaks the chain at that row, which ``market audit verify`` reports."""

    id = Serial(primary_key=True)
    seq = BigInt(unique=True, index=True)
    at = Timestamptz()
    actor_user_id = Integer(null=True, default=None)
    org_id = Integer(null=True, default=None, index=True)
    action = Varchar(length=80)
    entity_type = Varchar(length=40)
    entity_id = Varchar(length=64, index=True)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
