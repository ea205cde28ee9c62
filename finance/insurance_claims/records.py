"""The insurance claims module's records: what its repository returns, frozen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """A row of ``finance_insurance_claim``. ``insured``/``insurer`` are organisation ids, ``policy`` the policy's
    id, ``case`` its desk case (state and version are the case's)."""

    id: int
    case: int | None
    policy: int
    insured: int
    insurer: int
    kind: str
    patent: int | None
    counterparty: str
    forum: str
    event_on: date | None
    first_claim_on: date | None
    first_known_on: date | None
    description: str
    acceptance_number: str
    accepted_on: date | None
    currency: str
    claimed_minor: int
    loan: int | None
    pledge_application: int | None
    assessment: Mapping[str, Any]
    assessed_minor: int | None
    denial_reasons: Sequence[Mapping[str, Any]]
    created_by: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CostRecord:
    id: int
    claim: int
    kind: str
    amount_minor: int
    currency: str
    incurred_on: date | None
    description: str
    invoice_number: str
    document: int | None
    sha256: str
    pre_approved: bool
    pre_approved_by: int | None
    pre_approved_at: datetime | None
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: int
    claim: int
    policy: int
    amount_minor: int
    currency: str
    paid_on: date | None
    reference: str
    recorded_by: int | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class GuaranteeRecord:
    id: int
    policy: int
    pledge_application: int
    document: int | None
    attached_by: int | None
    attached_at: datetime
