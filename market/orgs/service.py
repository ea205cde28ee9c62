"""Organisations and memberships. Another organisation's data answers 404: its existence is not revealed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from market import jobs
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit import credit_code as credit_codes
from market.kit.files import evidence_type
from market.kit.names import name_key
from market.orgs import repository
from market.orgs.errors import NotApproved
from market.orgs.records import DocumentContentRecord, InvitationRecord, OrganisationRecord
from market.orgs.schemas import (
    REASONS,
    TRANSITIONS,
    DecisionIn,
    DecisionOut,
    DocumentKind,
    DocumentOut,
    InvitationIn,
    InvitationOut,
    InvitationState,
    InvitationView,
    MemberOut,
    MyInvitationOut,
    OrgKind,
    OrgOut,
    OrgStatus,
    PublicOrgOut,
    ReviewOut,
    Role,
)

# What other modules read and write of organisations and memberships: through this service, never the repository.
org_by_id = repository.get_org
add_membership = repository.add_membership
memberships_of_user = repository.memberships_of_user
members_of_org = repository.members_of_org
decisions_of = repository.decisions_of
orgs_with_owner = repository.orgs_with_owner
public_orgs = repository.public_orgs  # several organisations' public facts at once (a queue's applicants)


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


# ------------------------------------------------------------------------------------------ verified organisations

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024  # one scan of a business licence or certificate
MAX_DOCUMENTS = 10  # per organisation


def credit_code_error(raw: str, field: str = "credit_code") -> FieldError | None:
    """Why a unified social credit code is refused (GB 32100-2015), or None when it is well formed."""
    code = credit_codes.normalise(raw)
    problem = credit_codes.problem(code)
    if problem is None:
        return None
    msg = Msg(f"credit_code.{problem}", {"length": len(code), "expected": credit_codes.LENGTH})
    return FieldError(field, msg, code=f"credit_code.{problem}")


async def _refuse_duplicates(*, name: str, credit_code: str | None) -> None:
    errors = []
    if await repository.org_by_name_key(name_key(name)) is not None:
        errors.append(FieldError("org_name", Msg("org.name_taken"), code="org.name_taken"))
    if credit_code and await repository.org_by_credit_code(credit_code) is not None:
        errors.append(FieldError("credit_code", Msg("org.credit_code_taken"), code="org.credit_code_taken"))
    if errors:
        raise Conflict(errors[0].message, errors=errors)


async def create_org(
    *,
    name: str,
    kind: str,
    region: str,
    credit_code: str | None = None,
    address: str = "",
    status: OrgStatus = OrgStatus.pending,
) -> int:
    """A new organisation, refused (409, with the field) when its name or credit code is another's. The unique
    indexes on both make a racing twin a 409 too."""
    name = name.strip()
    code = credit_codes.normalise(credit_code) if credit_code else None
    if code is not None and (error := credit_code_error(code)) is not None:
        raise ValidationFailed(error.message, errors=[error])
    await _refuse_duplicates(name=name, credit_code=code)
    return await repository.create_org(
        name=name,
        kind=kind,
        region=region,
        name_key=name_key(name),
        credit_code=code,
        address=address.strip(),
        status=status.value,
    )


async def approve_demo(*, org_id: int, version: int, credit_code: str, address: str) -> bool:
    """``market seed --demo`` only: a demo organisation seeded before verification existed is given its code and
    approved (conditionally on its version). The caller records the audit event."""
    return await repository.complete_demo_org(
        org_id=org_id, version=version, credit_code=credit_code, address=address, status=OrgStatus.approved.value
    )


def _not_approved(status: str) -> NotApproved:
    return NotApproved(Msg("org.not_approved", {"status": Msg(f"org.status.{status}")}), org_status=status)


def require_approved(principal: Principal) -> None:
    """The principal's organisation may act (publish, review, issue, be paid, take a licence) only when approved."""
    if principal.org_status != OrgStatus.approved:
        raise _not_approved(principal.org_status)


async def require_org_approved(org_id: int) -> None:
    """The same for the other party (a licensor about to be paid): refused with its status."""
    org = await repository.get_org(org_id)
    if org is None or org.status != OrgStatus.approved:
        status = org.status if org else OrgStatus.pending.value
        msg = Msg("org.counterparty_not_approved", {"status": Msg(f"org.status.{status}")})
        raise NotApproved(msg, org_status=status)


async def verified(org_ids: list[int]) -> dict[int, bool]:
    """Which of these organisations are approved (the 已认证 mark)."""
    return {r.id: r.status == OrgStatus.approved for r in await repository.public_orgs(sorted(set(org_ids)))}


async def public_org(org_id: int) -> PublicOrgOut:
    """What anyone may read of an organisation: its name, kind, region and whether it is verified."""
    rows = await repository.public_orgs([org_id])
    if not rows or rows[0].kind == OrgKind.platform_admin:
        raise NotFound(Msg("org.not_found"))
    row = rows[0]
    return PublicOrgOut(
        id=row.id, name=row.name, kind=OrgKind(row.kind), region=row.region, verified=row.status == "approved"
    )


def _document_out(row: Any) -> DocumentOut:
    return DocumentOut.model_validate(row)


async def upload_document(*, principal: Principal, kind: DocumentKind, filename: str, content: bytes) -> DocumentOut:
    """Evidence for the approval: PDF, PNG or JPEG (by content), at most ``MAX_DOCUMENT_BYTES``; owners only."""
    if not principal.is_owner:
        raise Forbidden(Msg("org.owner_only"))
    if not content:
        raise ValidationFailed(Msg("org.document_empty"), errors=[FieldError("file", Msg("org.document_empty"))])
    if len(content) > MAX_DOCUMENT_BYTES:
        too_big = Msg("org.document_too_large", {"max_mb": MAX_DOCUMENT_BYTES // (1024 * 1024)})
        raise ValidationFailed(too_big, errors=[FieldError("file", too_big)])
    content_type = evidence_type(content)  # by its bytes (market.kit.files)
    if content_type is None:
        wrong = Msg("org.document_type")
        raise ValidationFailed(wrong, errors=[FieldError("file", wrong)])
    if await repository.count_documents(principal.org_id) >= MAX_DOCUMENTS:
        raise Conflict(Msg("org.document_limit", {"max": MAX_DOCUMENTS}))
    digest = hashlib.sha256(content).hexdigest()
    clean_name = "".join(c for c in filename if c.isprintable() and c not in '/\\"')[-120:] or "document"
    document_id = await repository.add_document(
        org_id=principal.org_id,
        kind=kind.value,
        filename=clean_name,
        content_type=content_type,
        content=content,
        sha256=digest,
        uploaded_by=principal.user_id,
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="orgs.document_uploaded",
        entity_type="organisation",
        entity_id=principal.org_id,
        after={"document": document_id, "kind": kind.value, "sha256": digest, "size": len(content)},
    )
    await _resubmit_if_rejected(principal, document_id)
    [row] = [d for d in await repository.documents_of(principal.org_id) if d.id == document_id]
    return _document_out(row)


async def _resubmit_if_rejected(principal: Principal, document_id: int) -> None:
    """New evidence from a rejected organisation asks for a new review: rejected -> pending (conditionally)."""
    org = await repository.get_org(principal.org_id)
    if org is None or org.status != OrgStatus.rejected:
        return
    if await repository.set_status(
        org_id=org.id, from_status=OrgStatus.rejected.value, version=org.version, to_status=OrgStatus.pending.value
    ):
        await record(
            actor=Actor(principal.user_id, principal.org_id),
            action="orgs.status_changed",
            entity_type="organisation",
            entity_id=org.id,
            org_id=org.id,
            before={"status": OrgStatus.rejected.value, "version": org.version},
            after={"status": OrgStatus.pending.value, "version": org.version + 1, "resubmitted_with": document_id},
        )


async def my_documents(*, principal: Principal) -> list[DocumentOut]:
    return [_document_out(d) for d in await repository.documents_of(principal.org_id)]


async def document_content(*, principal: Principal, org_id: int, document_id: int) -> DocumentContentRecord:
    """A document's file, for its organisation's members."""
    if principal.org_id != org_id:
        raise NotFound(Msg("org.document_not_found"))
    found = await repository.document_content(org_id=org_id, document_id=document_id)
    if found is None:
        raise NotFound(Msg("org.document_not_found"))
    return found


async def review_document(*, principal: Principal, org_id: int, document_id: int) -> DocumentContentRecord:
    """A document's file, for the platform's administrators reviewing the organisation."""
    _require_admin(principal)
    found = await repository.document_content(org_id=org_id, document_id=document_id)
    if found is None:
        raise NotFound(Msg("org.document_not_found"))
    return found


def _require_admin(principal: Principal) -> None:
    if principal.org_kind is not OrgKind.platform_admin:
        only = (Msg(f"kind.plural.{OrgKind.platform_admin.value}"),)
        raise Forbidden(Msg("problem.detail.kinds-only", {"kinds": only}))


async def _review(org: OrganisationRecord) -> ReviewOut:
    members = await repository.members_of_org(org.id)
    owners = [m for m in members if m.role == Role.owner.value]
    return ReviewOut(
        org=OrgOut.model_validate(org),
        email_verified=any(m.email_verified_at is not None for m in owners),
        owners=[m.email for m in owners],
        documents=[_document_out(d) for d in await repository.documents_of(org.id)],
        decisions=[DecisionOut.model_validate(d) for d in await repository.decisions_of(org.id)],
    )


async def review_queue(*, principal: Principal, statuses: list[OrgStatus] | None = None) -> list[ReviewOut]:
    """Organisations awaiting (or under) review, with their documents, credit code and e-mail check."""
    _require_admin(principal)
    wanted = [s.value for s in (statuses or [OrgStatus.pending])]
    return [await _review(org) for org in await repository.orgs_by_status(wanted)]


async def review_of(*, principal: Principal, org_id: int) -> ReviewOut:
    _require_admin(principal)
    org = await repository.get_org(org_id)
    if org is None:
        raise NotFound(Msg("org.not_found"))
    return await _review(org)


async def decide(*, principal: Principal, org_id: int, data: DecisionIn) -> DecisionOut:
    """A platform administrator's decision (approve, reject, suspend, reinstate) with a coded reason."""
    _require_admin(principal)
    return await apply_decision(actor=Actor(principal.user_id, principal.org_id), org_id=org_id, data=data)


async def apply_decision(*, actor: Actor, org_id: int, data: DecisionIn, notify: bool = True) -> DecisionOut:
    """Move the organisation by one step of ``TRANSITIONS`` if it is still at the version reviewed: a conditional
    update, so of two administrators deciding at once one wins and the other is told (409). The decision keeps a
    snapshot of what was reviewed; approval needs an owner's verified e-mail and at least one document. The owners
    are told (``notify``; operators' scripts and test factories may approve silently)."""
    org = await repository.get_org(org_id)
    if org is None or org.kind == OrgKind.platform_admin:
        raise NotFound(Msg("org.not_found"))
    if data.reason_code not in REASONS[data.action]:
        wrong = Msg("org.reason_unknown", {"reason": data.reason_code})
        raise ValidationFailed(wrong, errors=[FieldError("reason_code", wrong)])
    source, target = TRANSITIONS[data.action]
    if org.status != source or org.version != data.version:
        raise Conflict(
            Msg("org.decision_stale", {"status": Msg(f"org.status.{org.status}")}),
            org_status=org.status,
            version=org.version,
        )
    review = await _review(org)
    if target == OrgStatus.approved and not review.email_verified:
        raise Conflict(Msg("org.email_unverified"))
    if target == OrgStatus.approved and not review.documents:
        raise Conflict(Msg("org.no_evidence"))
    if not await repository.set_status(org_id=org_id, from_status=source, version=org.version, to_status=target):
        raise Conflict(Msg("org.decision_stale", {"status": Msg(f"org.status.{source}")}))
    snapshot: dict[str, Any] = {
        "name": org.name,
        "kind": org.kind,
        "credit_code": org.credit_code,
        "address": org.address,
        "region": org.region,
        "version": org.version,
        "email_verified": review.email_verified,
        "owners": review.owners,
        "documents": [
            {"id": d.id, "kind": d.kind.value, "filename": d.filename, "sha256": d.sha256, "size": d.size}
            for d in review.documents
        ],
    }
    decision_id = await repository.add_decision(
        org_id=org_id,
        action=data.action.value,
        from_status=source.value,
        to_status=target.value,
        reason_code=data.reason_code,
        note=data.note.strip(),
        snapshot=snapshot,
        decided_by=actor.user_id or 0,
        decided_at=datetime.now(UTC),
    )
    await record(
        actor=actor,
        action="orgs.status_changed",
        entity_type="organisation",
        entity_id=org_id,
        org_id=org_id,
        before={"status": source.value, "version": org.version},
        after={
            "status": target.value,
            "version": org.version + 1,
            "decision": decision_id,
            "reason_code": data.reason_code,
        },
    )
    if notify:
        await jobs.enqueue("notifications.org_decided", org_id=org_id, decision_id=decision_id)
    [decision] = [d for d in await repository.decisions_of(org_id) if d.id == decision_id]
    return DecisionOut.model_validate(decision)


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
