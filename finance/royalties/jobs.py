"""Royalty reports' reactions to other modules' events. Each is safe to run twice."""

from __future__ import annotations

from finance.royalties import service
from market.events import on


@on("payment.settled")
async def mark_report_paid(*, royalty_report_id: int | None = None, **_: object) -> None:
    """A royalty invoice's payment succeeded: the report is paid."""
    if royalty_report_id is not None:
        await service.settled(report_id=royalty_report_id)
