"""Notification jobs. Each takes ids and is safe to run twice (the dedupe key)."""

from __future__ import annotations

from market.accounts import repository as accounts_repo
from market.jobs import job
from market.notifications.service import notify


@job("notifications.welcome")
async def welcome(*, user_id: int) -> None:
    user = await accounts_repo.user_by_id(user_id)
    if user is None:
        return  # the sign-up rolled back or the user is gone: nothing to do
    zh = user.locale != "en"
    await notify(
        user_id=user_id,
        kind="welcome",
        title="欢迎使用开放许可专利平台" if zh else "Welcome to the open-licence patent market",
        body=(
            "您的账户已创建。可在“API 令牌”页面为本单位系统创建访问令牌。"
            if zh
            else "Your account is ready. Create API tokens for your organisation's systems on the API tokens page."
        ),
        dedupe_key=f"welcome:{user_id}",
    )
