"""The webhooks module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    id: int
    org: int
    url: str
    description: str
    events: tuple[str, ...]
    secret: str
    secret_prefix: str
    active: bool
    created_by: int | None
    created_at: datetime
    disabled_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    id: int
    endpoint: int
    org: int
    event_id: str
    event_type: str
    body: str
    status: str
    tries: int
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    id: int
    delivery: int
    number: int
    at: datetime
    status_code: int | None
    error: str
    duration_ms: int
