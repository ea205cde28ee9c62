"""Servicing's reactions: a registered pledge opens its loan. Safe to run twice."""

from __future__ import annotations

from finance.servicing import service
from market.events import on


@on("registrations.moved")
async def registration_moved(*, registration_id: int, to_state: str, **_: object) -> None:
    if to_state == "registered":
        await service.open_loan(registration_id=registration_id)
