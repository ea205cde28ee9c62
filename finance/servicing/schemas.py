"""The servicing API's shapes, written by hand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from market.kit.schema import BasisPoints, MinorUnits, Out, Schema


class EntryIn(
    Schema,
    json_schema_extra={
        "examples": [
            {"principal_minor": 150_000_000, "interest_minor": 0, "occurred_on": "2026-12-10", "reference": "DK-1"}
        ]
    },
):
    """A disbursement or a repayment, as the bank's books record it. ``version``: the loan's version as read
    (optional; two entries recorded at once never both pass)."""

    principal_minor: MinorUnits
    interest_minor: MinorUnits = 0
    occurred_on: date
    reference: str = Field(default="", max_length=60)
    version: int | None = Field(default=None, ge=1)


class DefaultIn(
    Schema, json_schema_extra={"examples": [{"on": "2027-06-30", "pool": "weihai", "ip_share_bp": None, "text": ""}]}
):
    """The default declared: on which day, the pool claimed on (its key), and for a mixed pledge the IP share of
    the security (basis points) where the pool counts only that."""

    on: date
    pool: str = Field(min_length=1, max_length=60, examples=["weihai"])
    ip_share_bp: BasisPoints | None = None
    text: str = Field(default="", max_length=2000)
    version: int | None = Field(default=None, ge=1)


class EntryOut(Out):
    seq: int
    kind: str
    principal_minor: int
    interest_minor: int
    currency: str
    occurred_on: date
    reference: str
    recorded_at: datetime


class ClaimOut(Out):
    pool: str
    outcome: str
    amount_minor: int
    currency: str
    reasons: list[str]
    lines: list[dict[str, Any]]
    snapshot: dict[str, Any]
    decided_by: int | None
    decided_at: datetime


class LoanOut(Out):
    id: int
    registration_id: int
    lender_org_id: int
    borrower_org_id: int
    principal_minor: int
    currency: str
    pure_ip: bool
    state: str
    version: int
    disbursed_minor: int
    repaid_minor: int
    interest_paid_minor: int
    balance_minor: int
    disbursed_on: date | None
    defaulted_on: date | None
    entries: list[EntryOut]
    claim: ClaimOut | None
