"""Pledge jobs: offers past their expiry. Safe to run twice."""

from __future__ import annotations

from datetime import date

from finance.pledges import service
from market.jobs import daily, job


@job("finance.pledge_offers_expire")
async def expire_offers(*, on: str = "") -> None:
    """Daily: an offer not accepted by its expiry date becomes ``offer_expired``."""
    await service.expire_offers(on=date.fromisoformat(on) if on else service.today())


daily("finance.pledge_offers_expire", hour=16, minute=5)  # 00:05 in China (UTC+8)
