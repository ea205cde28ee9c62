"""Settlement batches and the issuer's report in and out of the API. Money in integer minor units with its
currency (the bank file alone writes yuan with two decimals)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from market.kit.schema import Out, Schema
from market.kit.words import MsgOut


class BatchCreateIn(Schema, json_schema_extra={"examples": [{"programme_id": 3, "up_to": "2027-06-30"}]}):
    """Make the batch of a programme's captured claims not yet settled, captured up to ``up_to`` (the end of a
    settlement cycle; today at the latest). One batch per programme and cycle end."""

    programme_id: int = Field(ge=1)
    up_to: date


class MoveIn(Schema, json_schema_extra={"examples": [{"expected_version": 0, "text": ""}]}):
    """A move of the batch (propose, send back, cancel) at the version the caller read (409 when stale)."""

    expected_version: int = Field(ge=0)
    text: str = Field(default="", max_length=2000)


class ApproveIn(Schema, json_schema_extra={"examples": [{"expected_version": 1, "proposal_id": 41, "text": ""}]}):
    """The checker's approval of the maker's proposal (never the maker's own)."""

    expected_version: int = Field(ge=0)
    proposal_id: int = Field(ge=1)
    text: str = Field(default="", max_length=2000)


class PaidIn(Schema, json_schema_extra={"examples": [{"expected_version": 2, "paid_on": "2027-07-05",
                                                       "reference": "ICBC-20270705-0042"}]}):  # fmt: skip
    """The issuer paid every payable line of the approved batch on ``paid_on`` (bank reference)."""

    expected_version: int = Field(ge=0)
    paid_on: date
    reference: str = Field(min_length=1, max_length=60)


class MoneyOut(Out):
    minor: int
    currency: str


class LineOut(Out):
    id: int
    line_no: int
    claim_id: int
    claim_reference: str
    payee_org_id: int
    payee_name: str
    provider_org_id: int | None
    category: str
    region: str
    amount: MoneyOut
    account_name: str
    bank_name: str
    account_number: str
    status: str
    exception: MsgOut | None
    carried_from_line: int | None
    paid_on: date | None
    bank_reference: str


class StatusTotalOut(Out):
    status: str
    lines: int
    amount: MoneyOut


class BatchOut(Out):
    id: int
    number: str
    case_id: int | None
    state: str
    version: int
    programme_id: int
    programme_name: str
    issuer_org_id: int
    period_key: str
    up_to: date
    currency: str
    totals: list[StatusTotalOut]
    payable: MoneyOut
    paid: MoneyOut  # summed from the payout entries
    file_name: str
    file_sha256: str
    file_lines: int
    return_sha256: str
    paid_on: date | None
    bank_reference: str
    proposed_by: int | None
    approved_by: int | None
    pending_proposal_id: int | None
    events: list[str]
    created_at: datetime
    lines: list[LineOut] = []


class StatementOut(Out):
    id: int
    batch_id: int
    batch_number: str
    programme_id: int
    payee_org_id: int
    paid: MoneyOut
    unpaid: MoneyOut
    sha256: str
    pages: int
    issued_at: datetime
    url: str


class GroupOut(Out):
    """One group of the report (a category, a region, a provider): claims captured and their amount, what was
    issued to the group's SMEs (regions only) and the redemption rate (captured / issued, basis points), payouts
    and their amount, days from claim to payment (nearest-rank median and 90th percentile)."""

    key: str
    label: str
    claims_captured: int
    captured: MoneyOut
    issued: MoneyOut | None = None
    redemption_rate_bp: int | None = None
    payouts: int
    paid: MoneyOut
    p50_days: float | None
    p90_days: float | None


class ReportOut(Out):
    programme_id: int
    programme_name: str
    currency: str
    budget: MoneyOut | None
    committed: MoneyOut  # entitlements issued (granted)
    captured: MoneyOut
    paid: MoneyOut
    redemption_rate_bp: int | None  # captured / issued, basis points
    claims_captured: int
    payouts: int
    p50_days: float | None
    p90_days: float | None
    by_category: list[GroupOut]
    by_region: list[GroupOut]
    by_provider: list[GroupOut]
