"""Alert jobs. Each takes ids (or nothing) and is safe to run twice (notifications have dedupe keys; an e-mail is
recorded as sent)."""

from __future__ import annotations

from listings.needs import alerts
from listings.search.service import ALERT_JOB
from market.jobs import job


@job(ALERT_JOB, transactional=False)
async def alert_new_listings() -> None:
    """Tell the needs and saved searches that newly indexed listings match them."""
    await alerts.alert_new_listings()


@job(alerts.EMAIL_JOB, transactional=False)
async def email_alert(*, dedupe_key: str) -> None:
    """Send one alert notification by e-mail (MARKET_SMTP_URL); a server that is down is retried."""
    await alerts.email_alert(dedupe_key=dedupe_key)
