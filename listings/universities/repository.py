"""Every query on university profiles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from listings.universities.tables import UniversityProfile


async def get(org_id: int) -> dict[str, Any] | None:
    return await UniversityProfile.select().where(UniversityProfile.organisation == org_id).first()


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
