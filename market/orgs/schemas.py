from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

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
