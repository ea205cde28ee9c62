"""Every query on notifications."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from market.notifications.records import NotificationRecord
from market.notifications.tables import Notification


async def exists(dedupe_key: str) -> bool:
    return bool(await Notification.exists().where(Notification.dedupe_key == dedupe_key))


async def insert(
    *, user_id: int, kind: str, code: str, params: Mapping[str, Any], body_code: str, dedupe_key: str
) -> int:
    rows = await Notification.insert(
        Notification(
            user=user_id, kind=kind, code=code, params=dict(params), body_code=body_code, dedupe_key=dedupe_key
        )
    ).returning(Notification.id)
    return int(rows[0]["id"])


async def for_user(user_id: int, *, limit: int, offset: int = 0) -> list[NotificationRecord]:
    """The user's notifications, newest first (by time written, then id)."""
    rows = await (
        Notification.select()
        .where(Notification.user == user_id)
        .order_by(Notification.created_at, Notification.id, ascending=False)
        .limit(limit)
        .offset(offset)
        .output(load_json=True)
    )
    return [record for r in rows if (record := _record(r)) is not None]


def _record(row: dict[str, Any] | None) -> NotificationRecord | None:
    if row is None:
        return None
    params = row["params"]
    return NotificationRecord(**{**row, "params": params if isinstance(params, dict) else {}})


async def get(notification_id: int) -> NotificationRecord | None:
    return _record(await Notification.select().where(Notification.id == notification_id).output(load_json=True).first())


async def by_dedupe_key(dedupe_key: str) -> NotificationRecord | None:
    return _record(
        await Notification.select().where(Notification.dedupe_key == dedupe_key).output(load_json=True).first()
    )


async def mark_read(notification_id: int, at: datetime) -> None:
    await Notification.update({Notification.read_at: at}).where(Notification.id == notification_id)


async def unread_count(user_id: int) -> int:
    return int(await Notification.count().where((Notification.user == user_id) & Notification.read_at.is_null()))


async def mark_all_read(user_id: int, at: datetime) -> int:
    """Mark every unread notification of the user read; how many were."""
    rows = await (
        Notification.update({Notification.read_at: at})
        .where((Notification.user == user_id) & Notification.read_at.is_null())
        .returning(Notification.id)
    )
    return len(rows)
