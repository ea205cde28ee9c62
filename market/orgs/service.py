"""Organisations and memberships. Another organisation's data answers 404: its existence is not revealed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from market import jobs
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.orgs import repository
from market.orgs.records import InvitationRecord
from market.orgs.schemas import (
    InvitationIn,
    InvitationOut,
    InvitationState,
    InvitationView,
    MemberOut,
    MyInvitationOut,
    OrgKind,
    OrgOut,
    Role,
)

# What other modules read and write of organisations and memberships: through this service, never the repository.
org_by_id = repository.get_org
create_org = repository.create_org
add_membership = repository.add_membership
memberships_of_user = repository.memberships_of_user
members_of_org = repository.members_of_org
orgs_with_owner = repository.orgs_with_owner


async def _require_member(principal: Principal, org_id: int) -> None:
    # A principal acts for exactly one organisation (its session's or its token's): that is its tenant.
    if principal.org_id != org_id:
        raise NotFound(Msg("org.not_found"))


async def _require_owner(principal: Principal, org_id: int) -> None:
    await _require_member(principal, org_id)
    if not principal.is_owner:
        raise Forbidden(Msg("org.owner_only"))


async def find_org(ref: str) -> OrgOut | None:
    """An organisation by id or exact name, for operators at the command line."""
    row = await repository.get_org(int(ref)) if ref.isdigit() else await repository.org_by_name(ref)
    return OrgOut.model_validate(row) if row else None


async def get_org(*, principal: Principal, org_id: int) -> OrgOut:
    await _require_member(principal, org_id)
    row = await repository.get_org(org_id)
    if row is None:
        raise NotFound(Msg("org.not_found"))
    return OrgOut.model_validate(row)


async def list_members(*, principal: Principal, org_id: int) -> list[MemberOut]:
    await _require_member(principal, org_id)
    return [MemberOut.model_validate(r) for r in await repository.members_of_org(org_id)]


async def remove_member(*, principal: Principal, org_id: int, user_id: int) -> None:
    await _require_owner(principal, org_id)
    membership = await repository.get_membership(user_id=user_id, org_id=org_id)
    if membership is None:
        raise NotFound(Msg("org.member_not_found"))
    await repository.lock_memberships(org_id)
    if membership.role == Role.owner.value and await repository.count_owners(org_id) <= 1:
        raise Conflict(Msg("org.last_owner"))
    await repository.remove_membership(user_id=user_id, org_id=org_id)
    await record(
        actor=Actor(principal.user_id, org_id),
        action="orgs.member_removed",
        entity_type="membership",
        entity_id=f"{org_id}:{user_id}",
        before={"user_id": user_id, "role": membership.role},
    )


async def change_role(*, principal: Principal, org_id: int, user_id: int, role: Role | str) -> MemberOut:
    """An owner makes a member an owner or an owner a member; the last owner stays one. (A role that is not one
    is refused after the member is found: another organisation's member is a 404 whatever the role said.)"""
    await _require_owner(principal, org_id)
    await repository.lock_memberships(org_id)
    membership = await repository.get_membership(user_id=user_id, org_id=org_id)
    if membership is None:
        raise NotFound(Msg("org.member_not_found"))
    if role not in set(Role):
        bad = Msg("org.no_such_role")
        raise ValidationFailed(bad, errors=[FieldError("role", bad)])
    role = Role(role)
    if membership.role != role.value:
        if membership.role == Role.owner.value and await repository.count_owners(org_id) <= 1:
            raise Conflict(Msg("org.last_owner"))
        await repository.set_role(user_id=user_id, org_id=org_id, role=role.value)
        await record(
            actor=Actor(principal.user_id, org_id),
            action="orgs.member_role_changed",
            entity_type="membership",
            entity_id=f"{org_id}:{user_id}",
            before={"role": membership.role},
            after={"role": role.value},
        )
    member = next(m for m in await repository.members_of_org(org_id) if m.user_id == user_id)
    return MemberOut.model_validate(member)


# ------------------------------------------------------------------------------------------------ invitations
#
# An owner invites an address with a role; the invitation's token is mailed to that address (market.mailings) and
# only its SHA-256 is stored. The token is ``<nonce>.<HMAC-SHA256(secret key, nonce)>``: signed by the server (a
# token the server did not make is refused before any lookup), single-use (pending -> accepted by a conditional
# update) and expiring (``expires_at``). The answer to inviting is the same whether or not the address has an
# account; the invitee becomes a member only by accepting, signed in with that address or signing up with it.

INVITATION_MAIL_JOB = "mail.invitation"


def invitation_token(*, key: str, nonce: str) -> str:
    mac = hmac.new(key.encode(), f"invitation:{nonce}".encode(), hashlib.sha256).digest()
    return f"{nonce}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signed(token: str, key: str) -> bool:
    nonce, _, _ = token.partition(".")
    return bool(nonce) and hmac.compare_digest(invitation_token(key=key, nonce=nonce), token)


def _invitation_out(row: InvitationRecord, now: datetime) -> InvitationOut:
    state = InvitationState.expired if row.state == "pending" and row.expires_at <= now else InvitationState(row.state)
    return InvitationOut(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        state=state,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


async def invite(
    *, principal: Principal, org_id: int, data: InvitationIn, key: str, days: int = 7, lang: str = "zh"
) -> InvitationOut:
    """Invite an address (the same answer whether or not it has an account); a second pending invitation of the
    same address is a 409, as is inviting a member."""
    await _require_owner(principal, org_id)
    now = datetime.now(UTC)
    email = data.email.lower()
    user_id = await repository.user_id_by_email(email)
    if user_id is not None and await repository.get_membership(user_id=user_id, org_id=org_id):
        already = Msg("org.already_member")  # the owner sees the members anyway: this reveals nothing new
        raise Conflict(already, errors=[FieldError("email", already, code="duplicate")])
    await repository.expire_invitations(org_id=org_id, email=email, now=now)
    if await repository.pending_invitation(org_id=org_id, email=email):
        pending = Msg("org.invitation_pending")
        raise Conflict(pending, errors=[FieldError("email", pending, code="duplicate")])
    nonce = secrets.token_urlsafe(18)
    invitation_id = await repository.create_invitation(
        org_id=org_id,
        email=email,
        role=data.role.value,
        token_hash=_token_hash(invitation_token(key=key, nonce=nonce)),
        invited_by=principal.user_id,
        expires_at=now + timedelta(days=days),
    )
    await record(
        actor=Actor(principal.user_id, org_id),
        action="orgs.invitation_created",
        entity_type="invitation",
        entity_id=invitation_id,
        after={"email": email, "role": data.role.value, "expires_at": (now + timedelta(days=days)).isoformat()},
    )
    # the nonce alone is no token: the mail job signs it again with the server's key
    await jobs.enqueue(INVITATION_MAIL_JOB, invitation_id=invitation_id, nonce=nonce, lang=lang)
    row = await repository.invitation_by_id(invitation_id)
    assert row is not None
    return _invitation_out(row, now)


async def list_invitations(*, principal: Principal, org_id: int, pending_only: bool = True) -> list[InvitationOut]:
    await _require_owner(principal, org_id)
    now = datetime.now(UTC)
    rows = await repository.invitations_of_org(org_id, state="pending" if pending_only else None)
    return [_invitation_out(r, now) for r in rows if not pending_only or r.expires_at > now]


async def revoke_invitation(*, principal: Principal, org_id: int, invitation_id: int) -> InvitationOut:
    await _require_owner(principal, org_id)
    row = await repository.invitation_by_id(invitation_id)
    if row is None or row.org_id != org_id:
        raise NotFound(Msg("org.invitation_not_found"))
    now = datetime.now(UTC)
    if await repository.decide_invitation(invitation_id, to_state="revoked", at=now, still_valid_at=None):
        await record(
            actor=Actor(principal.user_id, org_id),
            action="orgs.invitation_revoked",
            entity_type="invitation",
            entity_id=invitation_id,
            before={"state": "pending"},
            after={"state": "revoked"},
        )
    elif row.state != "pending":
        raise Conflict(Msg("org.invitation_closed"))
    row = await repository.invitation_by_id(invitation_id)
    assert row is not None
    return _invitation_out(row, now)


async def open_invitation(*, token: str, key: str) -> InvitationRecord:
    """The pending, unexpired invitation a token names; a 404 for a token the server did not sign or does not
    know, a 409 for one already used, revoked or expired."""
    if not _signed(token, key):
        raise NotFound(Msg("org.invitation_not_found"))
    row = await repository.invitation_by_token_hash(_token_hash(token))
    if row is None:
        raise NotFound(Msg("org.invitation_not_found"))
    if row.state != "pending":
        raise Conflict(Msg("org.invitation_closed"))
    if row.expires_at <= datetime.now(UTC):
        raise Conflict(Msg("org.invitation_expired"))
    return row


async def view_invitation(*, token: str, key: str) -> InvitationView:
    row = await open_invitation(token=token, key=key)
    org = await repository.get_org(row.org_id)
    assert org is not None
    return InvitationView(
        org_name=org.name, org_kind=OrgKind(org.kind), email=row.email, role=Role(row.role), expires_at=row.expires_at
    )


async def accept_invitation(*, invitation: InvitationRecord, user_id: int, email: str) -> None:
    """``user_id`` (whose address is ``email``) accepts: it becomes a member with the invitation's role, once."""
    if email.lower() != invitation.email:
        raise Forbidden(Msg("org.invitation_other_email"))
    await repository.lock_memberships(invitation.org_id)
    now = datetime.now(UTC)
    if await repository.get_membership(user_id=user_id, org_id=invitation.org_id):
        raise Conflict(Msg("org.already_member"))
    won = await repository.decide_invitation(
        invitation.id, to_state="accepted", at=now, accepted_by=user_id, still_valid_at=now
    )
    if not won:
        raise Conflict(Msg("org.invitation_closed"))
    await repository.add_membership(user_id=user_id, org_id=invitation.org_id, role=invitation.role)
    actor = Actor(user_id, invitation.org_id)
    await record(
        actor=actor,
        action="orgs.invitation_accepted",
        entity_type="invitation",
        entity_id=invitation.id,
        before={"state": "pending"},
        after={"state": "accepted", "user_id": user_id},
    )
    await record(
        actor=actor,
        action="orgs.member_added",
        entity_type="membership",
        entity_id=f"{invitation.org_id}:{user_id}",
        after={"user_id": user_id, "role": invitation.role, "invitation": invitation.id},
    )


async def accept_with_token(*, principal: Principal, token: str, key: str) -> int:
    """The signed-in user accepts the invitation the token names; the organisation's id."""
    invitation = await open_invitation(token=token, key=key)
    await accept_invitation(invitation=invitation, user_id=principal.user_id, email=principal.email)
    return invitation.org_id


async def my_invitations(*, principal: Principal) -> list[MyInvitationOut]:
    """The pending invitations of the signed-in user's address (accepted from the app, no mail needed)."""
    now = datetime.now(UTC)
    out = []
    for row in await repository.pending_invitations_of_email(principal.email.lower()):
        if row.expires_at <= now:
            continue
        org = await repository.get_org(row.org_id)
        assert org is not None
        kind, role = OrgKind(org.kind), Role(row.role)
        out.append(
            MyInvitationOut(
                id=row.id, org_id=org.id, org_name=org.name, org_kind=kind, role=role, expires_at=row.expires_at
            )
        )
    return out


async def accept_mine(*, principal: Principal, invitation_id: int) -> int:
    """The signed-in user accepts one of their address's invitations by its id; the organisation's id."""
    row = await repository.invitation_by_id(invitation_id)
    if row is None or row.email != principal.email.lower():
        raise NotFound(Msg("org.invitation_not_found"))
    if row.state != "pending":
        raise Conflict(Msg("org.invitation_closed"))
    if row.expires_at <= datetime.now(UTC):
        raise Conflict(Msg("org.invitation_expired"))
    await accept_invitation(invitation=row, user_id=principal.user_id, email=principal.email)
    return row.org_id


async def invitation_for_mail(invitation_id: int) -> tuple[InvitationRecord, str] | None:
    """A pending invitation and its organisation's name, for the job that mails it; None once it is not pending."""
    row = await repository.invitation_by_id(invitation_id)
    if row is None or row.state != "pending":
        return None
    org = await repository.get_org(row.org_id)
    return (row, org.name) if org else None
