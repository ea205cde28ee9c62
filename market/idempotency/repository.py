"""Every query on idempotency keys. Each runs on its own (outside the request's transaction): a claim is visible to
a concurrent request at once."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import asyncpg

from market.idempotency.records import IdempotencyRecord
from market.idempotency.tables import IdempotencyKey


async def claim(
    *, principal: str, key: str, fingerprint: str, method: str, path: str, expires_at: datetime
) -> int | None:
    """Claim a key for a request about to run: its row id, or None if the key is held already."""
    query = IdempotencyKey.insert(
        IdempotencyKey(
            principal=principal, key=key, fingerprint=fingerprint, method=method, path=path, expires_at=expires_at
        )
    ).returning(IdempotencyKey.id)
    try:
        rows = await query
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError):
        return None
    return int(rows[0]["id"])


async def get(principal: str, key: str) -> IdempotencyRecord | None:
    row = (
        await IdempotencyKey.select()
        .where((IdempotencyKey.principal == principal) & (IdempotencyKey.key == key))
        .first()
    )
    return IdempotencyRecord(**row) if row else None


async def complete(claim_id: int, *, status: int, content_type: str, body: str) -> None:
    await IdempotencyKey.update(
        {
            IdempotencyKey.status: "done",
            IdempotencyKey.response_status: status,
            IdempotencyKey.response_type: content_type,
            IdempotencyKey.response_body: body,
        }
    ).where(IdempotencyKey.id == claim_id)


async def release(claim_id: int) -> None:
    await IdempotencyKey.delete().where(IdempotencyKey.id == claim_id)


async def release_stale(record: IdempotencyRecord) -> None:
    """Drop an expired (or abandoned) claim, if it is still the one read."""
    await IdempotencyKey.delete().where((IdempotencyKey.id == record.id) & (IdempotencyKey.status == record.status))


async def purge_expired(now: datetime) -> int:
    rows = await IdempotencyKey.delete().where(IdempotencyKey.expires_at <= now).returning(IdempotencyKey.id)
    return len(rows)
