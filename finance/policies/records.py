"""The policies module's records: what its repository (and its service) returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from market.kit.money import Money


@dataclass(frozen=True, slots=True)
class PolicyRecord:
    id: int
    number: str
    application: int
    insured: int
    insurer: int
    kind: str
    product_version: int
    patent_ids: tuple[int, ...]
    starts_on: date | None
    ends_on: date | None
    retroactive_date: date | None
    premium_minor: int
    per_claim_limit_minor: int
    aggregate_limit_minor: int
    deductible_minor: int
    currency: str
    state: str  # awaiting_premium, in_force, cancelled, expired
    version: int
    premium_paid_minor: int  # derived from the premium entries (received - refunded), never stored
    schedule_sha256: str
    pledge_application: int | None
    firm_tier: str = "sme"
    term_months: int = 12
    retroactive_days: int = 0
    requested_start: date | None = None
    quote_valid_until: date | None = None
    cancelled_on: date | None = None
    cancelled_by: str = ""
    schedule_version: int = 0
    schedule_path: str = ""
    schedule_template_version: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: int
    policy: int
    purpose: str
    endorsement: int | None
    method: str
    provider: str
    provider_id: str
    reference: str
    amount_minor: int
    currency: str
    status: str
    idempotency_key: str
    open_key: str | None
    payee_account: int | None
    received_at: datetime | None
    confirmed_by: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class EndorsementRecord:
    id: int
    policy: int
    seq: int
    natural_key: str
    kind: str
    patent: int | None
    effective_on: date
    days: int
    days_in_period: int
    annual_delta_minor: int
    amount_minor: int
    currency: str
    state: str
    lines: list[dict[str, Any]]
    requested_by: str
    made_by: int | None
    settled_at: datetime | None
    settled_by: int | None
    refund_reference: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EntryRecord:
    id: int
    policy: int
    insurer: int
    natural_key: str
    kind: str  # premium, refund
    amount_minor: int
    currency: str
    occurred_on: date
    month: str
    method: str
    reference: str
    payment: int | None
    endorsement: int | None
    recorded_by: int | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentProof:
    """What a subsidy claim cites of the premium paid: when, how much, the reference and the method."""

    policy_id: int
    paid_on: date
    amount_minor: int
    currency: str
    reference: str
    method: str  # bank_transfer, card
    payment_id: int

    @property
    def amount(self) -> Money:
        return Money(self.currency, self.amount_minor)


@dataclass(frozen=True, slots=True)
class Book:
    """An insurer's book at a glance: counts and sums the charts and their tables show."""

    insurer: int
    on: date
    currency: str
    policies_by_state: dict[str, int]
    premium_written_by_month: list[tuple[str, int]]  # (YYYY-MM, minor): premium received less refunds
    limits_in_force_minor: int
    limits_in_force_by_kind: dict[str, int]
    premium_earned_minor: int
    claims_by_state: dict[str, int] = field(default_factory=dict)
    claims_paid_minor: int = 0
    loss_ratio_bp: int | None = None  # claims paid / premium earned, basis points (None: nothing earned yet)
    premium_by_state: dict[str, int] = field(default_factory=dict)  # annual premium of the policies in each state
    entries_by_month: dict[str, int] = field(default_factory=dict)  # how many entries made each month's figure
    in_force_by_kind: dict[str, int] = field(default_factory=dict)  # policies in force of each kind
