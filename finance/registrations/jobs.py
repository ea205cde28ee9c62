"""Registrations' reactions to other modules' events, and the daily fee watch. Each is safe to run twice."""

from __future__ import annotations

from datetime import date

from finance.registrations import service
from market import runtime
from market.events import on
from market.jobs import daily, job


@on("pledges.accepted")
async def pledge_accepted(*, application_id: int, **_: object) -> None:
    """An SME accepted the bank's offer: the pledge contract and the joint registration form are rendered and
    sealed, and both parties are asked to sign (once per application)."""
    await service.start_from_application(application_id=application_id, data_dir=runtime.current().settings.data_dir)


@on("registrations.started")
async def registration_started(*, registration_id: int, **_: object) -> None:
    """The contract and the form are ready: both parties are asked to sign."""
    await service.tell_parties(registration_id=registration_id, what="started")


@on("registrations.moved")
async def registration_moved(*, registration_id: int, to_state: str, **_: object) -> None:
    """Both parties are told each state reached (ready to file, filed, correction, registered, refused, released)."""
    await service.tell_parties(registration_id=registration_id, what=to_state)


@on("patents.changed")
async def patent_changed(*, patent_id: int, fields: list[str] | None = None, **_: object) -> None:
    """A pledged patent's legal status or fees changed: its bank is told (``registrations.alerted``)."""
    await service.patent_changed(patent_id=patent_id, fields=list(fields or []))


@on("licence.requested")
async def licence_requested(*, licence_id: int, patent_id: int, **_: object) -> None:
    """A licence of a patent was asked for: if it is pledged, its bank is told."""
    await service.licence_requested(patent_id=patent_id, licence_id=licence_id)


@job("registrations.fee_alerts")
async def fee_alerts(*, on: str = "") -> None:
    """Daily: annual fees of pledged patents falling due within 30 days alert the bank, once per due date."""
    await service.fee_alerts(on=date.fromisoformat(on) if on else service.today())


daily("registrations.fee_alerts", hour=1, minute=15)  # 09:15 in China (UTC+8)
