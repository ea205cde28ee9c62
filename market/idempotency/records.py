"""The idempotency module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """A claimed key and, once ``done``, the response to replay (its body base64)."""

    id: int
    principal: str
    key: str
    fingerprint: str
    method: str
    path: str
    status: str
    response_status: int
    response_type: str
    response_body: str
    created_at: datetime
    expires_at: datetime
