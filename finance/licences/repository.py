"""Every query on licences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from finance.licences.tables import Licence


async def create(values: dict[str, Any]) -> int:
    rows = await Licence.insert(Licence(**values)).returning(Licence.id)
    return int(rows[0]["id"])


async def get(licence_id: int) -> dict[str, Any] | None:
    return await Licence.select().where(Licence.id == licence_id).first()


async def get_for_update(licence_id: int) -> dict[str, Any] | None:
    """The licence inside the caller's transaction (PostgreSQL: locked, so two activations serialise)."""
    from piccolo.engine.postgres import PostgresEngine

    if isinstance(Licence._meta.db, PostgresEngine):
        rows = await Licence.raw("SELECT * FROM finance_licence WHERE id = {} FOR UPDATE", licence_id)
        return rows[0] if rows else None
    return await get(licence_id)


async def update(licence_id: int, values: dict[str, Any]) -> None:
    values = {**values, "updated_at": datetime.now(UTC)}
    await Licence.update({getattr(Licence, k): v for k, v in values.items()}).where(Licence.id == licence_id)


async def live_for(declaration_id: int, licensee_org_id: int) -> dict[str, Any] | None:
    return (
        await Licence.select()
        .where(
            (Licence.declaration == declaration_id)
            & (Licence.licensee == licensee_org_id)
            & Licence.status.is_in(["pending_payment", "active"])
        )
        .first()
    )


async def for_org(org_id: int, *, side: str, limit: int = 200) -> list[dict[str, Any]]:
    column = Licence.licensor if side == "licensor" else Licence.licensee
    return await Licence.select().where(column == org_id).order_by(Licence.id, ascending=False).limit(limit)


async def active_starting_between(start: date, end: date) -> list[dict[str, Any]]:
    return await Licence.select().where(
        (Licence.status == "active") & (Licence.starts_on >= start) & (Licence.starts_on <= end)
    )


async def active_with_royalty() -> list[dict[str, Any]]:
    return await Licence.select().where((Licence.status == "active") & Licence.royalty_rate_bp.is_not_null())


async def count_this_year(year: int) -> int:
    return int(await Licence.count().where(Licence.number.like(f"OL-LC-{year}-%")))


async def by_ids(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    return {r["id"]: r for r in await Licence.select().where(Licence.id.is_in(list(ids)))}
