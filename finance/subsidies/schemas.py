"""Subsidy programmes, estimates and claims in and out of the API. Money in integer minor units with its currency;
shares in basis points of the premium."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from market.kit.schema import BasisPoints, MinorUnits, Out, Schema
from market.kit.words import MsgOut

Kind = Literal["enforcement", "infringement_loss", "overseas_liability", "pledge_guarantee"]
Tier = Literal["sme", "champion", "champion_2", "champion_3"]

TERMS_EXAMPLE: dict[str, Any] = {
    "name_zh": "北京市知识产权保险保费补贴",  # words: data
    "name_en": "Beijing IP insurance premium subsidy",
    "kinds": ["enforcement", "infringement_loss"],
    "share_first_bp": {"sme": 10000, "champion": 10000},
    "share_later_bp": {"sme": 9000, "champion": 8000},
    "tier_caps_minor": {"sme": 20_000_000, "champion": 50_000_000},
    "budget_minor": 1_000_000_000,
    "approval_thresholds": [{"above_minor": 10_000_000, "approvals": 1}],
    "source": "zscqj.beijing.gov.cn 2020 notice",
}


class ThresholdIn(Schema):
    """Above this amount (minor units) a member's approval is a proposal that this many other members approve (four
    eyes: 1)."""

    above_minor: MinorUnits
    approvals: int = Field(ge=1, le=9)


class ProgrammeTermsIn(Schema, json_schema_extra={"examples": [TERMS_EXAMPLE]}):
    """A programme's terms: one version. Shares per firm tier (basis points of the premium) for the firm's first
    subsidised policy in the programme and for later ones; a tier given no share is not subsidised. Caps: per firm
    (any tier), per tier, per insurance kind; the budget (first come, first served; none: not limited here)."""

    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    kinds: list[Kind] = Field(min_length=1, max_length=4)
    share_first_bp: dict[Tier, BasisPoints] = Field(min_length=1, max_length=4)
    share_later_bp: dict[Tier, BasisPoints] = Field(default_factory=dict, max_length=4)
    cap_per_firm_minor: MinorUnits | None = Field(default=None, gt=0)
    tier_caps_minor: dict[Tier, MinorUnits] = Field(default_factory=dict, max_length=4)
    kind_caps_minor: dict[str, MinorUnits] = Field(
        default_factory=dict, max_length=4,
        description='Cap per kind, or per group of kinds sharing one cap: "enforcement+infringement_loss"',
    )
    budget_minor: MinorUnits | None = Field(default=None, gt=0)
    currency: str = Field(default="CNY", pattern=r"^CNY$")
    approval_thresholds: list[ThresholdIn] = Field(default_factory=list, max_length=10)
    refusal_needs_second: bool = False
    source: str = Field(default="", max_length=500)
    note: str = Field(default="", max_length=2000)


class ProgrammeCreateIn(ProgrammeTermsIn, json_schema_extra={"examples": [{"code": "beijing-2020", **TERMS_EXAMPLE}]}):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,59}$", description="The issuer's own key for the programme")


class ProgrammeEditIn(ProgrammeTermsIn, json_schema_extra={"examples": [{"expected_version": 1, **TERMS_EXAMPLE}]}):
    expected_version: int = Field(ge=1, description="The version you edited: another edit since answers 409")


class StatusIn(Schema, json_schema_extra={"examples": [{"expected_version": 1}]}):
    expected_version: int = Field(ge=1)


class MoveIn(Schema, json_schema_extra={"examples": [{"expected_version": 2}]}):
    expected_version: int = Field(ge=0, description="The case version you read: 409 when it moved meanwhile")


class ClaimIn(Schema, json_schema_extra={"examples": [{"policy_id": 12, "programme_id": 3}]}):
    """A claim on a programme for one of the firm's in-force policies (the proof of payment is uploaded with it,
    multipart, or afterwards as the case's ``premium_paid_proof`` document)."""

    policy_id: int = Field(ge=1)
    programme_id: int = Field(ge=1)


MORE_INFO_EXAMPLE = {"expected_version": 2, "text": "请补充保费发票"}  # words: data


class MoreInfoIn(Schema, json_schema_extra={"examples": [MORE_INFO_EXAMPLE]}):
    expected_version: int = Field(ge=0)
    text: str = Field(min_length=1, max_length=2000)


class ApproveIn(Schema, json_schema_extra={"examples": [{"expected_version": 2, "amount_minor": 900_000}]}):
    """Approve the claim for ``amount_minor`` (none: the amount computed now under the caps; never more). Above the
    programme's threshold this is the maker's proposal and a different member approves it."""

    expected_version: int = Field(ge=0)
    amount_minor: MinorUnits | None = Field(default=None, gt=0)
    text: str = Field(default="", max_length=2000)


class CheckIn(Schema, json_schema_extra={"examples": [{"expected_version": 3, "proposal_id": 41}]}):
    """A checker's approval of the maker's proposal."""

    expected_version: int = Field(ge=0)
    proposal_id: int = Field(ge=1)
    text: str = Field(default="", max_length=2000)


REFUSE_EXAMPLE = {"expected_version": 2, "reasons": ["subsidy.refusal.proof_insufficient"], "text": ""}


class RefuseIn(Schema, json_schema_extra={"examples": [REFUSE_EXAMPLE]}):
    expected_version: int = Field(ge=0)
    reasons: list[str] = Field(min_length=1, max_length=10)
    text: str = Field(default="", max_length=2000)


PAYMENT_EXAMPLE = {"expected_version": 3, "paid_on": "2026-12-20", "reference": "BJ-SUB-2026-0012"}


class PaymentIn(Schema, json_schema_extra={"examples": [PAYMENT_EXAMPLE]}):
    """The issuer's payment of the approved amount: the day paid and its bank reference."""

    expected_version: int = Field(ge=0)
    paid_on: date
    reference: str = Field(min_length=1, max_length=60)


class MoneyOut(Out):
    minor: int
    currency: str


class ThresholdOut(Out):
    above_minor: int
    approvals: int


class ProgrammeOut(Out):
    id: int
    issuer: int
    issuer_name: str
    code: str
    status: str = Field(description="draft, open, closed")
    version: int = Field(description="The version these terms are")
    current_version: int = Field(description="The version in force")
    name_zh: str
    name_en: str
    kinds: list[str]
    share_first_bp: dict[str, int]
    share_later_bp: dict[str, int]
    cap_per_firm: MoneyOut | None
    tier_caps_minor: dict[str, int]
    kind_caps_minor: dict[str, int]
    budget: MoneyOut | None
    budget_used: MoneyOut | None = None
    approval_thresholds: list[ThresholdOut]
    refusal_needs_second: bool
    source: str
    reliability: str = Field(description="primary, secondary, tertiary (of the source), or issuer")
    note: str
    created_at: datetime
    version_created_at: datetime


class EstimateOut(Out):
    programme_id: int
    programme_version: int
    programme_name: str
    programme_name_en: str = ""  # the English one where it exists: English pages prefer it (pick)
    issuer_name: str
    eligible: bool
    first_policy: bool
    firm_tier: str
    share_bp: int
    premium: MoneyOut
    gross: MoneyOut
    cap: MoneyOut | None
    cap_left: MoneyOut | None
    amount: MoneyOut
    limited_by: str = Field(description="share, firm_cap, kind_cap, budget, policy or tier")
    lines: list[MsgOut]
    source: str
    reliability: str


class PaymentOut(Out):
    amount: MoneyOut
    paid_on: date
    reference: str
    recorded_at: datetime


class ClaimDecisionOut(Out):
    id: int
    kind: str
    outcome: str
    decided_by: int | None
    role: str
    decided_at: datetime
    reasons: list[MsgOut]
    text: str
    amount_minor: int | None
    proposal_id: int | None


class ClaimDocumentOut(Out):
    id: int
    requirement: str
    filename: str
    content_type: str
    version: int
    status: str


class ClaimOut(Out):
    id: int
    case_id: int | None
    reference: str
    state: str
    version: int
    programme_id: int
    programme_version: int
    programme_name: str
    programme_name_en: str = ""  # the English one where it exists: English pages prefer it (pick)
    issuer_org_id: int
    issuer_name: str
    applicant_org_id: int
    applicant_name: str
    policy_id: int
    policy_number: str
    kind: str
    firm_tier: str
    first_policy: bool
    premium: MoneyOut
    requested: MoneyOut
    approved: MoneyOut | None
    paid: MoneyOut
    proof: dict[str, Any]
    lines: list[MsgOut]
    payment: PaymentOut | None
    due_on: date | None
    events: list[str]
    pending_proposal_id: int | None = None
    decisions: list[ClaimDecisionOut]
    documents: list[ClaimDocumentOut]
    created_at: datetime


class CapOut(Out):
    key: str
    scope: str
    programme: int | None
    policy: int | None
    limit: MoneyOut
    reserved: MoneyOut
    paid: MoneyOut
