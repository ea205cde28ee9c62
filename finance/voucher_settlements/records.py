"""The voucher settlements module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

LINE_STATUSES = ("payable", "exception", "paid", "failed", "carried", "released")
LIVE = ("payable", "exception", "paid")  # a line that still holds its claim (``open_claim``)


@dataclass(frozen=True, slots=True)
class ClaimToSettle:
    """A captured, unsettled claim as a batch takes it (from ``finance.voucher_redemptions``): who is paid (the
    provider, or the SME in the reimbursed mode), how much, and what the reports group it by."""

    claim: int
    reference: str
    payee: int
    provider: int | None
    sme: int | None
    category: str
    region: str
    amount_minor: int
    currency: str
    claimed_at: datetime | None
    captured_at: datetime | None


@dataclass(frozen=True, slots=True)
class BatchRecord:
    id: int
    case: int | None
    programme: int
    issuer: int
    period_key: str
    up_to: date
    currency: str
    file_name: str
    file_sha256: str
    file_path: str
    file_lines: int
    return_sha256: str
    paid_on: date | None
    bank_reference: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    proposed_at: datetime | None
    approved_at: datetime | None
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class LineRecord:
    id: int
    batch: int
    line_no: int
    claim: int
    open_claim: int | None
    claim_reference: str
    payee: int
    provider: int | None
    sme: int | None
    category: str
    region: str
    amount_minor: int
    currency: str
    claimed_at: datetime | None
    captured_at: datetime | None
    account: int | None
    account_name: str
    bank_name: str
    account_number: str
    status: str
    exception_code: str
    carried_from: int | None
    paid_on: date | None
    bank_reference: str


@dataclass(frozen=True, slots=True)
class NewLine:
    """A line to write: the claim and its payee's account as read (None: no account in force, an exception)."""

    claim: ClaimToSettle
    line_no: int
    account: int | None
    account_name: str
    bank_name: str
    account_number: str
    status: str
    exception_code: str
    carried_from: int | None


@dataclass(frozen=True, slots=True)
class PayoutRecord:
    id: int
    claim: int
    line: int
    batch: int
    programme: int
    payee: int
    provider: int | None
    category: str
    region: str
    amount_minor: int
    currency: str
    paid_on: date
    days_to_pay: int
    reference: str
    recorded_by: int | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class StatusTotal:
    """A batch's lines of one status: how many and their sum."""

    status: str
    lines: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class StatementRecord:
    id: int
    batch: int
    payee: int
    paid_minor: int
    unpaid_minor: int
    currency: str
    sha256: str
    path: str
    pages: int
    template: str
    template_version: str
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class PaidGroup:
    """Paid payouts of a programme grouped by one dimension (category, region or provider)."""

    key: str
    payouts: int
    paid_minor: int


@dataclass(frozen=True, slots=True)
class Timing:
    """Days from claim to payment of a programme's paid claims in one group: how many, the median and the 90th
    percentile (the nearest-rank value, computed by the database)."""

    key: str
    payouts: int
    p50_days: float
    p90_days: float


@dataclass(frozen=True, slots=True)
class PayoutStats:
    """A programme's payouts of one group of one dimension (``all``: the whole programme, key ""): how many, how
    much, and the days from claim to payment at the nearest-rank 50th and 90th percentiles."""

    dimension: str
    key: str
    payouts: int
    paid_minor: int
    p50_days: float
    p90_days: float
