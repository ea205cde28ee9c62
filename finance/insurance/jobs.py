"""Insurance jobs: the application's events to the parties' webhooks (as ``finance.exports`` bridges the pledge
events: ``insurance.application.*``, the event id from the domain event, so a handler run twice delivers once), and
accepted applications lapsing when their quote's validity passes unbound. Safe to run twice."""

from __future__ import annotations

from datetime import date
from typing import Any

from finance.insurance import service
from market.events import on
from market.jobs import daily, job
from market.webhooks import service as webhooks

WEBHOOK_EVENTS = {
    service.SUBMITTED_EVENT: "insurance.application.submitted",
    service.MORE_INFO_EVENT: "insurance.application.more_info",
    service.ACCEPTED_EVENT: "insurance.application.accepted",
    service.DECLINED_EVENT: "insurance.application.declined",
    service.BOUND_EVENT: "insurance.application.bound",
    service.LAPSED_EVENT: "insurance.application.lapsed",
}


async def _forward(event: str, payload: dict[str, Any]) -> int:
    """To the insurer's and the applicant's webhooks (each once)."""
    made = 0
    for org in dict.fromkeys(payload.get(key) for key in ("insurer_org", "applicant_org")):
        if isinstance(org, int):
            made += len(await webhooks.publish(org, WEBHOOK_EVENTS[event], None, payload))
    return made


@on(service.SUBMITTED_EVENT)
async def submitted_to_webhooks(**payload: Any) -> None:
    await _forward(service.SUBMITTED_EVENT, payload)


@on(service.MORE_INFO_EVENT)
async def more_info_to_webhooks(**payload: Any) -> None:
    await _forward(service.MORE_INFO_EVENT, payload)


@on(service.ACCEPTED_EVENT)
async def accepted_to_webhooks(**payload: Any) -> None:
    await _forward(service.ACCEPTED_EVENT, payload)


@on(service.DECLINED_EVENT)
async def declined_to_webhooks(**payload: Any) -> None:
    await _forward(service.DECLINED_EVENT, payload)


@on(service.BOUND_EVENT)
async def bound_to_webhooks(**payload: Any) -> None:
    await _forward(service.BOUND_EVENT, payload)


@on(service.LAPSED_EVENT)
async def lapsed_to_webhooks(**payload: Any) -> None:
    await _forward(service.LAPSED_EVENT, payload)


@job("finance.insurance_quotes_lapse")
async def lapse_quotes(*, on: str = "") -> None:
    """Daily: an accepted application not bound by its quote's validity lapses."""
    await service.lapse_unbound(on=date.fromisoformat(on) if on else service.today())


daily("finance.insurance_quotes_lapse", hour=16, minute=10)  # 00:10 in China (UTC+8)
