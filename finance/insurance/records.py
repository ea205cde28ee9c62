"""The insurance module's records: what its repository (and, for ``ApplicationRecord``, its service) returns, frozen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from finance.desk.reasons import Reason


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """A row of ``finance_insurance_application`` (JSON columns loaded)."""

    id: int
    case: int | None
    applicant: int
    insurer: int
    product: int
    product_version: int
    kind: str
    firm_tier: str
    currency: str
    eligibility: Sequence[Mapping[str, Any]]
    questionnaire_version: int | None
    questionnaire: Mapping[str, Any]
    answers: Mapping[str, Any]
    answered_at: datetime | None
    disclosure_ack_at: datetime | None
    disclosure_ack_by: int | None
    quote: Mapping[str, Any]
    premium_minor: int | None
    aggregate_limit_minor: int | None
    quote_valid_until: date | None
    conditions: Sequence[str]
    pledge_application: int | None
    policy: int | None
    created_by: int | None
    submitted_at: datetime | None
    decided_at: datetime | None
    bound_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ApplicationLine:
    """What a list shows of an application (no JSON columns read)."""

    id: int
    case: int | None
    applicant: int
    insurer: int
    product_version: int
    kind: str
    currency: str
    premium_minor: int | None
    aggregate_limit_minor: int | None
    quote_valid_until: date | None
    submitted_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApplicationPatentRecord:
    id: int
    application: int
    patent: int
    natural_key: str
    role: str  # patentee | licensee
    licence: int | None


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    """An application as other modules read it (``finance.policies``, ``finance.subsidies``, claims): its desk
    state, its patents, and what was frozen when the SME answered: the answers with the questionnaire's version and
    the Art 16 acknowledgement, and the quote (``premium_minor``, ``per_claim_limit_minor``,
    ``aggregate_limit_minor``, ``deductible_minor``, ``currency``, ``lines``, ``table``, ``valid_until`` ISO date)."""

    id: int
    case: int | None
    reference: str
    applicant: int
    insurer: int
    product: int
    product_version: int
    kind: str
    patent_ids: tuple[int, ...]
    answers: Mapping[str, Any]
    questionnaire_version: int | None
    disclosure_ack_at: datetime | None
    disclosure_ack_by: int | None
    quote: Mapping[str, Any]
    quote_valid_until: date | None
    conditions: tuple[str, ...]
    state: str
    version: int
    pledge_application: int | None
    policy: int | None
    firm_tier: str
    currency: str
    submitted_at: datetime | None
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """A row of ``finance_insurance_consent``: a licensee's request for the patentee's consent to insure."""

    id: int
    licence: int
    patent: int
    licensee: int
    patentee: int
    state: str  # requested | granted | refused
    version: int
    note: str
    requested_by: int | None
    requested_at: datetime
    decided_by: int | None
    decided_at: datetime | None


@dataclass(frozen=True)
class EligibilityResult:
    """One patent's eligibility for one product version: every reason found (codes with their sources); ``ok`` when
    none blocks. ``role``: how the SME holds it (patentee, licensee, or "" when it does not)."""

    patent_id: int
    reasons: tuple[Reason, ...]
    ok: bool
    role: str = ""
    licence_id: int | None = None
    number: str = ""
