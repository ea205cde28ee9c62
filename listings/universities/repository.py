"""Every query on university profiles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from listings.universities.records import PatenteeAliasRecord, UniversityProfileRecord
from listings.universities.tables import PatenteeAlias, UniversityProfile


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


async def aliases(org_id: int) -> list[PatenteeAliasRecord]:
    rows = await PatenteeAlias.select().where(PatenteeAlias.organisation == org_id).order_by(PatenteeAlias.id)
    return [PatenteeAliasRecord(**r) for r in rows]


async def alias(alias_id: int) -> PatenteeAliasRecord | None:
    row = await PatenteeAlias.select().where(PatenteeAlias.id == alias_id).first()
    return PatenteeAliasRecord(**row) if row else None


async def add_alias(values: dict[str, Any]) -> int:
    [row] = await PatenteeAlias.insert(PatenteeAlias(**values)).returning(PatenteeAlias.id)
    return int(row["id"])


async def delete_alias(alias_id: int, org_id: int) -> bool:
    """Delete one of ``org_id``'s aliases; False when it was not there (already deleted, or another's)."""
    rows = await (
        PatenteeAlias.delete()
        .where((PatenteeAlias.id == alias_id) & (PatenteeAlias.organisation == org_id))
        .returning(PatenteeAlias.id)
    )
    return bool(rows)
