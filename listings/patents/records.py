"""What the patents repository returns: frozen records of its tables, built from Piccolo's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PatentRecord:
    """A row of ``listings_patent`` (JSON columns loaded)."""

    id: int
    organisation: int
    number: str
    number_type: str
    jurisdiction: str
    application_number: str
    kind: str
    title_zh: str
    title_en: str
    abstract: str
    claims: str
    claims_count: int | None
    ipc_codes: list[str]
    patentees: list[str]
    inventors: list[str]
    filing_date: date | None
    publication_date: date | None
    grant_date: date | None
    expiry_date: date | None
    legal_status: str
    annual_fees_paid_through: date | None
    other_fee_reduction_pct: int
    pledged: bool
    pledgee_consent: bool
    suspension: str
    evaluation_report_ref: str
    source: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PatentFieldsRecord:
    """A stored patent's id, number and the fields an import compares (``repository.RECORD_FIELDS``)."""

    id: int
    number: str
    number_type: str
    jurisdiction: str
    application_number: str
    kind: str
    title_zh: str
    title_en: str
    abstract: str
    claims: str
    claims_count: int | None
    ipc_codes: list[str]
    patentees: list[str]
    inventors: list[str]
    filing_date: date | None
    publication_date: date | None
    grant_date: date | None
    expiry_date: date | None
    legal_status: str
    annual_fees_paid_through: date | None
    other_fee_reduction_pct: int
    pledged: bool
    pledgee_consent: bool
    suspension: str
    evaluation_report_ref: str


@dataclass(frozen=True, slots=True)
class RecordedLicenceRecord:
    """A row of ``listings_recorded_licence``."""

    id: int
    patent: int
    kind: str
    licensee_name: str
    starts_on: date
    ends_on: date | None
    reference: str
    declaration_version: int | None
    recorded_at: datetime
