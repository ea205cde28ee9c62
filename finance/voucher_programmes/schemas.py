"""Voucher programmes in and out of the API. Money in integer minor units with its currency; shares in basis points
of the price."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from market.kit.schema import BasisPoints, MinorUnits, Out, Schema
from market.kit.words import MsgOut

Mode = Literal["provider_redeems", "enterprise_reimbursed"]
ValueKind = Literal["amount", "face_value"]
Category = Literal[
    "tech_results", "testing", "rnd_design", "pilot", "evaluation", "novelty_search", "ip_services", "training",
    "financing_services",
]  # fmt: skip
Period = Literal["year", "half_year", "programme"]
Qualification = Literal["tech_sme", "high_tech", "specialised", "little_giant"]
Tier = Literal["issuer", "district", "county", "city", "province"]
Document = Literal["contract", "invoice", "copay_proof", "deliverable"]

def _issuer_tier() -> list[Tier]:
    return ["issuer"]


def _all_documents() -> list[Document]:
    return ["contract", "invoice", "copay_proof", "deliverable"]


TERMS_EXAMPLE: dict[str, Any] = {
    "name_zh": "玉环市科技创新券",  # words: data
    "name_en": "Yuhuan innovation voucher",
    "mode": "provider_redeems",
    "value_kind": "amount",
    "categories": {"tech_results": {"share_bp": 5000}, "testing": {"share_bp": 5000, "cap_minor": 1_000_000}},
    "per_claim_minor": 2_000_000,
    "per_period_minor": 10_000_000,
    "period": "year",
    "validity_months": 12,
    "windows": [{"opens_on": "2027-01-01", "closes_on": "2027-12-31"}],
    "budget_minor": 500_000_000,
    "regions": ["3310"],
    "required": [],
    "favoured": ["specialised"],
    "review_tiers": ["district", "city"],
    "settlement_cycle": "half_yearly",
    "documents": ["contract", "invoice", "copay_proof", "deliverable"],
    "notice_days": 7,
    "source": "chacewang.com/newsdetail/news537655.html",
}


class CategoryIn(Schema):
    """The share of the price the voucher pays in a category (basis points) and, optionally, at most this much per
    claim in it."""

    share_bp: BasisPoints = Field(gt=0)
    cap_minor: MinorUnits | None = Field(default=None, gt=0)


class WindowIn(Schema):
    opens_on: date
    closes_on: date


class ThresholdIn(Schema):
    """Above this amount (minor units) a member's approval is a proposal that this many other members approve (four
    eyes: 1)."""

    above_minor: MinorUnits
    approvals: int = Field(ge=1, le=9)


class ProgrammeTermsIn(Schema, json_schema_extra={"examples": [TERMS_EXAMPLE]}):
    """A programme's terms: one version. ``face_value`` vouchers need ``face_value_minor`` (and may limit the vouchers
    used at once); ``amount`` entitlements are an amount. The settlement cycle is at most half-yearly (Zhejiang's
    law: settled at least every six months)."""

    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    mode: Mode
    value_kind: ValueKind = "amount"
    face_value_minor: MinorUnits | None = Field(default=None, gt=0)
    max_vouchers_per_use: int | None = Field(default=None, ge=1, le=1000)
    currency: str = Field(default="CNY", pattern=r"^CNY$")
    categories: dict[Category, CategoryIn] = Field(min_length=1, max_length=9)
    per_claim_minor: MinorUnits | None = Field(default=None, gt=0)
    per_period_minor: MinorUnits | None = Field(default=None, gt=0)
    period: Period = "year"
    per_firm_minor: MinorUnits | None = Field(default=None, gt=0)
    validity_months: int = Field(default=12, ge=1, le=60)
    windows: list[WindowIn] = Field(default_factory=list, max_length=12)
    budget_minor: MinorUnits | None = Field(default=None, gt=0)
    regions: list[str] = Field(default_factory=list, max_length=50)
    required: list[Qualification] = Field(default_factory=list, max_length=4)
    favoured: list[Qualification] = Field(default_factory=list, max_length=4)
    review_tiers: list[Tier] = Field(
        default_factory=_issuer_tier, min_length=1, max_length=4,
        description="Desk approval steps by the issuer, in order: tier n+1 starts when tier n approves",
    )
    approval_thresholds: list[ThresholdIn] = Field(default_factory=list, max_length=10)
    refusal_needs_second: bool = False
    settlement_cycle: str = Field(default="half_yearly", max_length=20)
    documents: list[Document] = Field(
        default_factory=_all_documents, max_length=4
    )
    notice_days: int = Field(default=7, ge=0, le=60, description="Public notice of a provider before it is listed")
    declaration_zh: str = Field(default="", max_length=2000)
    declaration_en: str = Field(default="", max_length=2000)
    source: str = Field(default="", max_length=500)
    note: str = Field(default="", max_length=2000)


class ProgrammeCreateIn(ProgrammeTermsIn, json_schema_extra={"examples": [{"code": "yuhuan-2027", **TERMS_EXAMPLE}]}):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,59}$", description="The issuer's own key for the programme")


class ProgrammeEditIn(ProgrammeTermsIn, json_schema_extra={"examples": [{"expected_version": 1, **TERMS_EXAMPLE}]}):
    expected_version: int = Field(ge=1, description="The version you edited: another edit since answers 409")


class StatusIn(Schema, json_schema_extra={"examples": [{"expected_version": 1}]}):
    expected_version: int = Field(ge=1)


PART_EXAMPLE = {"category": "tech_results", "price_minor": 3_000_000}


class PartIn(Schema, json_schema_extra={"examples": [PART_EXAMPLE]}):
    """What the voucher would pay of a price in a category (the per-claim caps applied)."""

    category: Category
    price_minor: MinorUnits


class MoneyOut(Out):
    minor: int
    currency: str


class CategoryOut(Out):
    code: str
    name: MsgOut
    share_bp: int
    cap: MoneyOut | None


class WindowOut(Out):
    opens_on: date
    closes_on: date


class ThresholdOut(Out):
    above_minor: int
    approvals: int


class ProgrammeOut(Out):
    id: int
    issuer: int
    issuer_name: str
    code: str
    status: str = Field(description="draft, open, closed")
    closed_reason: str = Field(description='"issuer", "budget_exhausted" or empty')
    version: int = Field(description="The version these terms are")
    current_version: int = Field(description="The version in force")
    name_zh: str
    name_en: str
    mode: str
    value_kind: str
    face_value: MoneyOut | None
    max_vouchers_per_use: int | None
    categories: list[CategoryOut]
    per_claim: MoneyOut | None
    per_period: MoneyOut | None
    period: str
    per_firm: MoneyOut | None
    validity_months: int
    windows: list[WindowOut]
    budget: MoneyOut | None
    regions: list[str]
    required: list[str]
    favoured: list[str]
    review_tiers: list[str]
    approval_thresholds: list[ThresholdOut]
    refusal_needs_second: bool
    settlement_cycle: str
    documents: list[str]
    notice_days: int
    declaration_zh: str
    declaration_en: str
    source: str
    reliability: str = Field(description="primary, secondary, tertiary (of the source), or issuer")
    note: str
    in_window_today: bool
    terms: list[MsgOut] = Field(description="The terms in words")
    created_at: datetime
    version_created_at: datetime


class PartOut(Out):
    programme_id: int
    programme_version: int
    category: str
    price: MoneyOut
    share_bp: int
    gross: MoneyOut
    cap: MoneyOut | None
    amount: MoneyOut
    copay: MoneyOut
    limited_by: str
    vouchers: int | None
    lines: list[MsgOut]
