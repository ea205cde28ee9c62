"""The orgs module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    id: int
    name: str
    kind: str
    region: str
    created_at: datetime
    name_key: str
    credit_code: str | None
    address: str
    status: str
    version: int


@dataclass(frozen=True, slots=True)
class OrgWithOwnerRecord:
    """An organisation of a kind and the id of one of its owners."""

    id: int
    name: str
    region: str
    owner_id: int


@dataclass(frozen=True, slots=True)
class MembershipRecord:
    """A user's role in one organisation."""

    role: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class UserMembershipRecord:
    """One organisation a user belongs to, as the user's organisation switcher shows it."""

    org_id: int
    org_name: str
    org_kind: str
    role: str
    org_status: str


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """One member of an organisation."""

    user_id: int
    email: str
    display_name: str
    role: str
    since: datetime
    email_verified_at: datetime | None


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A platform administrator's decision on an organisation (immutable)."""

    id: int
    organisation: int
    action: str
    from_status: str
    to_status: str
    reason_code: str
    note: str
    snapshot: dict[str, Any]
    decided_by: int
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """An evidence document, without its content."""

    id: int
    organisation: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: int
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class DocumentContentRecord:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class PublicOrgRecord:
    """What anyone may read of an organisation."""

    id: int
    name: str
    kind: str
    region: str
    status: str


@dataclass(frozen=True, slots=True)
class InvitationRecord:
    """An invitation, without its token's hash."""

    id: int
    org_id: int
    email: str
    role: str
    state: str
    invited_by: int
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    accepted_by: int | None
