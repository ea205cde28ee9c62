"""Exports: a pledge application's package for its two parties, the bank's portfolio, and the desk's moves bridged to
webhooks.

The package is a zip: ``manifest.json`` (every other file with its SHA-256 and size), ``application.json`` (the
application as the API shows it to the caller), ``decisions.json`` (every decision on its desk case, with coded
reasons) and ``documents/`` (each stored document of the case: the PDFs and scans as uploaded). Entries carry a
fixed timestamp, so the same application gives the same bytes until something in it changes.
"""

from __future__ import annotations

from typing import Any

from finance.desk import service as desk
from finance.exports.schemas import AgeLineOut, BreachOut, PortfolioOut, StateLineOut
from market.accounts.principal import Principal
from market.errors import Forbidden
from market.i18n import Msg
from market.orgs.schemas import OrgKind
from market.webhooks import service as webhooks

PLEDGE_KIND = "pledge_loan"


# ---------------------------------------------------------------------------------------------- portfolio


async def portfolio(*, principal: Principal, kind: str | None = PLEDGE_KIND) -> PortfolioOut:
    """The calling bank's book on the desk."""
    if principal.org_kind is not OrgKind.bank:
        raise Forbidden(Msg("exports.bank_only"))
    book = await desk.portfolio(reviewer_org=principal.org_id, kind=kind)
    return PortfolioOut(
        on=book.on,
        kind=book.kind,
        states=[StateLineOut.model_validate(s) for s in book.states],
        ageing=[AgeLineOut.model_validate(a) for a in book.ageing],
        breached_open=book.breached_open,
        breaches=[BreachOut.model_validate(b) for b in book.breaches],
    )


# ----------------------------------------------------------------------------------------- webhook bridge


async def case_moved(*, case_id: int, from_state: str, to_state: str, event: str) -> int:
    """``desk.case_moved`` to the webhooks of the reviewing organisation and the applicant (a draft's moves to the
    applicant alone: the reviewer sees a case once submitted). Returns how many deliveries were made."""
    case = await desk.case(case_id)
    if case is None:
        return 0
    payload: dict[str, Any] = {
        "case_id": case.id, "kind": case.kind, "subject": case.subject, "reference": case.reference,
        "from_state": from_state, "to_state": to_state, "event": event, "amount_minor": case.amount_minor,
        "currency": case.currency, "due_on": case.due_on.isoformat() if case.due_on else None,
    }  # fmt: skip
    orgs = [case.applicant_org]
    if case.sla_started_on is not None and not (from_state == "draft" and to_state != "submitted"):
        orgs.append(case.reviewer_org)
    made = 0
    for org in dict.fromkeys(orgs):
        made += len(await webhooks.publish(org, "desk.case_moved", None, payload))
    return made


async def sla_breached(*, case_id: int) -> int:
    """``desk.sla_breached`` to the reviewing organisation's webhooks."""
    case = await desk.case(case_id)
    if case is None:
        return 0
    payload: dict[str, Any] = {
        "case_id": case.id, "kind": case.kind, "subject": case.subject, "reference": case.reference,
        "state": case.state, "due_on": case.due_on.isoformat() if case.due_on else None,
    }  # fmt: skip
    return len(await webhooks.publish(case.reviewer_org, "desk.sla_breached", None, payload))


async def forward(event_type: str, payload: dict[str, Any], *org_keys: str) -> int:
    """An event's own payload to the webhooks of the organisations its ``org_keys`` name (each once)."""
    orgs = [payload[key] for key in org_keys if isinstance(payload.get(key), int)]
    made = 0
    for org in dict.fromkeys(orgs):
        made += len(await webhooks.publish(org, event_type, None, payload))
    return made
