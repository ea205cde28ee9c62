"""Payments' reactions to other modules' events. Each is safe to run twice."""

from __future__ import annotations

from finance.payments import service
from market.events import on


@on("licence.cancelled")
async def close_open_attempts(*, licence_id: int, **_: object) -> None:
    """The licensee cancelled an unpaid licence request: its open attempts to pay are canceled (at Stripe too)."""
    await service.licence_cancelled(licence_id=licence_id)
