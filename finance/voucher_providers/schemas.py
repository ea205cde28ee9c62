"""Voucher providers, objections and catalogued services in and out of the API. Money in integer minor units with
its currency."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from finance.voucher_programmes.schemas import Category, MoneyOut
from market.kit.schema import MinorUnits, Out, Schema
from market.kit.words import MsgOut

__all__ = ["MoneyOut"]

APPLY_EXAMPLE = {
    "programme_id": 1,
    "statement": "专利检索、查新与知识产权托管服务，十年经验",  # words: data
    "categories": ["novelty_search", "ip_services"],
}


class ApplyIn(Schema, json_schema_extra={"examples": [APPLY_EXAMPLE]}):
    """An application to a programme's catalogue (the evidence documents are uploaded with it, multipart, or
    afterwards to the case's checklist)."""

    programme_id: int = Field(ge=1)
    statement: str = Field(default="", max_length=4000, description="The service capability statement in words")
    categories: list[Category] = Field(default_factory=list, max_length=9, description="What the provider will offer")


class MoveIn(Schema, json_schema_extra={"examples": [{"expected_version": 1}]}):
    expected_version: int = Field(ge=0, description="The case version you read: 409 when it moved meanwhile")
    text: str = Field(default="", max_length=2000)


MORE_INFO_EXAMPLE = {"expected_version": 1, "text": "请补充营业执照副本"}  # words: data


class MoreInfoIn(Schema, json_schema_extra={"examples": [MORE_INFO_EXAMPLE]}):
    expected_version: int = Field(ge=0)
    text: str = Field(min_length=1, max_length=2000)


REASONED_EXAMPLE = {"expected_version": 4, "reasons": ["voucher_provider.delisting.collusion"], "text": ""}


class ReasonedIn(Schema, json_schema_extra={"examples": [REASONED_EXAMPLE]}):
    """A refusal, suspension, reinstatement or delisting with its coded reasons."""

    expected_version: int = Field(ge=0)
    reasons: list[str] = Field(min_length=1, max_length=10)
    text: str = Field(default="", max_length=2000)


OBJECTION_EXAMPLE = {"text": "该机构曾出具虚假检索报告"}  # words: data


class ObjectionIn(Schema, json_schema_extra={"examples": [OBJECTION_EXAMPLE]}):
    text: str = Field(min_length=5, max_length=4000)


DECISION_EXAMPLE = {"uphold": False, "text": "经核实不成立"}  # words: data


class ObjectionDecisionIn(Schema, json_schema_extra={"examples": [DECISION_EXAMPLE]}):
    uphold: bool
    text: str = Field(min_length=1, max_length=2000)


SERVICE_EXAMPLE = {
    "category": "novelty_search",
    "title_zh": "科技查新报告",  # words: data
    "title_en": "Novelty search report",
    "unit": "report",
    "price_minor": 300_000,
}


class ServiceIn(Schema, json_schema_extra={"examples": [SERVICE_EXAMPLE]}):
    category: Category
    title_zh: str = Field(min_length=1, max_length=200)
    title_en: str = Field(default="", max_length=200)
    description_zh: str = Field(default="", max_length=4000)
    description_en: str = Field(default="", max_length=4000)
    unit: str = Field(default="", max_length=40)
    price_minor: MinorUnits = Field(gt=0)


class ServiceReviseIn(ServiceIn, json_schema_extra={"examples": [SERVICE_EXAMPLE]}):
    """The service as it should read now: a new service superseding the one revised."""


class ServiceOut(Out):
    id: int
    provider_id: int
    programme_id: int
    org_id: int
    category: str
    category_name: MsgOut
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    unit: str
    price: MoneyOut
    status: str = Field(description="active, superseded, withdrawn")
    supersedes: int | None
    declaration_id: int | None = Field(description="The open licence catalogued (tech_results), if any")
    declaration_version: int | None
    created_at: datetime


class ObjectionOut(Out):
    id: int
    text: str
    status: str = Field(description="open, upheld, dismissed")
    lodged_at: datetime
    lodged_by_org: int | None = Field(description="Shown to the issuer only")
    decided_at: datetime | None
    decision_text: str


class DecisionOut(Out):
    id: int
    kind: str
    outcome: str
    decided_at: datetime
    text: str
    reasons: list[MsgOut]


class DocumentOut(Out):
    id: int
    requirement: str
    filename: str
    content_type: str
    version: int
    status: str


class ProviderOut(Out):
    id: int
    case_id: int | None
    reference: str
    state: str = Field(description="applied, in_review, more_info, notice, listed, suspended, refused, delisted")
    version: int
    listed_today: bool
    programme_id: int
    programme_version: int
    programme_name: str
    issuer_org_id: int
    org_id: int
    org_name: str
    org_kind: str
    statement: str
    notice_days: int
    notice_from: date | None
    notice_ends_on: date | None
    listed_on: date | None
    suspended_on: date | None
    delisted_on: date | None
    events: list[str]
    objections: list[ObjectionOut]
    decisions: list[DecisionOut]
    documents: list[DocumentOut]
    services: list[ServiceOut]
    created_at: datetime
