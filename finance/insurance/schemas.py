"""Insurance applications in and out. Money in integer minor units with its currency; every state change carries
the version of the case the caller read (``expected_version``): a stale or forged one is a 409, nothing written."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from market.kit.schema import Out, Schema
from market.kit.words import MsgOut

Answer = bool | int | float | str


class EligibilityIn(Schema, json_schema_extra={"examples": [{"product_version_id": 3, "patent_ids": [12, 13]}]}):
    """Which of these patents one product version would cover, and why not (nothing is written)."""

    product_version_id: int = Field(ge=1)
    patent_ids: list[int] = Field(min_length=1, max_length=50)


class ApplicationIn(
    Schema, json_schema_extra={"examples": [{"product_version_id": 3, "patent_ids": [12, 13]}]}
):
    """A new application: a published product version and the patents to cover (the SME's own, or licensed on this
    platform with the patentee's consent). Eligibility runs first: a blocking reason refuses it (422, per patent)."""

    product_version_id: int = Field(ge=1)
    patent_ids: list[int] = Field(min_length=1, max_length=50)
    pledge_application_id: int | None = Field(
        default=None, ge=1, description="A pledge-loan guarantee cover: the pledge application it guarantees"
    )

    @model_validator(mode="after")
    def _distinct(self) -> ApplicationIn:
        if len(set(self.patent_ids)) != len(self.patent_ids):
            raise PydanticCustomError("insurance.patents_repeated", "a patent is named twice")
        return self


class AnswersIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "questionnaire_version": 1,
                "answers": {"known_disputes": False, "products_using_patents": "智能灌溉控制器"},  # words: data
                "acknowledge_disclosure": True,
            }
        ]
    },
):
    """The product version's questionnaire answered once, with the Insurance Law Art 16 duty of disclosure
    acknowledged: the answers, the questionnaire's version and the quote are frozen then (a second answer is a 409)."""

    questionnaire_version: int = Field(ge=1, description="The questionnaire version shown to the SME")
    answers: dict[str, Answer] = Field(max_length=100)
    acknowledge_disclosure: bool = Field(description="I have read the duty of disclosure (Insurance Law Art 16)")


class MoveIn(Schema, json_schema_extra={"examples": [{"expected_version": 3}]}):
    """A state change with nothing else to say: the version of the case the caller read."""

    expected_version: int = Field(ge=0)


class MoreInfoIn(
    MoveIn,
    json_schema_extra={
        "examples": [
            {
                "expected_version": 2,
                "requirements": ["co_owner_consent"],
                "text": "请补充共有专利权人的书面同意",  # words: data
            }
        ]
    },
):
    requirements: list[str] = Field(default_factory=list, max_length=20, description="Checklist codes asked for")
    text: str = Field(min_length=1, max_length=2000)


class DecisionIn(
    MoveIn,
    json_schema_extra={
        "examples": [
            {
                "expected_version": 3,
                "outcome": "accept",
                "conditions": ["不承保保单生效前已知的侵权纠纷"],  # words: data
                "reasons": ["insurance.condition.exclusion"],
            },
            {"expected_version": 3, "outcome": "decline", "reasons": ["insurance.decline.non_disclosure"]},
        ]
    },
):
    """The underwriter's decision: accept (with conditions, each a sentence; coded reasons where relevant) or
    decline (coded reasons, at least one). Above the product version's four-eyes threshold an acceptance is a
    proposal that a different member approves."""

    outcome: Literal["accept", "decline"]
    conditions: list[str] = Field(default_factory=list, max_length=20)
    reasons: list[str] = Field(default_factory=list, max_length=10)
    text: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _conditions(self) -> DecisionIn:
        if any(not c.strip() or len(c) > 500 for c in self.conditions):
            raise PydanticCustomError("insurance.condition_invalid", "a condition is empty or too long")
        return self


class ApprovalIn(MoveIn, json_schema_extra={"examples": [{"expected_version": 4, "proposal_id": 7}]}):
    proposal_id: int = Field(ge=1)
    text: str = Field(default="", max_length=2000)


class ConsentRequestIn(Schema, json_schema_extra={"examples": [{"licence_id": 5}]}):
    """One click: ask the patentee (the university that licensed the patent) to consent to insuring it."""

    licence_id: int = Field(ge=1)


class ConsentDecisionIn(
    Schema,
    json_schema_extra={"examples": [{"expected_version": 1, "outcome": "grant", "note": "同意投保"}]},  # words: data
):
    expected_version: int = Field(ge=1)
    outcome: Literal["grant", "refuse"] = "grant"
    note: str = Field(default="", max_length=1000)


class ReasonOut(Out):
    code: str
    source: str
    severity: str
    field: str = ""
    patent_id: int | None = None
    params: dict[str, Any] = {}
    message: MsgOut
    source_text: MsgOut


class EligibilityOut(Out):
    patent_id: int
    number: str
    ok: bool
    role: str
    licence_id: int | None = None
    reasons: list[ReasonOut] = []


class PatentLineOut(Out):
    patent_id: int
    number: str
    title: str
    title_en: str = ""  # the English one where it exists: English pages prefer it (pick)
    kind: str
    role: str
    licence_id: int | None = None


class QuestionOut(Out):
    key: str
    kind: str
    label: MsgOut
    material: bool


class QuoteLineOut(Out):
    label: MsgOut
    amount_minor: int
    currency: str


class QuoteOut(Out):
    premium_minor: int
    per_claim_limit_minor: int
    aggregate_limit_minor: int
    deductible_minor: int
    currency: str
    lines: list[QuoteLineOut]
    valid_until: date
    patents: int
    firm_tier: str


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
    conditions: list[str] = []


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


class ApplicationOut(Out):
    id: int
    case_id: int | None
    reference: str
    state: str
    version: int
    applicant_org_id: int
    applicant_name: str
    insurer_org_id: int
    insurer_name: str
    product_id: int
    product_version_id: int
    product_name: str
    product_name_en: str = ""  # the English one where it exists: English pages prefer it (pick)
    kind: str
    firm_tier: str
    currency: str
    patents: list[PatentLineOut]
    eligibility: list[EligibilityOut]
    questionnaire_version: int | None
    questions: list[QuestionOut]
    answers: dict[str, Any]
    answered: bool
    disclosure_ack_at: datetime | None
    disclosure_ack_by: int | None
    quote: QuoteOut | None
    conditions: list[str]
    four_eyes: bool = Field(description="The aggregate limit is above the product version's four-eyes threshold")
    pending_proposal_id: int | None = None
    pledge_application_id: int | None
    policy_id: int | None
    submitted_at: datetime | None
    decided_at: datetime | None
    created_at: datetime
    due_on: date | None = None
    events: list[str] = Field(default_factory=list, description="The moves the caller may make now")
    decisions: list[DecisionOut] = []
    documents: list[DocumentOut] = []
    requirements: list[RequirementOut] = []


class ApplicationSummaryOut(Out):
    """A line of a list: the application and its case, without its details (read one for those)."""

    id: int
    reference: str
    state: str
    version: int
    applicant_org_id: int
    applicant_name: str
    insurer_org_id: int
    insurer_name: str
    product_version_id: int
    kind: str
    currency: str
    premium_minor: int | None
    aggregate_limit_minor: int | None
    quote_valid_until: date | None
    due_on: date | None
    breached: bool = False
    submitted_at: datetime | None
    created_at: datetime


class ConsentOut(Out):
    id: int
    licence_id: int
    patent_id: int
    patent_number: str
    licensee_org_id: int
    licensee_name: str
    patentee_org_id: int
    patentee_name: str
    state: str
    version: int
    note: str
    requested_at: datetime
    decided_at: datetime | None
