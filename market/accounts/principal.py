"""Who is calling: a signed-in user acting for one organisation, by session or by API token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from market.orgs.schemas import OrgKind, Role


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    display_name: str
    org_id: int
    org_name: str
    org_kind: OrgKind
    role: Role
    via: Literal["session", "token"]
    token_id: int | None = None
    # The organisation's OrgStatus: it acts (publishes, reviews, issues, is paid, takes licences) only when
    # "approved" (market.orgs.service.require_approved). Unknown is the safe default: not approved.
    org_status: str = "pending"
    # What the caller may do: a session may do all; a token what its scopes say (TokenScope values).
    scopes: frozenset[str] = frozenset({"read", "write"})

    @property
    def may_write(self) -> bool:
        return "write" in self.scopes

    @property
    def is_owner(self) -> bool:
        return self.role is Role.owner
