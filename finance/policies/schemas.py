"""The policies API's shapes, written by hand."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from market.kit.schema import Out, Schema
from market.kit.words import MsgOut


class PayMethod(StrEnum):
    bank_transfer = "bank_transfer"
    card = "card"  # Stripe (a PaymentIntent)
    test_card = "test_card"  # Stripe in test mode: the intent opened and paid with Stripe's test card at once


class BindIn(Schema, json_schema_extra={"examples": [{"application_id": 12, "starts_on": None}]}):
    """Bind an accepted application on its accepted terms (the quote must still be valid). ``starts_on``: the
    first day of cover if later than the day after the premium is received (optional)."""

    application_id: int = Field(ge=1)
    starts_on: date | None = None


class PayIn(Schema, json_schema_extra={"examples": [{"method": "bank_transfer"}, {"method": "card"}]}):
    """Pay the premium due (the first premium, or an endorsement's extra premium): by bank transfer (a reference
    to quote) or by card through Stripe."""

    method: PayMethod


class EndorseIn(Schema, json_schema_extra={"examples": [{"patent_id": 42, "version": 3}]}):
    """Add a patent to a policy in force (it must pass the application's eligibility rules); the extra premium is
    pro rata for the days left. ``version``: the policy's version as read."""

    patent_id: int = Field(ge=1)
    version: int = Field(ge=1)


class CancelIn(Schema, json_schema_extra={"examples": [{"on": "2027-06-01", "version": 3}]}):
    """Cancel with effect from ``on`` (the last day covered is the day before; not in the past): the unearned
    premium is refunded pro rata. ``version``: the policy's version as read."""

    on: date
    version: int = Field(ge=1)


class RefundPaidIn(Schema, json_schema_extra={"examples": [{"reference": "HK20270601-0012"}]}):
    """The insurer paid a refund by bank transfer: its bank's reference (optional)."""

    reference: str = Field(default="", max_length=80)


class AccountOut(Out):
    account_name: str
    bank_name: str
    account_number: str


class PaymentOut(Out):
    id: int
    purpose: str
    endorsement_id: int | None
    method: str
    provider: str
    provider_id: str
    reference: str
    amount_minor: int
    currency: str
    status: str
    received_at: datetime | None
    created_at: datetime
    payee: AccountOut | None = Field(default=None, description="the insurer's receiving account, if recorded")
    instructions: MsgOut | None = Field(default=None, description="a waiting bank transfer's instructions")
    client_secret: str | None = Field(default=None, description="Stripe: to the payer's browser, when just opened")
    test_mode: bool = False


class LineOut(Out):
    label: MsgOut
    amount_minor: int | None = None
    currency: str | None = None


class EndorsementOut(Out):
    id: int
    policy_id: int
    seq: int
    kind: str
    patent_id: int | None
    effective_on: date
    days: int
    days_in_period: int
    annual_delta_minor: int
    amount_minor: int
    currency: str
    state: str
    requested_by: str
    lines: list[LineOut]
    refund_reference: str
    settled_at: datetime | None
    created_at: datetime


class PatentOut(Out):
    id: int
    number: str
    title: str


class EntryOut(Out):
    kind: str
    amount_minor: int
    currency: str
    occurred_on: date
    method: str
    reference: str


class PolicyOut(Out):
    id: int
    number: str
    application_id: int
    insured_org_id: int
    insured_name: str
    insurer_org_id: int
    insurer_name: str
    kind: str
    product_version_id: int
    state: str
    version: int
    starts_on: date | None
    ends_on: date | None
    retroactive_date: date | None
    requested_start: date | None
    term_months: int
    premium_minor: int
    per_claim_limit_minor: int
    aggregate_limit_minor: int
    deductible_minor: int
    currency: str
    premium_paid_minor: int = Field(description="received less refunded, summed from the premium entries")
    premium_due_minor: int = Field(description="what is still to pay (the premium, or an endorsement's extra)")
    schedule_version: int
    schedule_sha256: str
    quote_valid_until: date | None
    cancelled_on: date | None
    cancelled_by: str
    pledge_application_id: int | None
    patents: list[PatentOut]
    payments: list[PaymentOut]
    endorsements: list[EndorsementOut]
    entries: list[EntryOut]
    role: str = Field(description="insured or insurer: the caller's side")


class ProofOut(Out):
    policy_id: int
    paid_on: date
    amount_minor: int
    currency: str
    reference: str
    method: str
    payment_id: int


class BookOut(Out):
    on: date
    currency: str
    policies_by_state: dict[str, int]
    premium_written_by_month: list[dict[str, Any]]
    limits_in_force_minor: int
    limits_in_force_by_kind: dict[str, int]
    premium_earned_minor: int
    claims_by_state: dict[str, int]
    claims_paid_minor: int
    loss_ratio_bp: int | None
