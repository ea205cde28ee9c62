"""Every query on the audit trail. Appending is the only write."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

from piccolo.engine.postgres import PostgresEngine

from market.audit.records import AuditEventRecord, ChainHeadRecord, NewAuditEvent
from market.audit.tables import AuditEvent

# Any constant: the advisory lock that serialises appends on PostgreSQL (SQLite serialises writers itself).
_APPEND_LOCK = 7_2610_0501


async def lock_for_append() -> None:
    if isinstance(AuditEvent._meta.db, PostgresEngine):
        await AuditEvent.raw("SELECT pg_advisory_xact_lock({})", _APPEND_LOCK)


async def last() -> ChainHeadRecord | None:
    row = await AuditEvent.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq, ascending=False).first()
    return ChainHeadRecord(**row) if row else None


async def insert(event: NewAuditEvent) -> None:
    await AuditEvent.insert(AuditEvent(**dataclasses.asdict(event)))


async def for_org(org_id: int, *, limit: int, offset: int) -> list[AuditEventRecord]:
    rows = await (
        AuditEvent.select()
        .where(AuditEvent.org_id == org_id)
        .order_by(AuditEvent.seq, ascending=False)
        .limit(limit)
        .offset(offset)
        .output(load_json=True)
    )
    return [AuditEventRecord(**r) for r in rows]


async def iterate(batch: int = 1000) -> AsyncIterator[AuditEventRecord]:
    after = 0
    while True:
        rows = await (
            AuditEvent.select()
            .where(AuditEvent.seq > after)
            .order_by(AuditEvent.seq)
            .limit(batch)
            .output(load_json=True)
        )
        if not rows:
            return
        for row in rows:
            yield AuditEventRecord(**row)
        after = rows[-1]["seq"]
