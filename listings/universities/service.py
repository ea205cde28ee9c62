"""The university's inventor reward share (促进科技成果转化法第四十五条), kept for the payout work."""

from __future__ import annotations

from listings.universities import repository
from listings.universities.schemas import DEFAULT_SHARE_BP, UniversitySettingsIn, UniversitySettingsOut
from market.accounts.principal import Principal
from market.audit.service import Actor, record


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
