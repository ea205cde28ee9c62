"""Finance events to the parties' webhooks. Each handler publishes once per event: the webhook event id comes from
the domain event (``evt_<id>``), so a handler run twice makes no second delivery. Payloads are the events' own ids
and plain values (a receiver reads the rest through the API with its token)."""

from __future__ import annotations

from typing import Any

from finance.exports import service
from market.events import on


@on("desk.case_moved")
async def case_moved_to_webhooks(*, case_id: int, from_state: str, to_state: str, event: str, **_: Any) -> None:
    """To the reviewing bank and the applicant."""
    await service.case_moved(case_id=case_id, from_state=from_state, to_state=to_state, event=event)


@on("desk.sla_breached")
async def sla_breached_to_webhooks(*, case_id: int, **_: Any) -> None:
    """To the reviewing bank."""
    await service.sla_breached(case_id=case_id)


@on("registrations.moved")
async def registration_moved_to_webhooks(**payload: Any) -> None:
    """To the pledgee bank and the pledgor."""
    await service.forward("registrations.moved", payload, "pledgee_org", "pledgor_org")


@on("registrations.alerted")
async def registration_alert_to_webhooks(**payload: Any) -> None:
    """A pledged patent's status or fees, or a licence asked for it: to the pledgee bank."""
    await service.forward("registrations.alerted", payload, "pledgee_org")


@on("servicing.disbursement_recorded")
async def disbursed_to_webhooks(**payload: Any) -> None:
    await service.forward("servicing.disbursement_recorded", payload, "lender_org")


@on("servicing.repayment_recorded")
async def repayment_to_webhooks(**payload: Any) -> None:
    await service.forward("servicing.repayment_recorded", payload, "lender_org")


@on("servicing.repaid")
async def repaid_to_webhooks(**payload: Any) -> None:
    await service.forward("servicing.repaid", payload, "lender_org")


@on("servicing.defaulted")
async def defaulted_to_webhooks(**payload: Any) -> None:
    await service.forward("servicing.defaulted", payload, "lender_org")
