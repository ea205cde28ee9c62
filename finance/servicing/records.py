"""The servicing module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class LoanRecord:
    id: int
    registration: int
    lender: int
    borrower: int
    principal_minor: int
    currency: str
    pure_ip: bool
    state: str
    version: int
    disbursed_on: date | None
    defaulted_on: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class EntryRecord:
    id: int
    loan: int
    seq: int
    natural_key: str
    kind: str
    principal_minor: int
    interest_minor: int
    currency: str
    occurred_on: date
    reference: str
    recorded_by: int | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class PoolClaimRecord:
    id: int
    loan: int
    pool: str
    outcome: str
    amount_minor: int
    currency: str
    reasons: list[str]
    lines: list[dict[str, Any]]
    snapshot: dict[str, Any]
    text: str
    decided_by: int | None
    decided_at: datetime
