"""Notification jobs. Each takes ids and is safe to run twice (the dedupe key)."""

from __future__ import annotations

from market.accounts import service as accounts
from market.i18n import Msg
from market.jobs import job
from market.notifications.service import notify


@job("notifications.welcome")
async def welcome(*, user_id: int) -> None:
    if await accounts.contact(user_id) is None:
        return  # the sign-up rolled back or the user is gone: nothing to do
    await notify(
        user_id=user_id,
        kind="welcome",
        message=Msg("notification.welcome"),
        body=Msg("notification.welcome.body"),
        dedupe_key=f"welcome:{user_id}",
    )
