"""Qualifications' daily reminder: members are told before a qualification expires and when it has. Safe to run
twice (each notice once per record)."""

from __future__ import annotations

from datetime import date

from finance.qualifications import service
from market.jobs import daily, job


@job("qualifications.remind_expiring")
async def remind_expiring(*, on: str = "") -> None:
    """Daily: notices for the qualifications expiring within 30 days or expired this week."""
    await service.remind_expiring(on=date.fromisoformat(on) if on else service.today())


daily("qualifications.remind_expiring", hour=1, minute=20)  # 09:20 in China (UTC+8)
