"""Insurance claims in and out. Money in integer minor units with its currency; every state change carries the
version of the claim's desk case the caller read (``expected_version``): a stale one is a 409, nothing written."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, model_validator

from market.kit.schema import MinorUnits, Out, Schema
from market.kit.words import MsgOut

Forum = Literal["court", "arbitration", "administrative"]
CostKind = Literal[
    "investigation", "lawyer", "court_fee", "arbitration_fee", "administrative_fee", "expert", "travel", "other"
]


class ClaimNoticeIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "patent_id": 12,
                "counterparty": "深圳某电子有限公司",  # words: data
                "forum": "court",
                "event_on": "2027-02-01",
                "first_claim_on": "2027-03-01",
                "description": "对方在电商平台销售侵权产品",  # words: data
                "acceptance_number": "(2027)粤03民初1234号",  # words: data
                "accepted_on": "2027-03-15",
            }
        ]
    },
):
    """The insured's notice: the patent (one of the policy's), the counterparty, the forum, when the infringement
    began (``event_on``), when the claim was first made or the loss found (``first_claim_on``: inside the period),
    when the insured first knew of the dispute (``first_known_on``, if earlier), and for enforcement cover the case's
    acceptance number and date (立案/受理) once there is one."""

    patent_id: int = Field(ge=1)
    counterparty: str = Field(min_length=1, max_length=200)
    forum: Forum
    event_on: date
    first_claim_on: date
    first_known_on: date | None = None
    description: str = Field(default="", max_length=4000)
    acceptance_number: str = Field(default="", max_length=60)
    accepted_on: date | None = None

    @model_validator(mode="after")
    def _acceptance_whole(self) -> ClaimNoticeIn:
        if bool(self.acceptance_number) != (self.accepted_on is not None):
            raise ValueError("insurance_claim.acceptance_incomplete")
        return self


class AcceptanceIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "expected_version": 1,
                "acceptance_number": "(2027)粤03民初1234号",  # words: data
                "accepted_on": "2027-03-15",
            }
        ]
    },
):
    """The case's acceptance (立案/受理) recorded after the notice."""

    expected_version: int = Field(ge=0)
    acceptance_number: str = Field(min_length=1, max_length=60)
    accepted_on: date


class CostIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "kind": "lawyer",
                "amount_minor": 3_000_000,
                "incurred_on": "2027-03-20",
                "invoice_number": "44031234",
                "description": "一审代理费",  # words: data
            }
        ]
    },
):
    """One cost with its invoice (the file is sent beside these fields as multipart ``file``)."""

    kind: CostKind
    amount_minor: MinorUnits = Field(gt=0)
    incurred_on: date
    invoice_number: str = Field(min_length=1, max_length=60)
    description: str = Field(default="", max_length=1000)


class MoveIn(Schema, json_schema_extra={"examples": [{"expected_version": 2}]}):
    expected_version: int = Field(ge=0)


class MoreInfoIn(
    MoveIn, json_schema_extra={"examples": [{"expected_version": 2, "text": "请补充发票原件"}]}  # words: data
):
    text: str = Field(min_length=1, max_length=2000)


class AssessmentIn(MoveIn, json_schema_extra={"examples": [{"expected_version": 2, "text": ""}]}):
    text: str = Field(default="", max_length=2000)


class PaymentIn(
    MoveIn,
    json_schema_extra={"examples": [{"expected_version": 3, "paid_on": "2027-06-30", "reference": "PAY-2027-0001"}]},
):
    paid_on: date
    reference: str = Field(min_length=1, max_length=60)


class DenialIn(
    MoveIn,
    json_schema_extra={
        "examples": [
            {"expected_version": 2, "reasons": ["insurance_claim.before_retroactive_date"], "text": ""}
        ]
    },
):
    reasons: list[str] = Field(min_length=1, max_length=10)
    text: str = Field(default="", max_length=2000)


class GuaranteeIn(
    Schema, json_schema_extra={"examples": [{"policy_id": 3, "pledge_application_id": 7}]}
):
    policy_id: int = Field(ge=1)
    pledge_application_id: int = Field(ge=1)


class ReasonOut(Out):
    code: str
    source: str
    field: str = ""
    message: MsgOut
    source_text: MsgOut


class CostOut(Out):
    id: int
    kind: str
    kind_text: MsgOut
    amount_minor: int
    currency: str
    incurred_on: date | None
    invoice_number: str
    description: str
    document_id: int | None
    sha256: str
    invoice_url: str | None
    pre_approved: bool
    pre_approved_at: datetime | None
    reasons: list[ReasonOut] = []


class LineOut(Out):
    key: str
    label: MsgOut
    amount_minor: int
    cost_id: int | None = None
    reasons: list[ReasonOut] = []


class DecisionOut(Out):
    id: int
    kind: str
    outcome: str
    role: str
    decided_at: datetime
    reasons: list[ReasonOut] = []
    text: str = ""
    amount_minor: int | None = None


class LetterOut(Out):
    id: int
    decision: int
    sha256: str
    text: str
    url: str


class ClaimOut(Out):
    id: int
    case_id: int | None
    reference: str
    state: str
    version: int
    policy_id: int
    policy_number: str
    kind: str
    insured_org_id: int
    insured_name: str
    insurer_org_id: int
    insurer_name: str
    patent_id: int | None
    patent_number: str
    counterparty: str
    forum: str
    event_on: date | None
    first_claim_on: date | None
    first_known_on: date | None
    description: str
    acceptance_number: str
    accepted_on: date | None
    currency: str
    claimed_minor: int
    loan_id: int | None
    pledge_application_id: int | None
    per_claim_limit_minor: int
    aggregate_limit_minor: int
    aggregate_used_minor: int
    deductible_minor: int
    starts_on: date | None
    ends_on: date | None
    retroactive_date: date | None
    costs: list[CostOut]
    costs_total_minor: int
    assessment: list[LineOut] = []
    assessed_minor: int | None
    paid_minor: int | None
    paid_on: date | None
    payment_reference: str
    coverage: list[ReasonOut] = []
    denial_reasons: list[ReasonOut] = []
    events: list[str] = []
    decisions: list[DecisionOut] = []
    letters: list[LetterOut] = []
    created_at: datetime
    due_on: date | None


class GuaranteeOut(Out):
    id: int
    policy_id: int
    pledge_application_id: int
    document_id: int | None
    attached_at: datetime


class BookOut(Out):
    claims_by_state: dict[str, int]
    paid_total_minor: int
    currency: str


