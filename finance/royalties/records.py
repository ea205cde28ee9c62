"""The royalties module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class RoyaltyReportRecord:
    """A royalty report row. ``licence`` is the licence's id."""

    id: int
    licence: int
    period_start: date
    period_end: date
    net_sales_minor: int
    currency: str
    rate_bp: int
    royalty_due_minor: int
    status: str
    filed_by: int | None
    filed_at: datetime
    base: str = "net_sales"  # what rate_bp is a share of: net_sales or profit
    profit_minor: int | None = None  # the profit reported, when the base is profit
