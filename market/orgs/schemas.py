from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr, Field, field_validator

from market.kit.schema import Out, Schema


class OrgKind(StrEnum):
    university = "university"
    sme = "sme"
    bank = "bank"
    insurer = "insurer"
    voucher_issuer = "voucher_issuer"
    platform_admin = "platform_admin"


# Kinds a person may create by signing up; the platform's own organisation is made by `market seed`/operators.
SELF_SERVICE_KINDS = (OrgKind.university, OrgKind.sme, OrgKind.bank, OrgKind.insurer, OrgKind.voucher_issuer)


class Role(StrEnum):
    owner = "owner"
    member = "member"


class OrgOut(Out):
    id: int
    name: str
    kind: OrgKind
    region: str
    created_at: datetime


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
