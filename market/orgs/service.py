"""Organisations and memberships. Another organisation's data answers 404: its existence is not revealed."""

from __future__ import annotations

from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound
from market.i18n import Msg
from market.orgs import repository
from market.orgs.schemas import MemberIn, MemberOut, OrgOut, Role


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


async def add_member(*, principal: Principal, org_id: int, data: MemberIn) -> MemberOut:
    await _require_owner(principal, org_id)
    user_id = await repository.user_id_by_email(data.email.lower())
    if user_id is None:
        unknown = Msg("org.no_such_account")
        raise NotFound(unknown, errors=[FieldError("email", unknown, code="unknown")])
    if await repository.get_membership(user_id=user_id, org_id=org_id):
        already = Msg("org.already_member")
        raise Conflict(already, errors=[FieldError("email", already, code="duplicate")])
    await repository.add_membership(user_id=user_id, org_id=org_id, role=data.role.value)
    await record(
        actor=Actor(principal.user_id, org_id),
        action="orgs.member_added",
        entity_type="membership",
        entity_id=f"{org_id}:{user_id}",
        after={"user_id": user_id, "role": data.role.value},
    )
    member = next(m for m in await repository.members_of_org(org_id) if m.user_id == user_id)
    return MemberOut.model_validate(member)


async def remove_member(*, principal: Principal, org_id: int, user_id: int) -> None:
    await _require_owner(principal, org_id)
    membership = await repository.get_membership(user_id=user_id, org_id=org_id)
    if membership is None:
        raise NotFound(Msg("org.member_not_found"))
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
