"""The accounts module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    email: str
    password_hash: str
    display_name: str
    locale: str
    created_at: datetime
    disabled_at: datetime | None
    email_verified_at: datetime | None


@dataclass(frozen=True, slots=True)
class ApiTokenRecord:
    """An API token without its hash."""

    id: int
    name: str
    prefix: str
    org_id: int
    user_id: int
    scopes: str  # comma-separated TokenScope values
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
