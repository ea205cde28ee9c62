"""Patent records in and out, and the field rules every way in (API, page, import) shares."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from listings.patents.facts import LegalStatus, Suspension
from market.kit.law import PatentKind
from market.kit.schema import Out, Schema

_IPC = re.compile(r"^([A-H])\s*(\d{2})\s*([A-Z])(?:\s*(\d{1,4})\s*/\s*(\d{1,6}))?$")


def normalise_ipc(code: str) -> str:
    """``A61K39/215`` or ``a61k 39 / 215`` -> ``A61K 39/215``; a subclass alone (``G06F``) is kept."""
    match = _IPC.match(code.strip().upper())
    if match is None:
        raise PydanticCustomError("patent.not_an_ipc_code", "{ipc} is not an IPC code", {"ipc": code.strip()})
    section, cls, subclass, group, subgroup = match.groups()
    head = f"{section}{cls}{subclass}"
    return head if group is None else f"{head} {int(group)}/{subgroup}"


def split_list(value: Any) -> list[str]:
    """A list, or a string separated by ; ， , 、 or newlines (as exports write them)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else re.split(r"[;；\n]|,(?!\d)|，|、", str(value))
    return [str(i).strip() for i in items if str(i).strip()]


class PatentIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "number": "CN108982325A",
                "title_zh": "地下防污屏障材料化学相容性测试装置及方法",  # words: data
                "patentees": ["浙江大学"],  # words: data
                "filing_date": "2018-07-30",
                "ipc_codes": ["G01N 15/08"],
                "legal_status": "granted",
                "grant_date": "2020-05-12",
                "annual_fees_paid_through": "2027-07-29",
            }
        ]
    },
):
    """A patent record as given by a university (API, page or one import row after its layout is read)."""

    number: str = Field(min_length=3, max_length=60)
    kind: PatentKind | None = Field(default=None, description="Derived from the number where it can be.")
    title_zh: str = Field(default="", max_length=1000)
    title_en: str = Field(default="", max_length=1000)
    abstract: str = Field(default="", max_length=20_000)
    claims: str = Field(default="", max_length=200_000)
    claims_count: int | None = Field(default=None, ge=0, le=10_000)
    ipc_codes: list[str] = Field(default_factory=list, max_length=100)
    patentees: list[str] = Field(default_factory=list, max_length=50)
    inventors: list[str] = Field(default_factory=list, max_length=200)
    application_number: str = Field(default="", max_length=40)
    filing_date: date | None = None
    publication_date: date | None = None
    grant_date: date | None = None
    legal_status: LegalStatus | None = Field(default=None, description="Derived from the number and dates if absent.")
    annual_fees_paid_through: date | None = None
    other_fee_reduction_pct: int = Field(default=0, ge=0, le=100)
    pledged: bool = False
    pledgee_consent: bool = False
    suspension: Suspension = Suspension.none
    evaluation_report_ref: str = Field(default="", max_length=100)

    @field_validator("ipc_codes", mode="before")
    @classmethod
    def _ipc(cls, value: Any) -> list[str]:
        return [normalise_ipc(c) for c in split_list(value)]

    @field_validator("patentees", "inventors", mode="before")
    @classmethod
    def _names(cls, value: Any) -> list[str]:
        return split_list(value)

    @model_validator(mode="after")
    def _consistent(self) -> PatentIn:
        if not (self.title_zh or self.title_en):
            raise PydanticCustomError("patent.title_required", "a title is required")
        if self.filing_date and self.publication_date and self.publication_date < self.filing_date:
            raise PydanticCustomError("patent.published_before_filed", "publication before filing")
        if self.filing_date and self.grant_date and self.grant_date < self.filing_date:
            raise PydanticCustomError("patent.granted_before_filed", "grant before filing")
        if self.pledgee_consent and not self.pledged:
            raise PydanticCustomError("patent.consent_needs_pledge", "consent without pledge")
        return self


class PatentFactsIn(
    Schema,
    json_schema_extra={"examples": [{"annual_fees_paid_through": "2027-07-29", "evaluation_report_ref": "PJ2024-001"}]},
):
    """What a university updates on a record it holds: status, fees and encumbrances (None leaves a field)."""

    legal_status: LegalStatus | None = None
    grant_date: date | None = None
    annual_fees_paid_through: date | None = None
    other_fee_reduction_pct: int | None = Field(default=None, ge=0, le=100)
    pledged: bool | None = None
    pledgee_consent: bool | None = None
    suspension: Suspension | None = None
    infringement_dispute: Literal["", "pending"] | None = Field(
        default=None, description='A pending infringement dispute: "pending", or "" for none (listings_0012)'
    )
    infringement_dispute_note: str | None = Field(default=None, max_length=2000)
    evaluation_report_ref: str | None = Field(default=None, max_length=100)
    claims_count: int | None = Field(default=None, ge=0, le=10_000)


class LicenceKind(StrEnum):
    exclusive = "exclusive"  # 独占许可
    sole = "sole"  # 排他许可
    ordinary = "ordinary"  # 普通许可
    open = "open"  # granted under the open licence (Patent Law Art 51)


class RecordedLicenceIn(
    Schema,
    json_schema_extra={
        "examples": [
            {"kind": "exclusive", "licensee_name": "杭州智造科技有限公司", "starts_on": "2026-01-01"}  # words: data
        ]
    },
):
    kind: LicenceKind
    licensee_name: str = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date | None = None
    reference: str = Field(default="", max_length=64)

    @model_validator(mode="after")
    def _order(self) -> RecordedLicenceIn:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise PydanticCustomError("patent.licence_ends_before_start", "licence ends before it starts")
        return self


class RecordedLicenceOut(Out):
    id: int
    kind: LicenceKind
    licensee_name: str
    starts_on: date
    ends_on: date | None
    reference: str
    recorded_at: datetime


class AnnualFeeOut(Out):
    patent_year: int
    full_minor: int
    due_minor: int
    currency: str
    reduction_pct: int
    reduction_source: str
    article: str


class PatentOut(Out):
    id: int
    org_id: int
    number: str
    number_type: str
    jurisdiction: str
    application_number: str
    kind: PatentKind
    title_zh: str
    title_en: str
    abstract: str
    claims_count: int | None
    ipc_codes: list[str]
    patentees: list[str]
    inventors: list[str]
    filing_date: date | None
    publication_date: date | None
    grant_date: date | None
    expiry_date: date | None
    remaining_years: Decimal
    legal_status: LegalStatus
    annual_fees_paid_through: date | None
    other_fee_reduction_pct: int
    pledged: bool
    pledgee_consent: bool
    suspension: Suspension
    evaluation_report_ref: str
    source: str
    declaration_id: int | None = None
    declaration_status: str | None = None
    pledgee_org: int | None = Field(default=None, description="A pledge registered through the platform: its pledgee.")
    pledge_registration_number: str = Field(default="", description="CNIPA's registration number of that pledge.")
    pledge_registered_on: date | None = None
    infringement_dispute: str = Field(default="", description='"pending" while an infringement dispute is pending')
    infringement_dispute_note: str = ""
    updated_at: datetime


class PledgeeConsentOut(Out):
    """The pledgee's consent, under the pledge ``registration_number``: ``open_licence`` (Implementing Regulations
    Art 86(4)) or ``licence`` (Civil Code Art 444)."""

    id: int
    pledgee_org: int
    registration_number: str
    scope: str
    recorded_at: datetime


class PatentDetailOut(PatentOut):
    claims: str
    licences: list[RecordedLicenceOut]
    annual_fee: AnnualFeeOut | None
    pledgee_name: str = ""
    pledgee_consents: list[PledgeeConsentOut] = Field(default_factory=list)


class PatentPage(Out):
    items: list[PatentOut]
    total: int
    page: int
    per_page: int
