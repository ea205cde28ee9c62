"""Every query on notifications."""

from __future__ import annotations

from datetime import datetime

from market.notifications.records import NotificationRecord
from market.notifications.tables import Notification


async def exists(dedupe_key: str) -> bool:
    return bool(await Notification.exists().where(Notification.dedupe_key == dedupe_key))


async def insert(*, user_id: int, kind: str, title: str, body: str, dedupe_key: str) -> int:
    rows = await Notification.insert(
        Notification(user=user_id, kind=kind, title=title, body=body, dedupe_key=dedupe_key)
    ).returning(Notification.id)
    return int(rows[0]["id"])


async def for_user(user_id: int, *, limit: int) -> list[NotificationRecord]:
    rows = await (
        Notification.select()
        .where(Notification.user == user_id)
        .order_by(Notification.id, ascending=False)
        .limit(limit)
    )
    return [NotificationRecord(**r) for r in rows]


async def get(notification_id: int) -> NotificationRecord | None:
    row = await Notification.select().where(Notification.id == notification_id).first()
    return NotificationRecord(**row) if row else None


async def mark_read(notification_id: int, at: datetime) -> None:
    await Notification.update({Notification.read_at: at}).where(Notification.id == notification_id)
