"""The audit module's records: what its repository returns (and appends), frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import JsonValue


@dataclass(frozen=True, slots=True)
class AuditEventContent:
    """What an event's hash covers: everything but its own hash and row id."""

    seq: int
    at: datetime
    actor_user_id: int | None
    org_id: int | None
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, JsonValue] | None
    after: dict[str, JsonValue] | None
    prev_hash: str


@dataclass(frozen=True, slots=True)
class NewAuditEvent(AuditEventContent):
    """An event to append: its content and the hash over it."""

    hash: str


@dataclass(frozen=True, slots=True)
class AuditEventRecord(NewAuditEvent):
    """A stored event (``before`` and ``after`` loaded from JSON)."""

    id: int


@dataclass(frozen=True, slots=True)
class ChainHeadRecord:
    """The last event's sequence number and hash, which the next event continues."""

    seq: int
    hash: str
