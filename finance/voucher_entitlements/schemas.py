"""Voucher applications and entitlements in and out of the API. Money in integer minor units with its currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from market.kit.schema import MinorUnits, Out, Schema
from market.kit.words import MsgOut

DECLARATIONS = ("no_double_funding",)  # what an SME declares when it applies (its text: the programme's)

APPLY_EXAMPLE: dict[str, Any] = {
    "programme_id": 3,
    "amount_minor": 5_000_000,
    "purpose": "购买浙江大学开放许可专利 CN108982325B 的实施许可，用于新一代传感器研发",  # words: data
    "declarations": ["no_double_funding"],
}


class ApplyIn(Schema, json_schema_extra={"examples": [APPLY_EXAMPLE]}):
    """An SME's application to a programme: the amount asked (a programme of amounts) or how many vouchers (a
    programme of face values), what for, and the declarations it makes (``no_double_funding``: the programme's text,
    frozen with the application)."""

    programme_id: int = Field(ge=1)
    amount_minor: MinorUnits | None = Field(default=None, gt=0)
    vouchers: int | None = Field(default=None, ge=1, le=10_000)
    purpose: str = Field(min_length=1, max_length=2000)
    declarations: list[str] = Field(default_factory=list, max_length=5)


class MoveIn(Schema, json_schema_extra={"examples": [{"expected_version": 2}]}):
    expected_version: int = Field(ge=0, description="The case version you read: 409 when it moved meanwhile")


MORE_INFO_EXAMPLE = {"expected_version": 2, "text": "请补充项目预算说明"}  # words: data


class MoreInfoIn(Schema, json_schema_extra={"examples": [MORE_INFO_EXAMPLE]}):
    expected_version: int = Field(ge=0)
    text: str = Field(min_length=1, max_length=2000)


APPROVE_EXAMPLE = {"expected_version": 2, "text": "区级初审通过"}  # words: data


class ApproveIn(Schema, json_schema_extra={"examples": [APPROVE_EXAMPLE]}):
    """The tier now reviewing approves. At the last tier the amount may be lowered (``amount_minor``; a programme of
    face values: ``vouchers``), never raised. Above the programme's four-eyes threshold this is the maker's proposal
    and a different member approves it."""

    expected_version: int = Field(ge=0)
    amount_minor: MinorUnits | None = Field(default=None, gt=0)
    vouchers: int | None = Field(default=None, ge=1, le=10_000)
    text: str = Field(default="", max_length=2000)


class CheckIn(Schema, json_schema_extra={"examples": [{"expected_version": 3, "proposal_id": 41}]}):
    """A checker's approval of the maker's proposal."""

    expected_version: int = Field(ge=0)
    proposal_id: int = Field(ge=1)
    text: str = Field(default="", max_length=2000)


REFUSE_EXAMPLE = {"expected_version": 2, "reasons": ["voucher.refusal.double_funding"], "text": ""}


class RefuseIn(Schema, json_schema_extra={"examples": [REFUSE_EXAMPLE]}):
    expected_version: int = Field(ge=0)
    reasons: list[str] = Field(min_length=1, max_length=10)
    text: str = Field(default="", max_length=2000)


REVOKE_EXAMPLE = {"reason": "voucher.revoke.collusion", "text": "与服务机构存在关联交易"}  # words: data


class RevokeIn(Schema, json_schema_extra={"examples": [REVOKE_EXAMPLE]}):
    reason: str = Field(min_length=1, max_length=80)
    text: str = Field(default="", max_length=2000)


class MoneyOut(Out):
    minor: int
    currency: str


class FindingOut(Out):
    """One point of the eligibility pre-check or a refusal: its code, ``block`` or ``warn``, the sentence and the
    rule it comes from."""

    code: str
    severity: str
    message: MsgOut
    source: MsgOut


class EligibilityOut(Out):
    programme_id: int
    programme_version: int
    programme_name: str
    programme_name_en: str = ""  # the English one where it exists: English pages prefer it (pick)
    issuer_name: str
    value_kind: str = Field(description="amount, or face_value (vouchers × face value)")
    face_value: MoneyOut | None
    eligible: bool
    findings: list[FindingOut]
    required: list[str]
    favoured: list[str]
    favoured_held: list[str]
    budget_left: MoneyOut | None
    firm_left: MoneyOut | None
    asked: MoneyOut | None
    validity_months: int
    declaration_zh: str
    declaration_en: str


class DecisionOut(Out):
    id: int
    kind: str
    outcome: str
    decided_by: int | None
    role: str
    decided_at: datetime
    tier: str
    reasons: list[MsgOut]
    text: str
    amount_minor: int | None
    proposal_id: int | None


class ApplicationOut(Out):
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
    value_kind: str
    requested: MoneyOut
    vouchers: int | None
    face_value: MoneyOut | None
    purpose: str
    declarations: list[dict[str, Any]]
    findings: list[FindingOut] = Field(description="The eligibility pre-check as computed when filed")
    qualifications: dict[str, Any]
    favoured: list[str]
    priority: int
    tiers: list[str]
    tier: int
    tier_name: str
    approved: MoneyOut | None
    entitlement_id: int | None
    due_on: date | None
    events: list[str]
    pending_proposal_id: int | None = None
    decisions: list[DecisionOut]
    created_at: datetime


class BalanceOut(Out):
    granted: MoneyOut
    available: MoneyOut
    held: MoneyOut
    captured: MoneyOut
    released: MoneyOut
    expired: MoneyOut
    revoked: MoneyOut


class EntryOut(Out):
    id: int
    kind: str
    amount: MoneyOut
    ref: str
    at: datetime


class EntitlementOut(Out):
    id: int
    application_id: int | None
    programme_id: int
    programme_version: int
    programme_name: str
    programme_name_en: str = ""  # the English one where it exists: English pages prefer it (pick)
    holder_org_id: int
    holder_name: str
    issuer_org_id: int
    granted: MoneyOut
    vouchers: int | None
    face_value: MoneyOut | None
    balance: BalanceOut
    issued_on: date
    expires_at: datetime
    last_day: date = Field(description="The last day it may be used (China time)")
    status: str = Field(description="active, expired or revoked")
    revoked_reason: MsgOut | None
    entries: list[EntryOut] = Field(default_factory=list)
