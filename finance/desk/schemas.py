from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from market.kit.schema import Out, Schema
from market.kit.words import MsgOut


class ReasonOut(Out):
    code: str = Field(description="The reason's stable code; its text is the catalogue entry reason.<code>")
    source: str = Field(description="Where the rule comes from: a law.* catalogue code (article, notice, product rule)")
    severity: Literal["block", "warn", "acknowledge"]
    field: str = ""
    message: MsgOut
    article: MsgOut


class DecisionOut(Out):
    id: int
    case: int
    kind: str = Field(description="proposal, approval, refusal, more_info, precheck, valuation, offer, note ...")
    outcome: str
    decided_by: int | None
    role: str
    org: int | None
    decided_at: datetime
    reasons: list[ReasonOut]
    text: str
    snapshot: dict[str, Any] = Field(description="The inputs as read when deciding, frozen")
    amount_minor: int | None
    currency: str
    proposal: int | None = Field(description="For an approval: the proposal it approves")
    maker: int | None = Field(description="For an approval: who made the proposal (never the approver)")
    supersedes: int | None = Field(description="The decision this one amends")
    approvals_required: int = Field(description="For a proposal: distinct approvals it needs")


class CaseOut(Out):
    id: int
    kind: str = Field(description="What is reviewed, e.g. pledge_loan")
    subject: int = Field(description="The id of the reviewed thing in its module (e.g. the pledge application)")
    reference: str
    reviewer_org: int
    applicant_org: int
    state: str
    version: int = Field(description="Send it back with an action: a case changed meanwhile answers 409")
    amount_minor: int
    currency: str
    assignee: int | None
    sla_working_days: int
    sla_started_on: date | None = Field(description="The day the clock started (submission)")
    due_on: date | None = Field(description="The last working day allowed, pauses included")
    paused: bool = Field(description="Waiting on the applicant: the clock is paused")
    breached: bool
    breached_at: datetime | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    url: str = Field(description="The case's page")


class CasePageOut(Out):
    items: list[CaseOut]
    total: int
    limit: int
    offset: int


class ClaimIn(Schema, json_schema_extra={"examples": [{"version": 3}]}):
    version: int = Field(ge=0, description="The case's version as read")


class AssignIn(Schema, json_schema_extra={"examples": [{"version": 3, "to_user": 12}]}):
    version: int = Field(ge=0, description="The case's version as read")
    to_user: int | None = Field(description="A member of the reviewer organisation; null puts it back in the queue")


class CalendarDayIn(
    Schema,
    json_schema_extra={"examples": [{"kind": "holiday", "name": "春节", "source": ""}]},  # words: data
):
    kind: Literal["holiday", "workday"] = Field(description="holiday: a day off; workday: a weekend day worked")
    name: str = Field(max_length=100)
    source: str = Field(default="", max_length=200, description="The notice it comes from (a law.* code or a title)")
    provisional: bool = Field(default=False, description="Statutory day whose make-up workdays are not announced yet")


class CalendarDayOut(Out):
    day: date
    kind: str
    name: str
    source: str
    source_label: MsgOut | None = Field(default=None, description="The source's title where it is a law.* code")
    provisional: bool
    updated_at: datetime
