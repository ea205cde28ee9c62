"""Declaration jobs: tell the university what to file with CNIPA, and remind it of declarations CNIPA has not
announced yet. Safe to run twice (notifications carry dedupe keys)."""

from __future__ import annotations

from datetime import date

from listings.declarations import filing
from listings.patents import service as patents
from market import runtime
from market.events import on
from market.jobs import daily, job


@on("declaration.filing_due")
async def filing_due(*, declaration_id: int, version: int, event: str) -> None:
    await filing.notify_filing_due(declaration_id=declaration_id, version=version, event=event)


@job(filing.REMINDER_JOB)
async def cnipa_reminders(*, on: str = "") -> None:
    """Daily: published declarations whose CNIPA announcement is unrecorded after the configured working days."""
    today = date.fromisoformat(on) if on else patents.today()
    days = runtime.current().settings.cnipa_reminder_working_days
    await filing.remind_unannounced(today=today, working_days=days)


daily(filing.REMINDER_JOB, hour=1, minute=10)  # 09:10 in China (UTC+8)
