"""Record state changes into the hash chain, read them back, verify the chain.

Each event's hash is SHA-256 over a canonical JSON of its content and the previous event's hash. Editing a row
changes its recomputed hash; deleting one breaks the sequence and the next row's ``prev_hash``. ``verify`` walks
the chain and reports the first broken link.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import JsonValue

from market.accounts.principal import Principal
from market.audit import repository
from market.audit.records import AuditEventContent, NewAuditEvent
from market.audit.schemas import AuditEventOut, ChainReport
from market.errors import NotFound
from market.i18n import Msg

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    org_id: int | None

    @classmethod
    def system(cls) -> Actor:
        return cls(user_id=None, org_id=None)


def _canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _jsonable(value: dict[str, Any] | None) -> dict[str, JsonValue] | None:
    """Round-trip through JSON so what is hashed equals what the database gives back."""
    if value is None:
        return None
    loaded: dict[str, JsonValue] = json.loads(json.dumps(value, default=str, ensure_ascii=False))
    return loaded


def event_hash(event: AuditEventContent) -> str:
    payload = {
        "seq": int(event.seq),
        "at": _canonical_time(event.at),
        "actor_user_id": event.actor_user_id,
        "org_id": event.org_id,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": str(event.entity_id),
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


async def record(
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    org_id: int | None = None,
) -> None:
    """Append one event. Call inside the transaction that makes the change, so both land or neither."""
    await repository.lock_for_append()
    previous = await repository.last()
    content = AuditEventContent(
        seq=(previous.seq if previous else 0) + 1,
        # Microsecond precision, UTC: what both databases store and give back unchanged.
        at=datetime.now(UTC),
        actor_user_id=actor.user_id,
        org_id=org_id if org_id is not None else actor.org_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=previous.hash if previous else GENESIS,
    )
    await repository.insert(NewAuditEvent(**dataclasses.asdict(content), hash=event_hash(content)))


async def list_for_org(*, principal: Principal, org_id: int, limit: int = 50, offset: int = 0) -> list[AuditEventOut]:
    """An organisation's own events, for its owners; any other organisation is answered 404."""
    if principal.org_id != org_id:
        raise NotFound(Msg("audit.org_not_found"))
    rows = await repository.for_org(org_id, limit=limit, offset=offset)
    return [AuditEventOut.model_validate(r) for r in rows]


async def verify() -> ChainReport:
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    async for row in repository.iterate():
        if row.seq != expected_seq:
            return ChainReport(
                ok=False,
                checked=checked,
                broken_seq=row.seq,
                broken_id=row.id,
                reason=f"sequence jumps from {expected_seq - 1} to {row.seq}: event(s) deleted",
            )
        if row.prev_hash != expected_prev:
            return ChainReport(
                ok=False,
                checked=checked,
                broken_seq=row.seq,
                broken_id=row.id,
                reason="prev_hash does not match the previous event: an event before it was changed or removed",
            )
        if event_hash(row) != row.hash:
            return ChainReport(
                ok=False,
                checked=checked,
                broken_seq=row.seq,
                broken_id=row.id,
                reason="content does not match its hash: this event was edited",
            )
        expected_prev = row.hash
        expected_seq += 1
        checked += 1
    return ChainReport(ok=True, checked=checked)
