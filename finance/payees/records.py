"""The payees module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PayeeAccountRecord:
    """One payee account of a university, in force until ``superseded_at``. ``organisation`` is the org's id."""

    id: int
    organisation: int
    account_name: str
    bank_name: str
    account_number: str
    recorded_by: int | None
    created_at: datetime
    superseded_at: datetime | None
