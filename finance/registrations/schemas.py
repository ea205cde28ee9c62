"""The registrations API's shapes, written by hand."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from market.kit.schema import Out, Schema


class ConsentScope(StrEnum):
    open_licence = "open_licence"
    licence = "licence"


class VersionIn(Schema, json_schema_extra={"examples": [{"version": 3}]}):
    """The version the caller read (a move from an older one is refused: 409)."""

    version: int = Field(ge=1)


class FiledIn(VersionIn, json_schema_extra={"examples": [{"version": 3, "filed_on": "2026-12-01"}]}):
    filed_on: date


class OnIn(VersionIn, json_schema_extra={"examples": [{"version": 5, "on": "2026-12-03"}]}):
    on: date


class CorrectionIn(OnIn, json_schema_extra={"examples": [{"version": 5, "on": "2026-12-03", "note": ""}]}):
    note: str = Field(default="", max_length=2000)


class RegisteredIn(
    VersionIn,
    json_schema_extra={
        "examples": [{"version": 5, "registration_number": "Y2026980001234", "registered_on": "2026-12-04"}]
    },
):
    registration_number: str = Field(min_length=1, max_length=40)
    registered_on: date


class RefusedIn(VersionIn, json_schema_extra={"examples": [{"version": 5, "ground": "pledge.ground.06", "note": ""}]}):
    ground: str = Field(pattern=r"^pledge\.ground\.(0[1-9]|1[0-2])$", examples=["pledge.ground.06"])
    note: str = Field(default="", max_length=2000)


class ConsentIn(Schema, json_schema_extra={"examples": [{"patent_id": 12, "scope": "licence"}]}):
    patent_id: int = Field(ge=1)
    scope: ConsentScope


class SignatureOut(Out):
    document_kind: str
    sha256: str
    role: str
    org_id: int
    user_id: int
    method: str
    signed_at: datetime


class DocumentOut(Out):
    kind: str
    template: str
    template_version: str
    sha256: str
    pages: int
    url: str


class RegistrationPatentOut(Out):
    id: int
    number: str
    title: str
    pledged: bool
    pledgee_consent: bool
    expiry_date: date | None
    open_licence_blocked: bool = Field(
        description="listings' declaration check refuses an open-licence declaration of it: pledged without the "
        "pledgee's consent (Implementing Regulations Art 86(4))"
    )


class RegistrationOut(Out):
    id: int
    reference: str
    application_id: int
    pledgor_org_id: int
    pledgee_org_id: int
    role: str
    state: str
    version: int
    amount_minor: int
    currency: str
    rate_bp: int | None
    term_months: int
    debt_starts_on: date | None
    debt_ends_on: date | None
    pure_ip: bool
    filed_on: date | None
    due_on: date | None
    paused_since: date | None
    paused_working_days: int
    registration_number: str
    registered_on: date | None
    refusal_ground: str
    cnipa_note: str
    release_filed_on: date | None
    released_on: date | None
    next_steps: list[str]
    patents: list[RegistrationPatentOut]
    documents: list[DocumentOut]
    signatures: list[SignatureOut]
