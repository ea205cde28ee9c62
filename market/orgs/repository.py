"""Every query on organisations and memberships."""

from __future__ import annotations

from market.accounts.tables import User
from market.orgs.records import (
    MemberRecord,
    MembershipRecord,
    OrganisationRecord,
    OrgWithOwnerRecord,
    UserMembershipRecord,
)
from market.orgs.tables import Membership, Organisation


async def create_org(*, name: str, kind: str, region: str) -> int:
    rows = await Organisation.insert(Organisation(name=name, kind=kind, region=region)).returning(Organisation.id)
    return int(rows[0]["id"])


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
