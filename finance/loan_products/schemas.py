"""Loan products and risk pools in and out of the API. Money in integer minor units with its currency; rates and
loan-to-value in basis points."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from finance.dossiers.checklist import KNOWN_TYPES
from market.kit.law import PatentKind
from market.kit.schema import BasisPoints, MinorUnits, Out, Schema
from market.kit.words import MsgOut

MIME = r"^[a-z]+/[a-z0-9.+-]+$"


class RequirementIn(Schema):
    """A line of the document checklist: a code (``identity``, ``financial_statements`` ...), required or
    optional, the MIME types accepted (those ``finance.dossiers`` can tell from the bytes), the maximum age in days
    (none: any age) and its label in both languages."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    required: bool = True
    accepted_types: list[str] = Field(min_length=1, max_length=10)
    max_age_days: int | None = Field(default=None, ge=1, le=3650)
    label_zh: str = Field(min_length=1, max_length=200)
    label_en: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _types(self) -> RequirementIn:
        if any(not re.match(MIME, t) or t not in KNOWN_TYPES for t in self.accepted_types):
            raise ValueError("lending.accepted_types")  # a catalogue code: the message names the types
        return self


class ThresholdIn(Schema):
    """Above this amount (minor units), this many approvers."""

    above_minor: MinorUnits
    approvals: int = Field(ge=1, le=9)


TERMS_EXAMPLE: dict[str, Any] = {
    "name_zh": "知识产权质押贷",  # words: data
    "name_en": "IP pledge loan",
    "kinds": ["invention", "utility_model"],
    "ltv_bp": {"invention": 2500, "utility_model": 1500},
    "min_remaining_years": {"invention": 8, "utility_model": 4},
    "max_amount_minor": 1_000_000_000,
    "max_term_months": 36,
    "documents": [
        {
            "code": "identity",
            "required": True,
            "accepted_types": ["application/pdf"],
            "label_zh": "营业执照",  # words: data
            "label_en": "Business licence",
        }
    ],
    "approval_thresholds": [{"above_minor": 500_000_000, "approvals": 2}],
    "refusal_needs_second": True,
    "pools": [],
}


class ProductTermsIn(Schema, json_schema_extra={"examples": [TERMS_EXAMPLE]}):
    """A product's terms: one version. The service checks that every kind given a loan-to-value or a minimum term
    is accepted, and that the pools exist."""

    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    kinds: list[PatentKind] = Field(min_length=1, max_length=3)
    ltv_bp: dict[PatentKind, BasisPoints] = Field(default_factory=dict, description="Loan-to-value per kind, bp")
    min_remaining_years: dict[PatentKind, int] = Field(default_factory=dict, description="Years left, per kind")
    max_amount_minor: MinorUnits = Field(gt=0)
    currency: str = Field(default="CNY", pattern=r"^CNY$")
    max_term_months: int = Field(ge=1, le=360)
    rate_min_bp: BasisPoints | None = None
    rate_max_bp: BasisPoints | None = None
    documents: list[RequirementIn] = Field(default_factory=list, max_length=30)
    approval_thresholds: list[ThresholdIn] = Field(default_factory=list, max_length=10)
    refusal_needs_second: bool = True
    pools: list[int] = Field(default_factory=list, max_length=20)
    source: str = Field(default="", max_length=500)
    note: str = Field(default="", max_length=2000)


class ProductCreateIn(ProductTermsIn, json_schema_extra={"examples": [{"code": "ip-pledge-loan", **TERMS_EXAMPLE}]}):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,59}$", description="The bank's own key for the product")


class ProductEditIn(ProductTermsIn, json_schema_extra={"examples": [{"expected_version": 1, **TERMS_EXAMPLE}]}):
    expected_version: int = Field(ge=1, description="The version you edited: another edit since answers 409")


class PoolIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "code": "pool-weihai-bank",
                "name_zh": "威海市知识产权质押融资风险补偿资金",  # words: data
                "issuer": "威海市财政局",  # words: data
                "loss_split_bp": {"province": 4000, "city": 2000},
                "cap_first_year_minor": 100_000_000,
                "cap_later_minor": 150_000_000,
                "source": "威海市知识产权质押融资风险补偿实施办法",  # words: data
            }
        ]
    },
):
    """A risk-compensation pool a bank takes part in: each party's share of a principal loss in basis points (what
    no party covers stays with the bank; together at most 100%), per-loan caps, pure-IP only, size, source."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,59}$")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    issuer: str = Field(default="", max_length=200)
    loss_split_bp: dict[str, BasisPoints] = Field(default_factory=dict, max_length=10)
    cap_first_year_minor: MinorUnits | None = None
    cap_later_minor: MinorUnits | None = None
    pure_ip_only: bool = False
    size_minor: MinorUnits | None = None
    scope: str = Field(default="", max_length=1000)
    source: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _shares(self) -> PoolIn:
        if sum(self.loss_split_bp.values()) > 10_000:
            raise ValueError("lending.shares_over_100")
        if any(not re.match(r"^[a-z][a-z_]{0,29}$", p) for p in self.loss_split_bp):
            raise ValueError("lending.party_name")
        return self


class StatusIn(Schema, json_schema_extra={"examples": [{"expected_version": 1}]}):
    expected_version: int = Field(ge=1)


class MoneyOut(Out):
    minor: int
    currency: str


class RequirementOut(Out):
    code: str
    required: bool
    accepted_types: list[str]
    max_age_days: int | None
    label_zh: str
    label_en: str


class ThresholdOut(Out):
    above_minor: int
    approvals: int


class PoolOut(Out):
    id: int
    code: str
    name_zh: str
    name_en: str
    issuer: str
    loss_split_bp: dict[str, int] = Field(description="Each party's share of a principal loss; the rest is the bank's")
    cap_first_year: MoneyOut | None
    cap_later: MoneyOut | None
    pure_ip_only: bool = Field(description="Covers pure-IP pledges only (or the IP share of a mixed pledge)")
    size: MoneyOut | None
    scope: str
    source: str
    reliability: str = Field(description="primary, secondary, tertiary (of the source), or bank")


class ProductOut(Out):
    id: int
    bank: int
    bank_name: str
    code: str
    status: str = Field(description="draft, published, withdrawn")
    version: int = Field(description="The version these terms are")
    current_version: int = Field(description="The version in force")
    name_zh: str
    name_en: str
    kinds: list[str]
    ltv_bp: dict[str, int]
    min_remaining_years: dict[str, int]
    max_amount: MoneyOut
    max_term_months: int
    rate_min_bp: int | None
    rate_max_bp: int | None
    documents: list[RequirementOut]
    approval_thresholds: list[ThresholdOut]
    refusal_needs_second: bool
    pools: list[PoolOut]
    source: str
    reliability: str
    note: str
    created_at: datetime
    version_created_at: datetime
    published_at: datetime | None


class EligibilityOut(Out):
    product: ProductOut
    eligible: bool
    reasons: list[MsgOut]
    max_amount: MoneyOut | None
