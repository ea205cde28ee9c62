"""The university's inventor reward share (促进科技成果转化法第四十五条), kept for the payout work; the other names
it is patentee under (aliases, with evidence), checked at declaration and on import."""

from __future__ import annotations

from listings.universities import repository
from listings.universities.names import name_key, normalise_name
from listings.universities.schemas import (
    DEFAULT_SHARE_BP,
    AliasIn,
    AliasOut,
    UniversitySettingsIn,
    UniversitySettingsOut,
)
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, NotFound
from market.kit.messages import Msg
from market.orgs import service as org_service


async def inventor_share_bp(org_id: int) -> int:
    row = await repository.get(org_id)
    return int(row.inventor_reward_share_bp) if row else DEFAULT_SHARE_BP


async def get_settings(*, principal: Principal) -> UniversitySettingsOut:
    row = await repository.get(principal.org_id)
    return UniversitySettingsOut(
        org_id=principal.org_id,
        inventor_reward_share_bp=int(row.inventor_reward_share_bp) if row else DEFAULT_SHARE_BP,
        is_default=row is None,
        updated_at=row.updated_at if row else None,
    )


async def set_settings(*, principal: Principal, data: UniversitySettingsIn) -> UniversitySettingsOut:
    before = await inventor_share_bp(principal.org_id)
    await repository.upsert_share(principal.org_id, data.inventor_reward_share_bp)
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.inventor_share_set",
        entity_type="organisation",
        entity_id=principal.org_id,
        before={"inventor_reward_share_bp": before},
        after={"inventor_reward_share_bp": data.inventor_reward_share_bp},
    )
    return await get_settings(principal=principal)


# ------------------------------------------------------------------------------------------ patentee aliases


async def aliases(org_id: int) -> list[AliasOut]:
    return [AliasOut.model_validate(a, from_attributes=True) for a in await repository.aliases(org_id)]


async def patentee_names(org_id: int) -> tuple[str, ...]:
    """The names ``org_id`` is patentee under: its own and every recorded alias (the declaration check and the
    import's warning compare against these)."""
    org = await org_service.org_by_id(org_id)
    own = (org.name,) if org else ()
    return own + tuple(a.name for a in await repository.aliases(org_id))


async def record_alias(*, principal: Principal, data: AliasIn) -> AliasOut:
    """Record an alias with its evidence (audited). The organisation's own name or an alias already recorded: 409."""
    org = await org_service.org_by_id(principal.org_id)
    if org is not None and normalise_name(org.name) == normalise_name(data.name):
        raise Conflict(Msg("alias.is_own_name"), errors=[FieldError("name", Msg("alias.is_own_name"))])
    key = name_key(principal.org_id, data.name)
    if any(a.name_key == key for a in await repository.aliases(principal.org_id)):
        exists = Msg("alias.exists", {"name": data.name})
        raise Conflict(exists, errors=[FieldError("name", exists)])
    alias_id = await repository.add_alias(
        {
            "organisation": principal.org_id,
            "name": data.name,
            "name_key": key,
            "kind": data.kind,
            "evidence_note": data.evidence_note,
            "evidence_ref": data.evidence_ref,
            "created_by": principal.user_id,
        }
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.patentee_alias_recorded",
        entity_type="organisation",
        entity_id=principal.org_id,
        after={"alias": alias_id, **data.model_dump(mode="json")},
    )
    row = await repository.alias(alias_id)
    assert row is not None
    return AliasOut.model_validate(row, from_attributes=True)


async def remove_alias(*, principal: Principal, alias_id: int) -> None:
    """Remove an alias (audited); its declarations already published stay as they are."""
    row = await repository.alias(alias_id)
    if (
        row is None
        or row.organisation != principal.org_id
        or not await repository.delete_alias(alias_id, row.organisation)
    ):
        raise NotFound(Msg("alias.not_found"))
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.patentee_alias_removed",
        entity_type="organisation",
        entity_id=principal.org_id,
        before={"alias": alias_id, "name": row.name, "kind": row.kind, "evidence_ref": row.evidence_ref},
    )
