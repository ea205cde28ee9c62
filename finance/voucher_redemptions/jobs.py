"""Voucher redemptions' reactions to licences' events. Each is safe to run twice."""

from __future__ import annotations

from finance.voucher_redemptions import service
from market.events import on


@on("licence.cancelled")
async def release_licence_voucher(*, licence_id: int, **_: object) -> None:
    """The licensee cancelled an unpaid licence: the voucher's share held for it is released, its cover cleared."""
    await service.licence_cancelled(licence_id=licence_id)


@on("licence.activated")
async def licence_paid(*, licence_id: int, **_: object) -> None:
    """The licence's remainder is paid: the university is told it may file the voucher's claim."""
    await service.licence_activated(licence_id=licence_id)
