"""Every query on university profiles."""

from __future__ import annotations

from datetime import UTC, datetime

from listings.universities.records import UniversityProfileRecord
from listings.universities.tables import UniversityProfile


async def get(org_id: int) -> UniversityProfileRecord | None:
    row = await UniversityProfile.select().where(UniversityProfile.organisation == org_id).first()
    return UniversityProfileRecord(**row) if row else None


async def upsert_share(org_id: int, share_bp: int) -> None:
    now = datetime.now(UTC)
    if await get(org_id) is None:
        await UniversityProfile.insert(
            UniversityProfile(organisation=org_id, inventor_reward_share_bp=share_bp, updated_at=now)
        )
    else:
        await UniversityProfile.update(
            {UniversityProfile.inventor_reward_share_bp: share_bp, UniversityProfile.updated_at: now}
        ).where(UniversityProfile.organisation == org_id)
