from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr, Field, field_validator

from market.kit.schema import Out, Schema
from market.orgs.schemas import SELF_SERVICE_KINDS, OrgKind, OrgStatus, Role

MIN_PASSWORD_LENGTH = 10


class SignUpIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "email": "li.ming@example.cn",
                "password": "a long passphrase",
                "display_name": "李明",  # words: data
                "org_name": "杭州智造科技有限公司",  # words: data
                "org_kind": "sme",
                "region": "330100",
                "credit_code": "91330100MA27XL0E2G",
                "address": "浙江省杭州市西湖区文三路 90 号",  # words: data
            }
        ]
    },
):
    email: EmailStr
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)
    display_name: str = Field(min_length=1, max_length=120)
    org_name: str = Field(min_length=2, max_length=200)
    org_kind: OrgKind
    region: str = Field(default="", max_length=20)
    # 统一社会信用代码 (GB 32100-2015): checked by market.orgs.service.credit_code_error, with a field error.
    credit_code: str = Field(min_length=1, max_length=40)
    address: str = Field(default="", max_length=300)

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()

    @field_validator("org_kind")
    @classmethod
    def _self_service(cls, v: OrgKind) -> OrgKind:
        if v not in SELF_SERVICE_KINDS:
            raise ValueError("this kind of organisation is created by the platform operator, not by sign-up")
        return v


class SignInIn(
    Schema, json_schema_extra={"examples": [{"email": "li.ming@example.cn", "password": "a long passphrase"}]}
):
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()


class MembershipOut(Out):
    org_id: int
    org_name: str
    org_kind: OrgKind
    role: Role
    org_status: OrgStatus


class MeOut(Out):
    user_id: int
    email: str
    display_name: str
    org_id: int
    org_name: str
    org_kind: OrgKind
    role: Role
    org_status: OrgStatus
    email_verified: bool
    memberships: list[MembershipOut]


class VerifyEmailIn(Schema, json_schema_extra={"examples": [{"token": "MTIuMTc2NDQ..."}]}):
    token: str = Field(min_length=10, max_length=400)


class TokenScope(StrEnum):
    """What an API token may do. ``read``: safe methods (GET, HEAD); ``write``: the rest. No scope manages
    members, invitations or tokens: those need an owner's browser session."""

    read = "read"
    write = "write"


class TokenIn(Schema, json_schema_extra={"examples": [{"name": "loan system", "scopes": ["read"]}]}):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[TokenScope] = Field(default_factory=lambda: [TokenScope.read], min_length=1, max_length=2)

    @field_validator("scopes")
    @classmethod
    def _read_with_write(cls, v: list[TokenScope]) -> list[TokenScope]:
        return sorted({*v, TokenScope.read})  # writing implies reading


class TokenOut(Out):
    id: int
    name: str
    prefix: str
    org_id: int
    scopes: list[TokenScope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @field_validator("scopes", mode="before")
    @classmethod
    def _split(cls, v: object) -> object:
        return [s for s in v.split(",") if s] if isinstance(v, str) else v


class TokenCreated(TokenOut):
    token: str = Field(description="The secret. Shown once; only its SHA-256 is kept.")


class SwitchOrgIn(Schema, json_schema_extra={"examples": [{"org_id": 1}]}):
    org_id: int


class InvitedSignUpIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "token": "k3J...",
                "display_name": "王芳",  # words: data
                "password": "a long passphrase",
            }
        ]
    },
):
    token: str = Field(min_length=10, max_length=200)
    display_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)


class SignUpAccepted(Out):
    """The answer to every sign-up, whether or not the address already had an account (which is not revealed):
    the next step is to sign in; an address that already had an account is told by e-mail."""

    status: str = Field(default="check_email", examples=["check_email"])
    email: str


class CsrfOut(Out):
    csrf_cookie: str
    header: str
