"""The notifications module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    id: int
    user: int
    kind: str
    code: str  # the title: a catalogue code
    params: dict[str, Any]  # its parameters as JSON (market.kit.message_json), shared with the body
    body_code: str
    title: str  # legacy text (rows written before codes)
    body: str
    dedupe_key: str
    created_at: datetime
    read_at: datetime | None
