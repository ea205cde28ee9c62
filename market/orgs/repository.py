"""Every query on organisations and memberships."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from market.accounts.tables import User
from market.orgs.records import (
    DecisionRecord,
    DocumentContentRecord,
    DocumentRecord,
    InvitationRecord,
    MemberRecord,
    MembershipRecord,
    OrganisationRecord,
    OrgWithOwnerRecord,
    PublicOrgRecord,
    UserMembershipRecord,
)
from market.orgs.tables import Invitation, Membership, Organisation, OrgDecision, OrgDocument


async def create_org(
    *,
    name: str,
    kind: str,
    region: str,
    name_key: str,
    credit_code: str | None = None,
    address: str = "",
    status: str = "pending",
) -> int:
    row = Organisation(
        name=name,
        kind=kind,
        region=region,
        name_key=name_key,
        credit_code=credit_code,
        address=address,
        status=status,
    )
    rows = await Organisation.insert(row).returning(Organisation.id)
    return int(rows[0]["id"])


async def org_by_name_key(name_key: str) -> OrganisationRecord | None:
    row = await Organisation.select().where(Organisation.name_key == name_key).first()
    return OrganisationRecord(**row) if row else None


async def org_by_credit_code(credit_code: str) -> OrganisationRecord | None:
    row = await Organisation.select().where(Organisation.credit_code == credit_code).first()
    return OrganisationRecord(**row) if row else None


async def set_status(*, org_id: int, from_status: str, version: int, to_status: str) -> bool:
    """Move the organisation from ``from_status`` at ``version`` to ``to_status``; False if another change won."""
    rows = await (
        Organisation.update({Organisation.status: to_status, Organisation.version: version + 1})
        .where((Organisation.id == org_id) & (Organisation.status == from_status) & (Organisation.version == version))
        .returning(Organisation.id)
    )
    return bool(rows)


async def complete_demo_org(*, org_id: int, version: int, credit_code: str, address: str, status: str) -> bool:
    rows = await (
        Organisation.update(
            {
                Organisation.credit_code: credit_code,
                Organisation.address: address,
                Organisation.status: status,
                Organisation.version: version + 1,
            }
        )
        .where((Organisation.id == org_id) & (Organisation.version == version) & Organisation.credit_code.is_null())
        .returning(Organisation.id)
    )
    return bool(rows)


async def orgs_by_status(statuses: Sequence[str], *, limit: int = 200) -> list[OrganisationRecord]:
    rows = await (
        Organisation.select()
        .where(Organisation.status.is_in(list(statuses)) & (Organisation.kind != "platform_admin"))
        .order_by(Organisation.id)
        .limit(limit)
    )
    return [OrganisationRecord(**r) for r in rows]


async def public_orgs(org_ids: Sequence[int]) -> list[PublicOrgRecord]:
    if not org_ids:
        return []
    rows = await Organisation.select(
        Organisation.id, Organisation.name, Organisation.kind, Organisation.region, Organisation.status
    ).where(Organisation.id.is_in(list(org_ids)))
    return [PublicOrgRecord(**r) for r in rows]


async def add_decision(
    *,
    org_id: int,
    action: str,
    from_status: str,
    to_status: str,
    reason_code: str,
    note: str,
    snapshot: dict[str, Any],
    decided_by: int,
    decided_at: datetime,
) -> int:
    row = OrgDecision(
        organisation=org_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason_code=reason_code,
        note=note,
        snapshot=snapshot,
        decided_by=decided_by,
        decided_at=decided_at,
    )
    rows = await OrgDecision.insert(row).returning(OrgDecision.id)
    return int(rows[0]["id"])


async def decisions_of(org_id: int) -> list[DecisionRecord]:
    rows = await (
        OrgDecision.select().where(OrgDecision.organisation == org_id).order_by(OrgDecision.id, ascending=False)
    )
    out = []
    for r in rows:
        snapshot = r["snapshot"]
        out.append(DecisionRecord(**{**r, "snapshot": json.loads(snapshot) if isinstance(snapshot, str) else snapshot}))
    return out


_DOCUMENT_COLUMNS = (
    OrgDocument.id,
    OrgDocument.organisation,
    OrgDocument.kind,
    OrgDocument.filename,
    OrgDocument.content_type,
    OrgDocument.size,
    OrgDocument.sha256,
    OrgDocument.uploaded_by,
    OrgDocument.uploaded_at,
)


async def add_document(
    *, org_id: int, kind: str, filename: str, content_type: str, content: bytes, sha256: str, uploaded_by: int
) -> int:
    row = OrgDocument(
        organisation=org_id,
        kind=kind,
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=sha256,
        content=content,
        uploaded_by=uploaded_by,
    )
    rows = await OrgDocument.insert(row).returning(OrgDocument.id)
    return int(rows[0]["id"])


async def documents_of(org_id: int) -> list[DocumentRecord]:
    rows = await (
        OrgDocument.select(*_DOCUMENT_COLUMNS).where(OrgDocument.organisation == org_id).order_by(OrgDocument.id)
    )
    return [DocumentRecord(**r) for r in rows]


async def count_documents(org_id: int) -> int:
    return int(await OrgDocument.count().where(OrgDocument.organisation == org_id))


async def document_content(*, org_id: int, document_id: int) -> DocumentContentRecord | None:
    row = await (
        OrgDocument.select(OrgDocument.filename, OrgDocument.content_type, OrgDocument.content)
        .where((OrgDocument.id == document_id) & (OrgDocument.organisation == org_id))
        .first()
    )
    return DocumentContentRecord(**{**row, "content": bytes(row["content"])}) if row else None


async def orgs_with_owner(kind: str) -> list[OrgWithOwnerRecord]:
    """Organisations of a kind with the id of one owner each (the first), in id order."""
    rows = await (
        Membership.select(
            Membership.organisation.id.as_alias("id"),
            Membership.organisation.name.as_alias("name"),
            Membership.organisation.region.as_alias("region"),
            Membership.user.id.as_alias("owner_id"),
        )
        .where((Membership.organisation.kind == kind) & (Membership.role == "owner"))
        .order_by(Membership.id)
    )
    seen: dict[int, OrgWithOwnerRecord] = {}
    for row in rows:
        seen.setdefault(row["id"], OrgWithOwnerRecord(**row))
    return sorted(seen.values(), key=lambda r: r.id)


async def org_by_name(name: str) -> OrganisationRecord | None:
    row = await Organisation.select().where(Organisation.name == name).first()
    return OrganisationRecord(**row) if row else None


async def get_org(org_id: int) -> OrganisationRecord | None:
    row = await Organisation.select().where(Organisation.id == org_id).first()
    return OrganisationRecord(**row) if row else None


async def add_membership(*, user_id: int, org_id: int, role: str) -> None:
    await Membership.insert(Membership(user=user_id, organisation=org_id, role=role))


async def get_membership(*, user_id: int, org_id: int) -> MembershipRecord | None:
    row = await (
        Membership.select(Membership.role, Membership.created_at)
        .where((Membership.user == user_id) & (Membership.organisation == org_id))
        .first()
    )
    return MembershipRecord(**row) if row else None


async def memberships_of_user(user_id: int) -> list[UserMembershipRecord]:
    rows = await (
        Membership.select(
            Membership.organisation.id.as_alias("org_id"),
            Membership.organisation.name.as_alias("org_name"),
            Membership.organisation.kind.as_alias("org_kind"),
            Membership.role,
            Membership.organisation.status.as_alias("org_status"),
        )
        .where(Membership.user == user_id)
        .order_by(Membership.id)
    )
    return [UserMembershipRecord(**r) for r in rows]


async def members_of_org(org_id: int) -> list[MemberRecord]:
    rows = await (
        Membership.select(
            Membership.user.id.as_alias("user_id"),
            Membership.user.email.as_alias("email"),
            Membership.user.display_name.as_alias("display_name"),
            Membership.role,
            Membership.created_at.as_alias("since"),
            Membership.user.email_verified_at.as_alias("email_verified_at"),
        )
        .where(Membership.organisation == org_id)
        .order_by(Membership.id)
    )
    return [MemberRecord(**r) for r in rows]


async def remove_membership(*, user_id: int, org_id: int) -> None:
    await Membership.delete().where((Membership.user == user_id) & (Membership.organisation == org_id))


async def count_owners(org_id: int) -> int:
    return int(await Membership.count().where((Membership.organisation == org_id) & (Membership.role == "owner")))


async def user_id_by_email(email: str) -> int | None:
    row = await User.select(User.id).where(User.email == email).first()
    return int(row["id"]) if row else None


async def lock_memberships(org_id: int) -> None:
    """Serialise changes to an organisation's memberships until the transaction ends (so two owners removing each
    other at once cannot both succeed). PostgreSQL locks the organisation's row; SQLite serialises writers itself."""
    if isinstance(Organisation._meta.db, PostgresEngine):
        await Organisation.raw("SELECT id FROM market_organisation WHERE id = {} FOR UPDATE", org_id)


async def set_role(*, user_id: int, org_id: int, role: str) -> None:
    await Membership.update({Membership.role: role}).where(
        (Membership.user == user_id) & (Membership.organisation == org_id)
    )


_INVITATION_COLUMNS = (
    Invitation.id,
    Invitation.organisation.as_alias("org_id"),
    Invitation.email,
    Invitation.role,
    Invitation.state,
    Invitation.invited_by.as_alias("invited_by"),
    Invitation.created_at,
    Invitation.expires_at,
    Invitation.decided_at,
    Invitation.accepted_by.as_alias("accepted_by"),
)


async def create_invitation(
    *, org_id: int, email: str, role: str, token_hash: str, invited_by: int, expires_at: datetime
) -> int:
    rows = await Invitation.insert(
        Invitation(
            organisation=org_id,
            email=email,
            role=role,
            state="pending",
            token_hash=token_hash,
            invited_by=invited_by,
            expires_at=expires_at,
        )
    ).returning(Invitation.id)
    return int(rows[0]["id"])


async def invitation_by_id(invitation_id: int) -> InvitationRecord | None:
    row = await Invitation.select(*_INVITATION_COLUMNS).where(Invitation.id == invitation_id).first()
    return InvitationRecord(**row) if row else None


async def invitation_by_token_hash(token_hash: str) -> InvitationRecord | None:
    row = await Invitation.select(*_INVITATION_COLUMNS).where(Invitation.token_hash == token_hash).first()
    return InvitationRecord(**row) if row else None


async def pending_invitation(*, org_id: int, email: str) -> InvitationRecord | None:
    row = await (
        Invitation.select(*_INVITATION_COLUMNS)
        .where((Invitation.organisation == org_id) & (Invitation.email == email) & (Invitation.state == "pending"))
        .first()
    )
    return InvitationRecord(**row) if row else None


async def invitations_of_org(org_id: int, *, state: str | None = None) -> list[InvitationRecord]:
    query = Invitation.select(*_INVITATION_COLUMNS).where(Invitation.organisation == org_id)
    if state is not None:
        query = query.where(Invitation.state == state)
    rows = await query.order_by(Invitation.id, ascending=False)
    return [InvitationRecord(**r) for r in rows]


async def decide_invitation(
    invitation_id: int, *, to_state: str, at: datetime, accepted_by: int | None = None, still_valid_at: datetime | None
) -> bool:
    """Move a pending invitation to ``to_state``; False when it was no longer pending (or, with ``still_valid_at``,
    had expired by then): of two racers, one wins."""
    query = Invitation.update(
        {Invitation.state: to_state, Invitation.decided_at: at, Invitation.accepted_by: accepted_by}
    ).where((Invitation.id == invitation_id) & (Invitation.state == "pending"))
    if still_valid_at is not None:
        query = query.where(Invitation.expires_at > still_valid_at)
    rows = await query.returning(Invitation.id)
    return bool(rows)


async def expire_invitations(*, org_id: int, email: str, now: datetime) -> None:
    """Mark the address's pending invitations that have run out as expired (so a new one may be sent)."""
    await Invitation.update({Invitation.state: "expired", Invitation.decided_at: now}).where(
        (Invitation.organisation == org_id)
        & (Invitation.email == email)
        & (Invitation.state == "pending")
        & (Invitation.expires_at <= now)
    )


async def pending_invitations_of_email(email: str) -> list[InvitationRecord]:
    rows = await (
        Invitation.select(*_INVITATION_COLUMNS)
        .where((Invitation.email == email) & (Invitation.state == "pending"))
        .order_by(Invitation.id)
    )
    return [InvitationRecord(**r) for r in rows]
