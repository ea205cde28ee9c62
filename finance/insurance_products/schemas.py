"""Insurance products in and out of the API. Money in integer minor units (CNY); shares in basis points."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from finance.dossiers.checklist import KNOWN_TYPES
from market.kit.law import PatentKind
from market.kit.schema import BasisPoints, MinorUnits, Out, Schema
from market.kit.words import MsgOut

MIME = r"^[a-z]+/[a-z0-9.+-]+$"
Kind = Literal["enforcement", "infringement_loss", "overseas_liability", "pledge_guarantee"]
FirmTier = Literal["sme", "champion"]


class BaseTierIn(Schema):
    """Shape 1: up to ``max_patents`` patents (none: any number; the last tier), the base premium, the aggregate
    limit as a multiple of the premium and this tier's add-on per patent (none: the table's)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"max_patents": 10, "base_minor": 200_000,
                                                               "limit_multiple": 15, "per_patent_minor": 20_000}]})
    max_patents: int | None = Field(default=None, ge=1, le=100_000)
    base_minor: MinorUnits
    limit_multiple: int = Field(ge=1, le=1000)
    per_patent_minor: MinorUnits | None = None


class FirmTierPriceIn(Schema):
    """Shape 2: premium and limit per patent for one firm tier."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"tier": "sme", "per_patent_premium_minor": 1_000_000,
                                                               "per_patent_limit_minor": 85_000_000}]})
    tier: FirmTier
    per_patent_premium_minor: MinorUnits = Field(gt=0)
    per_patent_limit_minor: MinorUnits = Field(gt=0)


class PremiumTableIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"shape": "per_patent_by_tier", "by_firm_tier": [
                    {"tier": "sme", "per_patent_premium_minor": 1_000_000, "per_patent_limit_minor": 85_000_000}]}
            ]
        }
    )  # fmt: skip
    shape: Literal["base_plus_per_patent", "per_patent_by_tier"]
    base_tiers: list[BaseTierIn] = Field(default_factory=list, max_length=10)
    per_patent_minor: MinorUnits = 0
    by_firm_tier: list[FirmTierPriceIn] = Field(default_factory=list, max_length=5)


class QuestionIn(Schema):
    """An underwriting question: its key, the kind of answer, whether it is material (Insurance Law Art 16) and its
    label in both languages (a standard question's key may leave the label empty: the catalogue's is used)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"key": "known_disputes", "kind": "yes_no",
                                                               "material": True}]})
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    kind: Literal["yes_no", "text", "number"] = "yes_no"
    material: bool = True
    label_zh: str = Field(default="", max_length=300)
    label_en: str = Field(default="", max_length=300)


class RequirementIn(Schema):
    """A line of the document checklist (the shape ``finance.dossiers`` checks): code, required, MIME types, maximum
    age in days and its label in both languages (a standard code may leave the label empty)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "patent_certificate", "required": True,
                                                               "accepted_types": ["application/pdf"]}]})
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    required: bool = True
    accepted_types: list[str] = Field(min_length=1, max_length=10)
    max_age_days: int | None = Field(default=None, ge=1, le=3650)
    label_zh: str = Field(default="", max_length=200)
    label_en: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _types(self) -> RequirementIn:
        if any(not re.match(MIME, t) or t not in KNOWN_TYPES for t in self.accepted_types):
            raise ValueError("insurance_products.accepted_types")
        return self


class ThresholdIn(Schema):
    """Above this aggregate limit (minor units), this many underwriters."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"above_minor": 100_000_000, "approvals": 2}]})
    above_minor: MinorUnits
    approvals: int = Field(ge=1, le=9)


TERMS_EXAMPLE: dict[str, Any] = {
    "name_zh": "专利执行保险",  # words: data
    "name_en": "Patent enforcement insurance",
    "wording_version": "2026-01",
    "territory": "CN",
    "retroactive_days": 0,
    "deductible_minor": 100_000,
    "premium_table": {
        "shape": "base_plus_per_patent",
        "base_tiers": [
            {"max_patents": 10, "base_minor": 200_000, "limit_multiple": 15, "per_patent_minor": 20_000},
            {"max_patents": None, "base_minor": 400_000, "limit_multiple": 30, "per_patent_minor": 40_000},
        ],
    },
    "questions": [{"key": "known_disputes", "kind": "yes_no", "material": True}],
    "documents": [{"code": "patent_certificate", "required": True, "accepted_types": ["application/pdf"]}],
    "approval_thresholds": [{"above_minor": 100_000_000, "approvals": 2}],
    "min_remaining_years": 3,
    "term_months": 12,
    "quote_valid_days": 30,
    "patent_kinds": ["invention", "utility_model", "design"],
    "source": "PICC 2012 pilot",
}


class ProductTermsIn(Schema):
    """A product's terms: one version. The service checks the premium table's shape, the limits and the
    questionnaire, and names the field of each problem."""

    model_config = ConfigDict(json_schema_extra={"examples": [TERMS_EXAMPLE]})
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    wording_version: str = Field(min_length=1, max_length=60)
    territory: str = Field(default="CN", pattern=r"^[A-Za-z_]{2,40}$")
    retroactive_days: int = Field(default=0, ge=0, le=3650)
    per_claim_limit_minor: MinorUnits | None = Field(default=None, gt=0)
    aggregate_limit_minor: MinorUnits | None = Field(default=None, gt=0)
    deductible_minor: MinorUnits = 0
    currency: str = Field(default="CNY", pattern=r"^CNY$")
    premium_table: PremiumTableIn
    questions: list[QuestionIn] = Field(default_factory=list, max_length=40)
    documents: list[RequirementIn] = Field(default_factory=list, max_length=30)
    approval_thresholds: list[ThresholdIn] = Field(default_factory=list, max_length=10)
    refusal_needs_second: bool = False
    min_remaining_years: int = Field(default=0, ge=0, le=20, description="Whole calendar years left at least")
    term_months: int = Field(default=12, ge=1, le=120)
    quote_valid_days: int = Field(default=30, ge=1, le=365)
    loss_share_bp: BasisPoints = Field(default=0, description="pledge_guarantee: the insurer's share of the loss")
    patent_kinds: list[PatentKind] = Field(default_factory=list, max_length=3, description="Empty: every kind")
    source: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)


class ProductCreateIn(ProductTermsIn):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "enforcement-basic", "kind": "enforcement", **TERMS_EXAMPLE}]}
    )
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,59}$", description="The insurer's own key for the product")
    kind: Kind


class VersionIn(ProductTermsIn):
    model_config = ConfigDict(json_schema_extra={"examples": [{"expected_version": 1, **TERMS_EXAMPLE}]})
    expected_version: int = Field(ge=1, description="The version you changed: another change since answers 409")


class StatusIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"expected_version": 1}]})
    expected_version: int = Field(ge=1)


class MoneyOut(Out):
    minor: int
    currency: str


class QuestionOut(Out):
    key: str
    kind: str
    material: bool
    label: MsgOut


class QuestionnaireOut(Out):
    version: int
    questions: list[QuestionOut]


class RequirementOut(Out):
    code: str
    required: bool
    accepted_types: list[str]
    max_age_days: int | None
    label: MsgOut


class ThresholdOut(Out):
    above_minor: int
    approvals: int


class ProductVersionOut(Out):
    id: int = Field(description="The version's id: what an application references")
    product: int
    insurer: int
    insurer_name: str
    code: str
    kind: str
    status: str = Field(description="published, withdrawn")
    version: int
    current_version: int = Field(description="The product's version in force")
    name_zh: str
    name_en: str
    wording_version: str
    territory: str
    retroactive_days: int
    per_claim_limit: MoneyOut | None = Field(description="None: from the premium table")
    aggregate_limit: MoneyOut | None = Field(description="None: from the premium table")
    deductible: MoneyOut
    premium_table: dict[str, Any]
    questionnaire: QuestionnaireOut
    documents: list[RequirementOut]
    approval_thresholds: list[ThresholdOut]
    refusal_needs_second: bool
    min_remaining_years: int
    term_months: int
    quote_valid_days: int
    loss_share_bp: int
    patent_kinds: list[str]
    source: str
    reliability: str
    note: str
    created_at: datetime
    version_created_at: datetime
    published_at: datetime | None


class QuoteLineOut(Out):
    label: MsgOut
    amount: MoneyOut


class QuoteOut(Out):
    product_version: int
    patents: int
    firm_tier: str
    premium: MoneyOut
    per_claim_limit: MoneyOut
    aggregate_limit: MoneyOut
    deductible: MoneyOut
    lines: list[QuoteLineOut]
