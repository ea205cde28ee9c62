"""The pledges module's records: what its repository returns, frozen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PledgeApplicationRecord:
    """A row of ``finance_pledge_application`` (JSON columns loaded). ``applicant`` and ``bank`` are organisation ids;
    ``case`` the desk case; ``product`` the loan product (``product_version`` the version applied for)."""

    id: int
    case: int | None
    applicant: int
    bank: int
    product: int
    product_version: int
    amount_minor: int
    currency: str
    term_months: int
    purpose: str
    pure_ip: bool
    valuation_method: str
    valuation_minor: int
    valuation: Mapping[str, object]
    acknowledged: Sequence[str]
    precheck: Sequence[Mapping[str, object]]
    offer_amount_minor: int | None
    offer_rate_bp: int | None
    offer_term_months: int | None
    offer_expires_on: date | None
    created_by: int | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    accepted_by: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PledgePatentRecord:
    id: int
    application: int
    patent: int
    value_minor: int
