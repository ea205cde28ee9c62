"""Pledge applications in and out. Money in integer minor units with its currency; every state change carries the
version of the case the caller read (``expected_version``): a stale or forged one is a 409 and nothing is written."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from market.kit.schema import BasisPoints, MinorUnits, Out, Schema
from market.kit.words import MsgOut

ValuationMethod = Literal["external", "internal", "agreed"]


class ApplicationIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "product_id": 1,
                "patent_ids": [12, 13],
                "amount_minor": 150_000_000,
                "currency": "CNY",
                "term_months": 12,
                "purpose": "流动资金",  # words: data
                "annual_net_sales_minor": 2_000_000_000,
                "valuation_method": "internal",
            }
        ]
    },
):
    """A new application (a draft): the SME's own recorded patents on one published product. The valuation is the
    relief-from-royalty valuation of the patents unless an appraised (external) or agreed value is given."""

    product_id: int = Field(ge=1)
    patent_ids: list[int] = Field(min_length=1, max_length=20)
    amount_minor: MinorUnits = Field(gt=0)
    currency: Literal["CNY"] = "CNY"
    term_months: int = Field(ge=1, le=120)
    purpose: str = Field(default="", max_length=500)
    pure_ip: bool = Field(default=True, description="A pure-IP pledge (no other collateral)")
    annual_net_sales_minor: MinorUnits = Field(
        default=0, description="Annual net sales of the products using the patents (the valuation's base)"
    )
    valuation_method: ValuationMethod = "internal"
    appraised_value_minor: MinorUnits | None = Field(
        default=None, gt=0, description="The appraised (external) or agreed value of all the patents together"
    )

    @model_validator(mode="after")
    def _distinct(self) -> ApplicationIn:
        if len(set(self.patent_ids)) != len(self.patent_ids):
            raise ValueError("validation.duplicate_items")
        return self


class DraftIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "expected_version": 0,
                "patent_ids": [12],
                "amount_minor": 150_000_000,
                "term_months": 12,
                "annual_net_sales_minor": 2_000_000_000,
            }
        ]
    },
):
    """A change to a draft: the same fields as a new application (its product stays), and the version read."""

    expected_version: int = Field(ge=0)
    patent_ids: list[int] = Field(min_length=1, max_length=20)
    amount_minor: MinorUnits = Field(gt=0)
    term_months: int = Field(ge=1, le=120)
    purpose: str = Field(default="", max_length=500)
    pure_ip: bool = True
    annual_net_sales_minor: MinorUnits = 0
    valuation_method: ValuationMethod = "internal"
    appraised_value_minor: MinorUnits | None = Field(default=None, gt=0)


class MoveIn(Schema, json_schema_extra={"examples": [{"expected_version": 3}]}):
    """A state change with nothing else to say: the version of the case the caller read."""

    expected_version: int = Field(ge=0)


class SubmitIn(
    MoveIn, json_schema_extra={"examples": [{"expected_version": 0, "acknowledged": ["pledge.ground.11"]}]}
):
    acknowledged: list[str] = Field(
        default_factory=list,
        max_length=30,
        description="Codes of the reasons shown with severity 'acknowledge' that the SME accepts",
    )


class MoreInfoIn(
    MoveIn,
    json_schema_extra={
        "examples": [
            {
                "expected_version": 2,
                "requirements": ["financial_statements"],
                "text": "请补充最新一期财务报表",  # words: data
            }
        ]
    },
):
    requirements: list[str] = Field(default_factory=list, max_length=20, description="Checklist codes asked for")
    text: str = Field(min_length=1, max_length=2000)


class ValuationDecisionIn(
    MoveIn, json_schema_extra={"examples": [{"expected_version": 2, "outcome": "replaced", "value_minor": 400_000_000}]}
):
    outcome: Literal["accepted", "replaced"]
    value_minor: MinorUnits | None = Field(default=None, gt=0, description="The bank's value when replaced")
    method: ValuationMethod | None = None
    text: str = Field(default="", max_length=2000)


class ProposalIn(
    MoveIn,
    json_schema_extra={
        "examples": [{"expected_version": 2, "outcome": "approve", "amount_minor": 100_000_000, "rate_bp": 420}]
    },
):
    outcome: Literal["approve", "refuse"] = "approve"
    amount_minor: MinorUnits | None = Field(default=None, gt=0)
    rate_bp: BasisPoints | None = None
    term_months: int | None = Field(default=None, ge=1, le=120)
    reasons: list[str] = Field(default_factory=list, max_length=10)
    text: str = Field(default="", max_length=2000)


class ApprovalIn(MoveIn, json_schema_extra={"examples": [{"expected_version": 3, "proposal_id": 7}]}):
    proposal_id: int = Field(ge=1)
    text: str = Field(default="", max_length=2000)


class OfferIn(
    MoveIn,
    json_schema_extra={
        "examples": [
            {
                "expected_version": 4,
                "amount_minor": 100_000_000,
                "rate_bp": 420,
                "term_months": 12,
                "expires_on": "2026-12-31",
            }
        ]
    },
):
    amount_minor: MinorUnits = Field(gt=0)
    rate_bp: BasisPoints = Field(gt=0)
    term_months: int = Field(ge=1, le=120)
    expires_on: date


class RefusalIn(
    MoveIn, json_schema_extra={"examples": [{"expected_version": 2, "reasons": ["pledge.refusal.credit_risk"]}]}
):
    reasons: list[str] = Field(min_length=1, max_length=10)
    text: str = Field(default="", max_length=2000)


class ReasonOut(Out):
    code: str
    source: str
    severity: str
    field: str = ""
    patent_id: int | None = None
    params: dict[str, Any] = {}
    message: MsgOut
    source_text: MsgOut


class PatentLineOut(Out):
    patent_id: int
    number: str
    title: str
    title_en: str = ""  # the English one where it exists: English pages prefer it (pick)
    kind: str
    value_minor: int
    reasons: list[ReasonOut] = []


class DocumentOut(Out):
    id: int
    requirement: str
    version: int
    filename: str
    status: str
    sha256: str
    uploaded_at: datetime


class RequirementOut(Out):
    code: str
    required: bool
    label: MsgOut
    satisfied: bool
    problem: MsgOut | None = None


class PrecheckOut(Out):
    """What the SME sees before submitting: every reason with its source; the amount explained; the checklist."""

    reasons: list[ReasonOut]
    patents: list[PatentLineOut]
    blocking: bool
    to_acknowledge: list[str]
    amount_cap_minor: int
    amount_lines: list[MsgOut]
    requirements: list[RequirementOut]
    documents_complete: bool
    may_submit: bool


class DecisionOut(Out):
    id: int
    kind: str
    outcome: str
    decided_by: int
    role: str
    decided_at: datetime
    reasons: list[ReasonOut] = []
    text: str = ""
    amount_minor: int | None = None
    proposal_id: int | None = None


class ApplicationOut(Out):
    id: int
    case_id: int | None
    reference: str
    state: str
    version: int
    applicant_org_id: int
    applicant_name: str
    bank_org_id: int
    bank_name: str
    product_id: int
    product_version: int
    product_name: str
    product_name_en: str = ""  # the English one where it exists: English pages prefer it (pick)
    amount_minor: int
    currency: str
    term_months: int
    purpose: str
    pure_ip: bool
    valuation_method: str
    valuation_minor: int
    valuation: dict[str, Any]
    patents: list[PatentLineOut]
    acknowledged: list[str]
    offer_amount_minor: int | None
    offer_rate_bp: int | None
    offer_term_months: int | None
    offer_expires_on: date | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    created_at: datetime
    due_on: date | None = None
    events: list[str] = Field(default_factory=list, description="The moves the caller may make now")
    decisions: list[DecisionOut] = []
    documents: list[DocumentOut] = []


class FinanceOptionOut(Out):
    """For one of an SME's patents: a product it may support (or not), with the reasons and the most it may raise."""

    patent_id: int
    product_id: int
    product_name: str
    product_name_en: str = ""  # the English one where it exists: English pages prefer it (pick)
    bank_name: str
    eligible: bool
    max_amount_minor: int | None
    currency: str = "CNY"
    reasons: list[ReasonOut] = []
