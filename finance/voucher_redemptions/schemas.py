"""Voucher redemptions in and out of the API: the licence checkout's voucher choice, service orders, claims and their
review. Money in integer minor units with its currency; shares in basis points of the price."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from finance.voucher_entitlements.records import EntitlementRecord
from finance.voucher_programmes.records import VoucherPart
from market.kit.schema import MAX_MINOR, Out, Schema
from market.kit.words import MsgOut


class LicenceVoucherIn(Schema, json_schema_extra={"examples": [{"entitlement_id": 7, "amount_minor": 5_000_000}]}):
    """Pay the voucher's share of a licence's amount due from one of the firm's entitlements: the share the programme
    pays in ``tech_results`` (capped per claim and by what is available), or less (``amount_minor``)."""

    entitlement_id: int = Field(ge=1)
    amount_minor: int | None = Field(
        default=None, ge=-MAX_MINOR, le=MAX_MINOR, description="At most the voucher's part; none: all of it"
    )  # any whole number: the service says why zero, a negative amount or one above the part is refused


class OrderIn(Schema, json_schema_extra={"examples": [{"service_id": 3, "entitlement_id": 7, "quantity": 1}]}):
    """Order a catalogued service, paying the voucher's part from one of the firm's entitlements (held when the
    provider confirms). The price is the catalogue's, as read now, times ``quantity``."""

    service_id: int = Field(ge=1)
    entitlement_id: int = Field(ge=1)
    quantity: int = Field(default=1, ge=1, le=1000)
    amount_minor: int | None = Field(
        default=None, ge=-MAX_MINOR, le=MAX_MINOR, description="At most the voucher's part; none: all of it"
    )  # any whole number: the service says why zero, a negative amount or one above the part is refused


class ReimburseIn(Schema, json_schema_extra={"examples": [{"service_id": 3, "entitlement_id": 7, "quantity": 1}]}):
    """Enterprise-reimbursed programmes (通用): the firm paid a listed provider's catalogued service in full and claims
    the voucher's part back (the four documents are uploaded with it: multipart fields ``contract``, ``invoice``,
    ``copay_proof``, ``deliverable``)."""

    service_id: int = Field(ge=1)
    entitlement_id: int = Field(ge=1)
    quantity: int = Field(default=1, ge=1, le=1000)
    amount_minor: int | None = Field(
        default=None, ge=-MAX_MINOR, le=MAX_MINOR, description="At most the voucher's part; none: all of it"
    )  # any whole number: the service says why zero, a negative amount or one above the part is refused


class VersionIn(Schema, json_schema_extra={"examples": [{"expected_version": 1}]}):
    expected_version: int = Field(ge=0, description="The version you read: 409 when it moved meanwhile")


APPROVE_EXAMPLE = {"expected_version": 2, "text": "材料齐全"}  # words: data


class ApproveIn(Schema, json_schema_extra={"examples": [APPROVE_EXAMPLE]}):
    """Approve the claim (the hold captured): all of the voucher's part held, or less (``amount_minor``)."""

    expected_version: int = Field(ge=0)
    amount_minor: int | None = Field(default=None, ge=1)
    text: str = Field(default="", max_length=2000)


class CheckIn(Schema, json_schema_extra={"examples": [{"expected_version": 3, "proposal_id": 12}]}):
    expected_version: int = Field(ge=0)
    proposal_id: int = Field(ge=1)
    text: str = Field(default="", max_length=2000)


MORE_INFO_EXAMPLE = {"expected_version": 2, "text": "请补充发票"}  # words: data


class MoreInfoIn(Schema, json_schema_extra={"examples": [MORE_INFO_EXAMPLE]}):
    expected_version: int = Field(ge=0)
    text: str = Field(min_length=1, max_length=2000)


class RefuseIn(
    Schema,
    json_schema_extra={"examples": [{"expected_version": 2, "reasons": ["voucher_redemption.refusal.not_delivered"]}]},
):
    expected_version: int = Field(ge=0)
    reasons: list[str] = Field(min_length=1, max_length=5)
    text: str = Field(default="", max_length=2000)


class MoneyOut(Out):
    minor: int
    currency: str


class DocumentOut(Out):
    id: int
    requirement: str
    filename: str
    content_type: str
    sha256: str
    status: str
    uploaded_at: datetime


class DecisionOut(Out):
    id: int
    kind: str
    outcome: str
    decided_by: int | None
    role: str
    decided_at: datetime
    reasons: list[MsgOut]
    text: str
    amount_minor: int | None
    proposal_id: int | None = None


class RequirementOut(Out):
    code: str
    label: MsgOut
    required: bool
    automatic: bool  # attached by the platform (a licence's contract and proof of co-pay, a stored deliverable)


class RedemptionOut(Out):
    """A redemption: what was bought from whom, the voucher's part held (line by line) and what the firm pays; its
    claim on the desk once filed (state, version, documents, decisions)."""

    id: int
    source: str
    status: str
    version: int
    programme_id: int
    programme_version: int
    programme_name: str
    programme_name_en: str = ""  # the English one where it exists: English pages prefer it (pick)
    entitlement_id: int
    hold_id: int | None
    hold_ref: str
    sme_org_id: int
    sme_name: str
    provider_org_id: int
    provider_name: str
    payee_org_id: int
    issuer_org_id: int
    category: str
    licence_id: int | None
    service_id: int | None
    title: str
    price: MoneyOut
    share_bp: int
    voucher: MoneyOut
    copay: MoneyOut
    captured: MoneyOut | None
    lines: list[MsgOut]
    period_key: str
    deliverable_sha256: str | None
    copay_proof: dict[str, Any]
    case_id: int | None
    reference: str | None
    claim_state: str | None
    claim_version: int | None
    due_on: Any = None
    events: list[str]
    requirements: list[RequirementOut]
    documents: list[DocumentOut]
    decisions: list[DecisionOut]
    pending_proposal_id: int | None
    settled_batch: int | None
    created_at: datetime
    held_at: datetime | None
    claimed_at: datetime | None
    captured_at: datetime | None


class OptionOut(Out):
    """An entitlement the firm may spend on a licence now, with the voucher's part of the amount due and why."""

    entitlement_id: int
    programme_id: int
    available: MoneyOut
    expires_at: datetime
    voucher_part: MoneyOut
    copay: MoneyOut
    share_bp: int
    lines: list[MsgOut]

    @classmethod
    def of(cls, entitlement: EntitlementRecord, part: VoucherPart) -> OptionOut:
        most = min(part.amount.minor, entitlement.available_minor)
        cur = part.amount.currency
        return cls(entitlement_id=entitlement.id, programme_id=entitlement.programme,
                   available=MoneyOut(minor=entitlement.available_minor, currency=entitlement.currency),
                   expires_at=entitlement.expires_at, voucher_part=MoneyOut(minor=most, currency=cur),
                   copay=MoneyOut(minor=part.price.minor - most, currency=cur), share_bp=part.share_bp,
                   lines=[MsgOut.of(m) for m in part.lines])  # fmt: skip


class LicenceVoucherOut(Out):
    redemption: RedemptionOut | None
    options: list[OptionOut]
