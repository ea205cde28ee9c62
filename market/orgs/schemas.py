from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import EmailStr, Field, field_validator

from market.kit.schema import Out, Schema


class OrgKind(StrEnum):
    university = "university"
    sme = "sme"
    bank = "bank"
    insurer = "insurer"
    voucher_issuer = "voucher_issuer"
    service_provider = "service_provider"  # voucher service providers (服务机构)
    platform_admin = "platform_admin"


# Kinds a person may create by signing up; the platform's own organisation is made by `market seed`/operators.
SELF_SERVICE_KINDS = (
    OrgKind.university,
    OrgKind.sme,
    OrgKind.bank,
    OrgKind.insurer,
    OrgKind.voucher_issuer,
    OrgKind.service_provider,
)


class OrgStatus(StrEnum):
    """Where an organisation stands with the platform: it acts (publishes, reviews, issues, is paid, takes licences)
    only when ``approved``."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    suspended = "suspended"


class DecisionAction(StrEnum):
    approve = "approve"
    reject = "reject"
    suspend = "suspend"
    reinstate = "reinstate"


# action -> (from, to): the only moves there are.
TRANSITIONS: dict[DecisionAction, tuple[OrgStatus, OrgStatus]] = {
    DecisionAction.approve: (OrgStatus.pending, OrgStatus.approved),
    DecisionAction.reject: (OrgStatus.pending, OrgStatus.rejected),
    DecisionAction.suspend: (OrgStatus.approved, OrgStatus.suspended),
    DecisionAction.reinstate: (OrgStatus.suspended, OrgStatus.approved),
}

# The reason codes an administrator chooses from, per action (each is a catalogue code).
REASONS: dict[DecisionAction, tuple[str, ...]] = {
    DecisionAction.approve: ("org.reason.evidence_ok",),
    DecisionAction.reject: (
        "org.reason.evidence_missing",
        "org.reason.evidence_mismatch",
        "org.reason.impersonation",
        "org.reason.not_eligible",
    ),
    DecisionAction.suspend: ("org.reason.complaint", "org.reason.evidence_expired", "org.reason.fraud"),
    DecisionAction.reinstate: ("org.reason.resolved",),
}


class DocumentKind(StrEnum):
    business_licence = "business_licence"  # 营业执照
    legal_person_certificate = "legal_person_certificate"  # 事业单位法人证书 and the like
    other = "other"


class Role(StrEnum):
    owner = "owner"
    member = "member"


class OrgOut(Out):
    id: int
    name: str
    kind: OrgKind
    region: str
    created_at: datetime
    credit_code: str | None
    address: str
    status: OrgStatus
    version: int


class DecisionIn(
    Schema,
    json_schema_extra={
        "examples": [{"action": "approve", "reason_code": "org.reason.evidence_ok", "note": "", "version": 1}]
    },
):
    action: DecisionAction
    reason_code: str = Field(min_length=1, max_length=60)
    note: str = Field(default="", max_length=2000)
    version: int = Field(ge=1, le=2_000_000_000, description="The organisation's version as reviewed")


class DecisionOut(Out):
    id: int
    action: DecisionAction
    from_status: OrgStatus
    to_status: OrgStatus
    reason_code: str
    reason: str = ""
    note: str
    snapshot: dict[str, Any]
    decided_by: int
    decided_at: datetime


class DocumentOut(Out):
    id: int
    kind: DocumentKind
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class ReviewOut(Out):
    """One organisation as the evidence review page shows it."""

    org: OrgOut
    email_verified: bool
    owners: list[str]
    documents: list[DocumentOut]
    decisions: list[DecisionOut]


class PublicOrgOut(Out):
    id: int
    name: str
    kind: OrgKind
    region: str
    verified: bool


class MemberOut(Out):
    user_id: int
    email: str
    display_name: str
    role: Role
    since: datetime


class MemberIn(Schema, json_schema_extra={"examples": [{"email": "wang.fang@example.cn", "role": "member"}]}):
    email: str = Field(min_length=3, max_length=254)
    role: Role = Role.member


class InvitationState(StrEnum):
    pending = "pending"
    accepted = "accepted"
    revoked = "revoked"
    expired = "expired"


class InvitationIn(Schema, json_schema_extra={"examples": [{"email": "wang.fang@example.cn", "role": "member"}]}):
    email: EmailStr
    role: Role = Role.member

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()


class InvitationOut(Out):
    """An invitation as its organisation's owners see it. The answer to inviting is the same whether or not the
    address has an account."""

    id: int
    email: str
    role: Role
    state: InvitationState
    created_at: datetime
    expires_at: datetime


class InvitationView(Out):
    """What the holder of an invitation's token sees before accepting it."""

    org_name: str
    org_kind: OrgKind
    email: str
    role: Role
    expires_at: datetime


class AcceptIn(Schema, json_schema_extra={"examples": [{"token": "12.k3J..."}]}):
    token: str = Field(min_length=10, max_length=200)


class MyInvitationOut(Out):
    """A pending invitation of the signed-in user's address."""

    id: int
    org_id: int
    org_name: str
    org_kind: OrgKind
    role: Role
    expires_at: datetime


class RoleIn(Schema, json_schema_extra={"examples": [{"role": "owner"}]}):
    role: Role
