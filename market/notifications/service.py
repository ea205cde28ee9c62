"""Notify a user: one row per dedupe key, so a job that runs twice notifies once."""

from __future__ import annotations

from datetime import UTC, datetime

from market.accounts.principal import Principal
from market.errors import NotFound
from market.notifications import repository
from market.notifications.schemas import NotificationOut


async def notify(*, user_id: int, kind: str, title: str, body: str, dedupe_key: str) -> bool:
    """Write the notification unless one with this key exists; True if written."""
    if await repository.exists(dedupe_key):
        return False
    await repository.insert(user_id=user_id, kind=kind, title=title, body=body, dedupe_key=dedupe_key)
    return True


async def list_mine(*, principal: Principal, limit: int = 50) -> list[NotificationOut]:
    return [NotificationOut.model_validate(r) for r in await repository.for_user(principal.user_id, limit=limit)]


async def mark_read(*, principal: Principal, notification_id: int) -> NotificationOut:
    row = await repository.get(notification_id)
    if row is None or row.user != principal.user_id:
        raise NotFound("No such notification.")
    if row.read_at is None:
        await repository.mark_read(notification_id, datetime.now(UTC))
        row = await repository.get(notification_id)
        assert row is not None
    return NotificationOut.model_validate(row)
