"""Notification jobs. Each takes ids and is safe to run twice (the dedupe key)."""

from __future__ import annotations

from market.accounts import service as accounts
from market.i18n import Msg
from market.jobs import job
from market.notifications.service import notify
from market.orgs import service as orgs


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


@job("notifications.org_decided")
async def org_decided(*, org_id: int, decision_id: int) -> None:
    """Tell the organisation's owners what the platform decided, and why."""
    decision = next((d for d in await orgs.decisions_of(org_id) if d.id == decision_id), None)
    if decision is None:
        return
    status = Msg(f"org.status.{decision.to_status}")
    for member in await orgs.members_of_org(org_id):
        if member.role != "owner":
            continue
        await notify(
            user_id=member.user_id,
            kind="org_decided",
            message=Msg("notification.org_decided", {"status": status}),
            body=Msg("notification.org_decided.body", {"status": status, "reason": Msg(decision.reason_code)}),
            dedupe_key=f"org-decided:{decision_id}:{member.user_id}",
        )
