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
    declaration: int | None  # its open-licence declaration, as listings.declarations last reported it
    declaration_status: str  # draft, published, withdrawn; "" when never declared
    pledgee_org: int | None = None  # a pledge registered through the platform: its pledgee
    pledge_registration_number: str = ""
    pledge_registered_on: date | None = None
    infringement_dispute: str = ""  # "" none, "pending" (listings_0012)
    infringement_dispute_note: str = ""


@dataclass(frozen=True, slots=True)
class OpenLicenceRecord:
    """An open licence granted on the platform: its reference, the declaration version it follows, its patent."""

    reference: str
    declaration_version: int
    patent: int


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
    pledgee_org: int | None = None  # a pledge on record: the import keeps its facts


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


@dataclass(frozen=True, slots=True)
class PledgeeConsentRecord:
    """A row of ``listings_pledgee_consent``: the pledgee's consent, under the pledge ``registration_number``."""

    id: int
    patent: int
    pledgee_org: int
    registration_number: str
    scope: str  # open_licence, licence
    consent_key: str
    recorded_by: int | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class LicenceSituationRecord:
    """What a pre-check reads of a patent's licences: every licence recorded on it (exclusive, sole, ordinary, and
    those granted under its open licence; each with its start and end) and whether an open licence is declared
    (published) on it now."""

    patent: int
    licences: tuple[RecordedLicenceRecord, ...]
    open_licence: bool


@dataclass(frozen=True, slots=True)
class PatentInventorsRecord:
    """A patent's number and the inventors it names (as recorded: names only)."""

    number: str
    inventors: list[str]
