"""What the declarations repository returns: frozen records of its tables, built from Piccolo's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class DeclarationRecord:
    """A row of ``listings_declaration``."""

    id: int
    organisation: int
    patent: int
    status: str
    current_version: int
    published_at: datetime | None
    withdrawn_at: datetime | None
    withdrawal_reason: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DeclarationVersionRecord:
    """A row of ``listings_declaration_version``: the terms of one version of a declaration."""

    id: int
    declaration: int
    version: int
    payment_mode: str
    currency: str
    lump_sum_minor: int | None
    entry_fee_minor: int | None
    royalty_rate_bp: int | None
    term_years: int | None
    other_matters: str
    created_by: int | None
    created_at: datetime
    published_at: datetime | None
    superseded_at: datetime | None
    royalty_base: str = "net_sales"
    cnipa_number: str = ""
    cnipa_announced_on: date | None = None
    cnipa_recorded_at: datetime | None = None
    cnipa_reminded_at: datetime | None = None
