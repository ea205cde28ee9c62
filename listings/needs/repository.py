"""Every query on needs, saved searches and alert e-mails."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from listings.needs.records import AlertRecipientRecord, NeedRecord, SavedSearchRecord
from listings.needs.tables import AlertEmail, Need, SavedSearch
from market.accounts.tables import User

NEED_COLUMNS = (*Need.all_columns(), Need.organisation.name.as_alias("org_name"))


async def create_need(*, org_id: int, user_id: int, values: dict[str, Any]) -> int:
    rows = await Need.insert(Need(organisation=org_id, created_by=user_id, **values)).returning(Need.id)
    return int(rows[0]["id"])


async def get_need(need_id: int) -> NeedRecord | None:
    row = await Need.select(*NEED_COLUMNS).where(Need.id == need_id).first()
    return NeedRecord(**row) if row else None


async def needs_of(org_id: int) -> list[NeedRecord]:
    rows = await Need.select(*NEED_COLUMNS).where(Need.organisation == org_id).order_by(Need.id, ascending=False)
    return [NeedRecord(**r) for r in rows]


async def open_needs(on: date, limit: int = 5000) -> list[NeedRecord]:
    """Open needs whose deadline has not passed, newest first."""
    rows = await (
        Need.select(*NEED_COLUMNS)
        .where((Need.status == "open") & (Need.deadline.is_null() | (Need.deadline >= on)))
        .order_by(Need.id, ascending=False)
        .limit(limit)
    )
    return [NeedRecord(**r) for r in rows]


async def update_need(need_id: int, values: dict[str, Any]) -> None:
    values = {**values, "updated_at": datetime.now(UTC)}
    await Need.update({getattr(Need, k): v for k, v in values.items()}).where(Need.id == need_id)


async def delete_need(need_id: int) -> None:
    await Need.delete().where(Need.id == need_id)


async def create_saved(*, org_id: int, user_id: int, name: str, params: dict[str, Any]) -> int:
    rows = await SavedSearch.insert(
        SavedSearch(organisation=org_id, created_by=user_id, name=name, params=params)
    ).returning(SavedSearch.id)
    return int(rows[0]["id"])


async def get_saved(saved_id: int) -> SavedSearchRecord | None:
    row = await SavedSearch.select().where(SavedSearch.id == saved_id).output(load_json=True).first()
    return SavedSearchRecord(**row) if row else None


async def saved_of(org_id: int) -> list[SavedSearchRecord]:
    rows = await (
        SavedSearch.select()
        .where(SavedSearch.organisation == org_id)
        .order_by(SavedSearch.id, ascending=False)
        .output(load_json=True)
    )
    return [SavedSearchRecord(**r) for r in rows]


async def all_saved(limit: int = 10_000) -> list[SavedSearchRecord]:
    rows = await SavedSearch.select().order_by(SavedSearch.id).limit(limit).output(load_json=True)
    return [SavedSearchRecord(**r) for r in rows]


async def delete_saved(saved_id: int) -> None:
    await SavedSearch.delete().where(SavedSearch.id == saved_id)


async def user(user_id: int) -> AlertRecipientRecord | None:
    row = await User.select(User.id, User.email, User.locale).where(User.id == user_id).first()
    return AlertRecipientRecord(**row) if row else None


async def email_sent(dedupe_key: str) -> bool:
    return bool(await AlertEmail.exists().where(AlertEmail.dedupe_key == dedupe_key))


async def record_email(dedupe_key: str) -> None:
    await AlertEmail.insert(AlertEmail(dedupe_key=dedupe_key)).on_conflict(
        target=AlertEmail.dedupe_key, action="DO NOTHING"
    )
