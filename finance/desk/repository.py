"""Every query on desk cases, decisions and calendar days. Decisions are inserted and read, never updated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from piccolo.columns.combination import And, Or, Where
from piccolo.query.functions.aggregate import Count, Sum

from finance.desk.portfolio import AgeLine, BreachLine, Portfolio, StateLine, bucket_bounds
from finance.desk.reasons import Reason
from finance.desk.records import CalendarDayRecord, CasePage, CaseRecord, DecisionRecord, SlaCounts
from finance.desk.tables import CalendarDay, DeskCase, DeskDecision

# ------------------------------------------------------------------------------------------------- cases


def _case(row: Mapping[str, Any]) -> CaseRecord:
    return CaseRecord(**row)


async def insert_case(
    *,
    kind: str,
    subject: int,
    reference: str,
    reviewer_org: int,
    applicant_org: int,
    state: str,
    amount_minor: int,
    currency: str,
    sla_working_days: int,
    at: datetime,
) -> int:
    rows = await DeskCase.insert(
        DeskCase(
            kind=kind,
            subject=subject,
            reference=reference,
            reviewer_org=reviewer_org,
            applicant_org=applicant_org,
            state=state,
            version=0,
            amount_minor=amount_minor,
            currency=currency,
            sla_working_days=sla_working_days,
            opened_at=at,
            updated_at=at,
        )
    ).returning(DeskCase.id)
    return int(rows[0]["id"])


async def get_case(case_id: int) -> CaseRecord | None:
    row = await DeskCase.select().where(DeskCase.id == case_id).first()
    return _case(row) if row else None


async def case_of(kind: str, subject: int) -> CaseRecord | None:
    row = await DeskCase.select().where((DeskCase.kind == kind) & (DeskCase.subject == subject)).first()
    return _case(row) if row else None


async def cases_by_id(case_ids: Sequence[int]) -> list[CaseRecord]:
    if not case_ids:
        return []
    rows = await DeskCase.select().where(DeskCase.id.is_in(list(case_ids)))
    return [_case(r) for r in rows]


async def move(
    case_id: int,
    *,
    from_state: str,
    version: int,
    to_state: str,
    at: datetime,
    sla_started_on: date | None,
    paused_since: datetime | None,
    paused_working_days: int,
    due_on: date | None,
    closed_at: datetime | None,
) -> bool:
    """The conditional update: the case moves only if it is still in ``from_state`` at ``version``."""
    rows = (
        await DeskCase.update(
            {
                DeskCase.state: to_state,
                DeskCase.version: version + 1,
                DeskCase.updated_at: at,
                DeskCase.sla_started_on: sla_started_on,
                DeskCase.paused_since: paused_since,
                DeskCase.paused_working_days: paused_working_days,
                DeskCase.due_on: due_on,
                DeskCase.closed_at: closed_at,
            }
        )
        .where((DeskCase.id == case_id) & (DeskCase.state == from_state) & (DeskCase.version == version))
        .returning(DeskCase.id)
    )
    return bool(rows)


async def touch(case_id: int, *, version: int, at: datetime) -> bool:
    """Take the case's next version without moving it (a proposal or an approval): of two acting at once on the
    same version, one wins."""
    rows = (
        await DeskCase.update({DeskCase.version: version + 1, DeskCase.updated_at: at})
        .where((DeskCase.id == case_id) & (DeskCase.version == version))
        .returning(DeskCase.id)
    )
    return bool(rows)


async def set_assignee(case_id: int, *, version: int, assignee: int | None, at: datetime) -> bool:
    rows = (
        await DeskCase.update({DeskCase.assignee: assignee, DeskCase.version: version + 1, DeskCase.updated_at: at})
        .where((DeskCase.id == case_id) & (DeskCase.version == version))
        .returning(DeskCase.id)
    )
    return bool(rows)


async def mark_breached(case_id: int, *, at: datetime) -> bool:
    """Flag the breach once: the first sweep to reach it wins."""
    rows = (
        await DeskCase.update({DeskCase.breached_at: at})
        .where((DeskCase.id == case_id) & DeskCase.breached_at.is_null())
        .returning(DeskCase.id)
    )
    return bool(rows)


async def overdue(*, today: date, limit: int = 1000) -> list[CaseRecord]:
    """Open cases, clock running, past their due day and not flagged yet."""
    rows = (
        await DeskCase.select()
        .where(
            DeskCase.due_on.is_not_null()
            & (DeskCase.due_on < today)
            & DeskCase.closed_at.is_null()
            & DeskCase.paused_since.is_null()
            & DeskCase.breached_at.is_null()
        )
        .order_by(DeskCase.id)
        .limit(limit)
    )
    return [_case(r) for r in rows]


async def open_submitted(*, limit: int = 10_000) -> list[CaseRecord]:
    """Every desk's open cases once submitted (the platform overview: ageing and SLA breaches), oldest first."""
    rows = (
        await DeskCase.select()
        .where(DeskCase.sla_started_on.is_not_null() & DeskCase.closed_at.is_null())
        .order_by(DeskCase.opened_at)
        .limit(limit)
    )
    return [_case(r) for r in rows]


def _queue_where(
    *,
    reviewer_org: int,
    kind: str | None,
    states: Sequence[str],
    assignee: int | None,
    unassigned: bool,
    breached: bool | None,
    open_only: bool,
    q: str,
) -> Where | And | Or:
    where: Where | And | Or = (DeskCase.reviewer_org == reviewer_org) & DeskCase.sla_started_on.is_not_null()
    if kind:
        where = where & (DeskCase.kind == kind)
    if states:
        where = where & DeskCase.state.is_in(list(states))
    if assignee is not None:
        where = where & (DeskCase.assignee == assignee)
    elif unassigned:
        where = where & DeskCase.assignee.is_null()
    if breached is True:
        where = where & DeskCase.breached_at.is_not_null()
    elif breached is False:
        where = where & DeskCase.breached_at.is_null()
    if open_only:
        where = where & DeskCase.closed_at.is_null()
    if q:
        where = where & DeskCase.reference.ilike(f"%{q}%")
    return where


async def queue(
    *,
    reviewer_org: int,
    kind: str | None,
    states: Sequence[str],
    assignee: int | None,
    unassigned: bool,
    breached: bool | None,
    open_only: bool,
    q: str,
    limit: int,
    offset: int,
) -> CasePage:
    """One organisation's submitted cases (drafts are the applicant's own), soonest due first."""
    where = _queue_where(
        reviewer_org=reviewer_org,
        kind=kind,
        states=states,
        assignee=assignee,
        unassigned=unassigned,
        breached=breached,
        open_only=open_only,
        q=q,
    )
    total = await DeskCase.count().where(where)
    rows = await DeskCase.select().where(where).order_by(DeskCase.due_on, DeskCase.id).limit(limit).offset(offset)
    return CasePage(items=tuple(_case(r) for r in rows), total=int(total), limit=limit, offset=offset)


async def sla_counts(*, reviewer_org: int, day: date, soon_until: date) -> SlaCounts:
    """The open queue of ``reviewer_org`` in numbers, as of ``day``: overdue (flagged, or due before ``day``),
    due soon (clock running, due from ``day`` to ``soon_until``), paused, unassigned."""
    open_cases = (
        (DeskCase.reviewer_org == reviewer_org) & DeskCase.sla_started_on.is_not_null() & DeskCase.closed_at.is_null()
    )
    running = open_cases & DeskCase.breached_at.is_null() & DeskCase.paused_since.is_null()
    return SlaCounts(
        open=int(await DeskCase.count().where(open_cases)),
        unassigned=int(await DeskCase.count().where(open_cases & DeskCase.assignee.is_null())),
        overdue=int(
            await DeskCase.count().where(
                open_cases & (DeskCase.breached_at.is_not_null() | (running & (DeskCase.due_on < day)))
            )
        ),
        due_soon=int(
            await DeskCase.count().where(running & (DeskCase.due_on >= day) & (DeskCase.due_on <= soon_until))
        ),
        paused=int(
            await DeskCase.count().where(
                open_cases & DeskCase.breached_at.is_null() & DeskCase.paused_since.is_not_null()
            )
        ),
    )


# --------------------------------------------------------------------------------------------- decisions


def _decision(row: Mapping[str, Any]) -> DecisionRecord:
    data = dict(row)
    reasons = data.pop("reasons") or []
    snapshot = data.pop("snapshot") or {}
    return DecisionRecord(
        **data,
        reasons=tuple(Reason.from_json(r) for r in reasons),
        snapshot=snapshot,
    )


async def insert_decision(
    *,
    case_id: int,
    kind: str,
    outcome: str,
    decided_by: int | None,
    role: str,
    org: int | None,
    at: datetime,
    reasons: list[dict[str, Any]],
    text: str,
    snapshot: dict[str, Any],
    amount_minor: int | None,
    currency: str,
    proposal: int | None,
    maker: int | None,
    supersedes: int | None,
    approvals_required: int,
) -> int:
    rows = await DeskDecision.insert(
        DeskDecision(
            case=case_id,
            kind=kind,
            outcome=outcome,
            decided_by=decided_by,
            role=role,
            org=org,
            decided_at=at,
            reasons=reasons,
            text=text,
            snapshot=snapshot,
            amount_minor=amount_minor,
            currency=currency,
            proposal=proposal,
            maker=maker,
            supersedes=supersedes,
            approvals_required=approvals_required,
        )
    ).returning(DeskDecision.id)
    return int(rows[0]["id"])


async def get_decision(decision_id: int) -> DecisionRecord | None:
    row = await DeskDecision.select().where(DeskDecision.id == decision_id).output(load_json=True).first()
    return _decision(row) if row else None


async def decisions_of(case_id: int) -> list[DecisionRecord]:
    rows = (
        await DeskDecision.select().where(DeskDecision.case == case_id).order_by(DeskDecision.id).output(load_json=True)
    )
    return [_decision(r) for r in rows]


async def approvals_of(proposal_id: int) -> list[DecisionRecord]:
    rows = (
        await DeskDecision.select()
        .where((DeskDecision.proposal == proposal_id) & (DeskDecision.kind == "approval"))
        .order_by(DeskDecision.id)
        .output(load_json=True)
    )
    return [_decision(r) for r in rows]


async def superseding(decision_id: int) -> DecisionRecord | None:
    row = (
        await DeskDecision.select()
        .where(DeskDecision.supersedes == decision_id)
        .order_by(DeskDecision.id)
        .output(load_json=True)
        .first()
    )
    return _decision(row) if row else None


async def latest_of_kind(case_id: int, kind: str) -> DecisionRecord | None:
    row = (
        await DeskDecision.select()
        .where((DeskDecision.case == case_id) & (DeskDecision.kind == kind))
        .order_by(DeskDecision.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    return _decision(row) if row else None


# ------------------------------------------------------------------------------------------------ calendar


def _day(row: Mapping[str, Any]) -> CalendarDayRecord:
    return CalendarDayRecord(**{**row, "provisional": bool(row["provisional"])})


async def calendar_days(*, start: date | None = None, end: date | None = None) -> list[CalendarDayRecord]:
    query = CalendarDay.select().order_by(CalendarDay.day)
    if start is not None:
        query = query.where(CalendarDay.day >= start)
    if end is not None:
        query = query.where(CalendarDay.day <= end)
    return [_day(r) for r in await query]


async def calendar_day(day: date) -> CalendarDayRecord | None:
    row = await CalendarDay.select().where(CalendarDay.day == day).first()
    return _day(row) if row else None


async def insert_day(
    *, day: date, kind: str, name: str, source: str, provisional: bool, updated_by: int | None, at: datetime
) -> int:
    rows = await CalendarDay.insert(
        CalendarDay(
            day=day,
            kind=kind,
            name=name,
            source=source,
            provisional=provisional,
            updated_by=updated_by,
            updated_at=at,
        )
    ).returning(CalendarDay.id)
    return int(rows[0]["id"])


async def update_day(
    *, day: date, kind: str, name: str, source: str, provisional: bool, updated_by: int | None, at: datetime
) -> bool:
    rows = (
        await CalendarDay.update(
            {
                CalendarDay.kind: kind,
                CalendarDay.name: name,
                CalendarDay.source: source,
                CalendarDay.provisional: provisional,
                CalendarDay.updated_by: updated_by,
                CalendarDay.updated_at: at,
            }
        )
        .where(CalendarDay.day == day)
        .returning(CalendarDay.id)
    )
    return bool(rows)


async def delete_day(day: date) -> bool:
    rows = await CalendarDay.delete().where(CalendarDay.day == day).returning(CalendarDay.id)
    return bool(rows)


# ------------------------------------------------------------------------------------- portfolio (H7)


def _book(reviewer_org: int, kind: str | None) -> Where | And | Or:
    """A reviewer's book: its cases once submitted (drafts are the applicant's own)."""
    where: Where | And | Or = (DeskCase.reviewer_org == reviewer_org) & DeskCase.sla_started_on.is_not_null()
    return where & (DeskCase.kind == kind) if kind else where


async def portfolio(*, reviewer_org: int, kind: str | None, now: datetime, breaches: int = 50) -> Portfolio:
    """Amounts by state, the open cases by age (``AGEING_BUCKETS``), the open SLA breaches: sums in SQL."""
    book = _book(reviewer_org, kind)
    amount = Sum(DeskCase.amount_minor, alias="amount")
    rows = await (
        DeskCase.select(DeskCase.state, DeskCase.currency, Count(alias="n"), amount)
        .where(book)
        .group_by(DeskCase.state, DeskCase.currency)
    )
    states = tuple(
        StateLine(state=r["state"], currency=r["currency"], count=int(r["n"]), amount_minor=int(r["amount"] or 0))
        for r in sorted(rows, key=lambda r: (r["currency"], r["state"]))
    )
    ageing = []
    for label, lower, upper in bucket_bounds(now):
        where = book & DeskCase.closed_at.is_null() & (DeskCase.opened_at <= upper)
        if lower is not None:
            where = where & (DeskCase.opened_at > lower)
        for r in await (
            DeskCase.select(DeskCase.currency, Count(alias="n"), Sum(DeskCase.amount_minor, alias="amount"))
            .where(where)
            .group_by(DeskCase.currency)
        ):
            ageing.append(
                AgeLine(bucket=label, currency=r["currency"], count=int(r["n"]), amount_minor=int(r["amount"] or 0))
            )
    open_breached = book & DeskCase.closed_at.is_null() & DeskCase.breached_at.is_not_null()
    breached_open = await DeskCase.count().where(open_breached)
    latest = (
        await DeskCase.select()
        .where(open_breached)
        .order_by(DeskCase.breached_at, ascending=False)
        .order_by(DeskCase.id, ascending=False)
        .limit(breaches)
    )
    return Portfolio(
        reviewer_org=reviewer_org,
        kind=kind,
        on=now.date(),
        states=states,
        ageing=tuple(ageing),
        breached_open=int(breached_open),
        breaches=tuple(
            BreachLine(
                case_id=r["id"],
                kind=r["kind"],
                subject=r["subject"],
                reference=r["reference"],
                state=r["state"],
                currency=r["currency"],
                amount_minor=int(r["amount_minor"]),
                due_on=r["due_on"],
                breached_on=r["breached_at"].date(),
            )
            for r in latest
        ),
    )
