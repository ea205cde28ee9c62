"""The orgs module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    id: int
    name: str
    kind: str
    region: str
    created_at: datetime


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


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """One member of an organisation."""

    user_id: int
    email: str
    display_name: str
    role: str
    since: datetime


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
