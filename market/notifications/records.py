"""The notifications module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    id: int
    user: int
    kind: str
    title: str
    body: str
    dedupe_key: str
    created_at: datetime
    read_at: datetime | None
