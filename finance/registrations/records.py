"""The registrations module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class RegistrationRecord:
    id: int
    application: int
    reference: str
    pledgor: int
    pledgee: int
    state: str
    version: int
    amount_minor: int
    currency: str
    rate_bp: int | None
    term_months: int
    debt_starts_on: date | None
    debt_ends_on: date | None
    pure_ip: bool
    filed_on: date | None
    due_on: date | None
    paused_since: date | None
    paused_working_days: int
    registration_number: str
    registered_on: date | None
    refusal_ground: str
    cnipa_note: str
    release_filed_on: date | None
    released_on: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    id: int
    registration: int
    kind: str
    natural_key: str
    template: str
    template_version: str
    sha256: str
    path: str
    pages: int
    created_at: datetime
