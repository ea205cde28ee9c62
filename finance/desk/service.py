"""The review desk: cases moved by their state machines, immutable decisions, four eyes, queues and SLA clocks.

- A case is one aggregate of another module (``kind`` + ``subject``) under review by one organisation. Its state
  moves only through ``transition``: the machine says where an event leads (``finance.desk.machines``), then a
  conditional UPDATE on (id, state, version) moves it in the caller's transaction, with its audit event and its
  outbox event (``desk.case_moved``). Of two reviewers acting at once on one version, one wins; the other gets
  ``Conflict("desk.stale")`` (409) and nothing of theirs is written.
- Decisions are inserted, never changed (no update in the repository; a trigger refuses UPDATE, and DELETE on
  PostgreSQL): who, role, when, outcome, coded reasons, free text, a frozen snapshot of the inputs. Amending is a
  new decision that ``supersedes`` the old one (each decision is superseded at most once).
- Four eyes: a maker ``propose``s (approve or refuse, with the amount); checkers ``approve`` the proposal. The
  maker cannot approve it (here, and the database's CHECK maker <> decided_by); one checker approves a proposal
  once (unique (proposal, decided_by)); an amount above a threshold needs more distinct approvers (a committee),
  and a refusal may need a second approver (``ApprovalPolicy``).
- SLA: ``sla_working_days`` from the day the case leaves its initial state (submission), counted on the working
  days of the editable calendar; paused while the case waits on the applicant (the machine's ``waiting`` states),
  the paused working days added to the due day; stopped at a final state. ``sweep_sla`` (hourly job) flags each
  breach once, notifies the reviewer organisation and emits ``desk.sla_breached``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from finance.desk import repository
from finance.desk.machines import StateMachine, final_states, initial_state, next_state, waiting_states
from finance.desk.portfolio import Portfolio
from finance.desk.reasons import Reason, ReasonLike
from finance.desk.records import CalendarDayRecord, CasePage, CaseRecord, DecisionRecord, SlaCounts
from finance.desk.schemas import CalendarDayOut, CaseOut, CasePageOut, DecisionOut, ReasonOut
from finance.desk.workdays import WorkCalendar, seed_days
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.events import emit
from market.i18n import Msg
from market.kit.money import Money
from market.kit.words import MsgOut
from market.notifications.service import notify
from market.orgs import service as org_service

CHINA = ZoneInfo("Asia/Shanghai")
Page = CasePage  # the design's name for one page of a queue

# Where a case of each kind is reviewed (``/desk/cases/{id}`` redirects there); modules add theirs.
CASE_PAGES: dict[str, str] = {"pledge_loan": "/bank/pledges/{subject}"}


def current_time() -> datetime:
    """The desk's clock (one place, so a test can set it)."""
    return datetime.now(UTC)


def today() -> date:
    """Today in China, where the working days are counted."""
    return current_time().astimezone(CHINA).date()


def register_case_page(kind: str, pattern: str) -> None:
    CASE_PAGES[kind] = pattern


def case_page(case: CaseRecord) -> str | None:
    pattern = CASE_PAGES.get(case.kind)
    return pattern.format(subject=case.subject, id=case.id) if pattern else None


# ------------------------------------------------------------------------------------------- SLA calendar

CALENDAR_KINDS = ("holiday", "workday")
NAME_MAX = 100
SOURCE_MAX = 200


async def work_calendar() -> WorkCalendar:
    """The calendar as the working-day arithmetic reads it (a few dozen rows a year)."""
    return WorkCalendar.of((d.day, d.kind) for d in await repository.calendar_days())


async def is_working_day(day: date) -> bool:
    return (await work_calendar()).is_working_day(day)


async def add_working_days(day: date, n: int) -> date:
    return (await work_calendar()).add_working_days(day, n)


async def working_days_between(start: date, end: date) -> int:
    return (await work_calendar()).working_days_between(start, end)


async def seed_calendar() -> int:
    """Add the seed's days that the calendar lacks (an admin's edit of a day is kept). Returns how many."""
    known = {d.day for d in await repository.calendar_days()}
    now = current_time()
    added = 0
    for seed in seed_days():
        if seed.day not in known:
            await repository.insert_day(
                day=seed.day,
                kind=seed.kind,
                name=seed.name,
                source=seed.source,
                provisional=seed.provisional,
                updated_by=None,
                at=now,
            )
            added += 1
    return added


async def calendar(year: int) -> list[CalendarDayRecord]:
    return await repository.calendar_days(start=date(year, 1, 1), end=date(year, 12, 31))


def _check_day(kind: str, name: str, source: str) -> tuple[str, str]:
    errors: list[FieldError] = []
    if kind not in CALENDAR_KINDS:
        errors.append(FieldError("kind", Msg("desk.calendar_kind_invalid"), code="kind_invalid"))
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        errors.append(FieldError("name", Msg("desk.calendar_name_required", {"max": NAME_MAX}), code="required"))
    source = source.strip()
    if len(source) > SOURCE_MAX:
        errors.append(FieldError("source", Msg("desk.calendar_source_too_long", {"max": SOURCE_MAX}), code="long"))
    if errors:
        raise ValidationFailed(Msg("desk.calendar_invalid"), errors=errors)
    return name, source


def _day_audit(row: CalendarDayRecord | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"kind": row.kind, "name": row.name, "source": row.source, "provisional": row.provisional}


async def set_calendar_day(
    day: date, kind: str, name: str, actor: Actor, *, source: str = "", provisional: bool = False
) -> CalendarDayRecord:
    """Add or change a day of the calendar (platform admins; the controllers say who). Audited before/after."""
    name, source = _check_day(kind, name, source)
    before = await repository.calendar_day(day)
    now = current_time()
    values: dict[str, Any] = {"kind": kind, "name": name, "source": source, "provisional": provisional}
    if before is None:
        await repository.insert_day(day=day, updated_by=actor.user_id, at=now, **values)
    elif not await repository.update_day(day=day, updated_by=actor.user_id, at=now, **values):
        raise Conflict(Msg("desk.calendar_changed_meanwhile"))
    await record(
        actor=actor,
        action="desk.calendar_day_set",
        entity_type="desk_calendar_day",
        entity_id=day.isoformat(),
        before=_day_audit(before),
        after=values,
    )
    after = await repository.calendar_day(day)
    assert after is not None
    return after


async def remove_calendar_day(day: date, actor: Actor) -> None:
    """The day follows the weekend rule again."""
    before = await repository.calendar_day(day)
    if before is None or not await repository.delete_day(day):
        raise NotFound(Msg("desk.calendar_day_not_found", {"day": day}))
    await record(
        actor=actor,
        action="desk.calendar_day_removed",
        entity_type="desk_calendar_day",
        entity_id=day.isoformat(),
        before=_day_audit(before),
    )


# ------------------------------------------------------------------------------------------------- cases

case = repository.get_case
case_of = repository.case_of
cases_by_id = repository.cases_by_id
decisions = repository.decisions_of
decision = repository.get_decision


async def _require_case(case_id: int) -> CaseRecord:
    found = await repository.get_case(case_id)
    if found is None:
        raise NotFound(Msg("desk.case_not_found", {"id": case_id}))
    return found


def _stale(found: CaseRecord) -> Conflict:
    return Conflict(Msg("desk.stale", {"reference": found.reference}), version=found.version)


def _case_audit(found: CaseRecord) -> dict[str, Any]:
    return {"state": found.state, "version": found.version, "assignee": found.assignee}


async def open_case(
    *,
    kind: str,
    subject: int,
    reviewer_org: int,
    applicant_org: int,
    amount: Money,
    machine: type[StateMachine],
    reference_prefix: str,
    sla_working_days: int,
    actor: Actor,
) -> CaseRecord:
    """Put an aggregate on the desk in its machine's initial state; its SLA clock starts when it leaves it. One
    case per (kind, subject): a second is a 409."""
    if sla_working_days < 0:
        raise ValueError("sla_working_days must be zero or more")
    now = current_time()
    reference = f"{reference_prefix}-{today().year}-{subject:06d}"
    case_id = await repository.insert_case(
        kind=kind,
        subject=subject,
        reference=reference,
        reviewer_org=reviewer_org,
        applicant_org=applicant_org,
        state=initial_state(machine),
        amount_minor=amount.minor,
        currency=amount.currency,
        sla_working_days=sla_working_days,
        at=now,
    )
    opened = await _require_case(case_id)
    await record(
        actor=actor,
        action="desk.case_opened",
        entity_type="desk_case",
        entity_id=case_id,
        org_id=reviewer_org,
        after={"kind": kind, "subject": subject, "reference": reference, **_case_audit(opened)},
    )
    await emit("desk.case_opened", case_id=case_id, kind=kind, subject=subject)
    return opened


@dataclass(frozen=True, slots=True)
class Clock:
    """The SLA fields of a case after a move."""

    sla_started_on: date | None
    paused_since: datetime | None
    paused_working_days: int
    due_on: date | None
    closed_at: datetime | None


def clock_after(
    found: CaseRecord,
    *,
    to_state: str,
    machine: type[StateMachine],
    calendar: WorkCalendar,
    now: datetime,
    day: date,
) -> Clock:
    """Pure: start on leaving the initial state, pause entering a waiting state, resume (adding the paused working
    days to the due day) leaving it, stop at a final state."""
    started, paused_since, paused_days, due, closed = (
        found.sla_started_on,
        found.paused_since,
        found.paused_working_days,
        found.due_on,
        found.closed_at,
    )
    waiting = waiting_states(machine)
    if started is None and to_state != initial_state(machine):
        started = day
        due = calendar.add_working_days(day, found.sla_working_days) if found.sla_working_days else None
    if paused_since is not None and to_state not in waiting:
        paused_days += calendar.working_days_between(paused_since.astimezone(CHINA).date(), day)
        paused_since = None
        if started is not None and found.sla_working_days:
            due = calendar.add_working_days(started, found.sla_working_days + paused_days)
    if to_state in waiting and paused_since is None and started is not None:
        paused_since = now
    if to_state in final_states(machine):
        closed = now
    return Clock(started, paused_since, paused_days, due, closed)


async def transition(
    *, case_id: int, event: str, expected_version: int, actor: Actor, machine: type[StateMachine]
) -> CaseRecord:
    """Move the case by ``event``: ``Conflict("desk.transition_not_allowed")`` where the machine does not allow it,
    ``Conflict("desk.stale")`` (409) when the case is no longer at ``expected_version`` (someone acted first)."""
    found = await _require_case(case_id)
    if found.version != expected_version:
        raise _stale(found)
    to_state = next_state(machine, found.state, event)
    now = current_time()
    day = now.astimezone(CHINA).date()
    clock = clock_after(found, to_state=to_state, machine=machine, calendar=await work_calendar(), now=now, day=day)
    moved = await repository.move(
        case_id,
        from_state=found.state,
        version=found.version,
        to_state=to_state,
        at=now,
        sla_started_on=clock.sla_started_on,
        paused_since=clock.paused_since,
        paused_working_days=clock.paused_working_days,
        due_on=clock.due_on,
        closed_at=clock.closed_at,
    )
    if not moved:
        raise _stale(found)
    after = await _require_case(case_id)
    await record(
        actor=actor,
        action="desk.case_moved",
        entity_type="desk_case",
        entity_id=case_id,
        org_id=found.reviewer_org,
        before=_case_audit(found),
        after={**_case_audit(after), "event": event, "due_on": after.due_on, "paused": after.paused},
    )
    await emit(
        "desk.case_moved",
        case_id=case_id,
        kind=found.kind,
        subject=found.subject,
        from_state=found.state,
        to_state=to_state,
        event=event,
        reviewer_org=found.reviewer_org,
        applicant_org=found.applicant_org,
    )
    return after


# --------------------------------------------------------------------------------------------- decisions


def _frozen(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot as stored: plain JSON (dates and money as text), so what is read back is what was hashed."""
    frozen: dict[str, Any] = json.loads(json.dumps(dict(snapshot), default=str, ensure_ascii=False))
    return frozen


def snapshot_sha256(snapshot: Mapping[str, Any]) -> str:
    blob = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


async def _insert(
    *,
    found: CaseRecord,
    kind: str,
    outcome: str,
    actor: Actor,
    role: str,
    reasons: Sequence[Reason | ReasonLike],
    text: str,
    snapshot: Mapping[str, Any],
    amount: Money | None,
    supersedes: int | None = None,
    proposal: int | None = None,
    maker: int | None = None,
    approvals_required: int = 0,
) -> DecisionRecord:
    if supersedes is not None:
        earlier = await repository.get_decision(supersedes)
        if earlier is None or earlier.case != found.id:
            raise NotFound(Msg("desk.decision_not_found", {"id": supersedes}))
        if await repository.superseding(supersedes) is not None:
            raise Conflict(Msg("desk.already_superseded", {"id": supersedes}))
    coded = [Reason.of(r) for r in reasons]
    frozen = _frozen(snapshot)
    now = current_time()
    decision_id = await repository.insert_decision(
        case_id=found.id,
        kind=kind,
        outcome=outcome,
        decided_by=actor.user_id,
        role=role,
        org=actor.org_id,
        at=now,
        reasons=[r.as_json() for r in coded],
        text=text,
        snapshot=frozen,
        amount_minor=amount.minor if amount is not None else None,
        currency=amount.currency if amount is not None else "",
        proposal=proposal,
        maker=maker,
        supersedes=supersedes,
        approvals_required=approvals_required,
    )
    await record(
        actor=actor,
        action="desk.decision_recorded",
        entity_type="desk_decision",
        entity_id=decision_id,
        org_id=found.reviewer_org,
        after={
            "case": found.id,
            "kind": kind,
            "outcome": outcome,
            "role": role,
            "reasons": [r.code for r in coded],
            "amount_minor": amount.minor if amount is not None else None,
            "currency": amount.currency if amount is not None else "",
            "proposal": proposal,
            "supersedes": supersedes,
            "snapshot_sha256": snapshot_sha256(frozen),
        },
    )
    await emit("desk.decision_recorded", case_id=found.id, decision_id=decision_id, kind=kind, outcome=outcome)
    made = await repository.get_decision(decision_id)
    assert made is not None
    return made


FOUR_EYES_KINDS = ("proposal", "approval")


async def decide(
    *,
    case_id: int,
    kind: str,
    outcome: str,
    actor: Actor,
    role: str,
    reasons: Sequence[Reason | ReasonLike] = (),
    text: str = "",
    snapshot: Mapping[str, Any],
    amount: Money | None = None,
    supersedes: int | None = None,
    expected_version: int | None = None,
) -> DecisionRecord:
    """Record a decision (insert only), audited, with ``desk.decision_recorded`` emitted. Proposals and approvals go
    through ``propose`` and ``approve`` (four eyes), never through here. With ``expected_version`` (a decision that
    moves no state, taken on the version the caller read) it takes the case's next version: of two decisions on
    the same version one is recorded and the other is a 409."""
    if kind in FOUR_EYES_KINDS:
        raise ValueError(f"a {kind} is recorded by propose/approve, which keep the four-eyes rule")
    found = await _require_case(case_id)
    if expected_version is not None:
        await _advance(found, expected_version=expected_version, actor=actor, machine=None, event=None)
    return await _insert(
        found=found,
        kind=kind,
        outcome=outcome,
        actor=actor,
        role=role,
        reasons=reasons,
        text=text,
        snapshot=snapshot,
        amount=amount,
        supersedes=supersedes,
    )


# -------------------------------------------------------------------------------------------- four eyes


class PolicyLike(Protocol):
    """Any approval policy of this shape (``finance.loan_products`` keeps one per product version)."""

    @property
    def thresholds(self) -> tuple[tuple[int, int], ...]: ...
    @property
    def refusal_needs_second(self) -> bool: ...


def approvals_required(policy: PolicyLike, outcome: str, amount_minor: int) -> int:
    """Distinct approvers a proposal needs: a refusal none, or one if the policy says so; an approval at least one,
    and for an amount above a threshold that threshold's number (a committee)."""
    if outcome == "refuse":
        return 1 if policy.refusal_needs_second else 0
    need = 1
    for above, approvals in policy.thresholds:
        if amount_minor > above:
            need = max(need, approvals)
    return need


def policy_json(policy: PolicyLike) -> dict[str, Any]:
    return {"thresholds": [list(t) for t in policy.thresholds], "refusal_needs_second": policy.refusal_needs_second}


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    """How many distinct approvers a proposal needs: ``thresholds`` are (above_minor, approvals) pairs (an amount
    above ``above_minor`` needs ``approvals``; at least one for an approval); a refusal needs a second approver only
    if ``refusal_needs_second``."""

    thresholds: tuple[tuple[int, int], ...] = ((0, 1),)
    refusal_needs_second: bool = False

    def required(self, outcome: str, amount_minor: int) -> int:
        return approvals_required(self, outcome, amount_minor)

    def as_json(self) -> dict[str, Any]:
        return policy_json(self)


DEFAULT_POLICY = ApprovalPolicy()
PROPOSAL_OUTCOMES = ("approve", "refuse")


@dataclass(frozen=True, slots=True)
class ProposalStatus:
    proposal: DecisionRecord
    approvals: tuple[DecisionRecord, ...]
    required: int
    superseded_by: int | None

    @property
    def complete(self) -> bool:
        return len({a.decided_by for a in self.approvals}) >= self.required

    @property
    def pending(self) -> bool:
        return not self.complete and self.superseded_by is None


async def proposal_status(proposal_id: int) -> ProposalStatus:
    proposal = await repository.get_decision(proposal_id)
    if proposal is None or proposal.kind != "proposal":
        raise NotFound(Msg("desk.proposal_not_found", {"id": proposal_id}))
    later = await repository.superseding(proposal_id)
    return ProposalStatus(
        proposal=proposal,
        approvals=tuple(await repository.approvals_of(proposal_id)),
        required=proposal.approvals_required,
        superseded_by=later.id if later else None,
    )


async def _require_reviewer(found: CaseRecord, actor: Actor) -> int:
    """The acting user's id, if they act for the case's reviewer organisation and are one of its members."""
    if actor.user_id is None or actor.org_id != found.reviewer_org:
        raise Forbidden(Msg("desk.not_reviewer"))
    if actor.user_id not in {m.user_id for m in await org_service.members_of_org(found.reviewer_org)}:
        raise Forbidden(Msg("desk.not_reviewer"))
    return actor.user_id


async def _advance(
    found: CaseRecord,
    *,
    expected_version: int | None,
    actor: Actor,
    machine: type[StateMachine] | None,
    event: str | None,
) -> CaseRecord:
    """Take the case's next version: by the machine's move when given, else by a bare conditional update."""
    version = found.version if expected_version is None else expected_version
    if machine is not None and event is not None:
        return await transition(case_id=found.id, event=event, expected_version=version, actor=actor, machine=machine)
    if found.version != version or not await repository.touch(found.id, version=version, at=current_time()):
        raise _stale(found)
    return await _require_case(found.id)


async def propose(
    *,
    case_id: int,
    outcome: Literal["approve", "refuse"],
    actor: Actor,
    role: str,
    amount: Money,
    reasons: Sequence[Reason | ReasonLike] = (),
    text: str = "",
    snapshot: Mapping[str, Any],
    policy: PolicyLike = DEFAULT_POLICY,
    expected_version: int | None = None,
    machine: type[StateMachine] | None = None,
    event: str | None = None,
) -> DecisionRecord:
    """The maker's proposal; it supersedes the case's earlier proposal. It takes the case's next version (and moves
    it by ``event`` when a machine is given), so two proposals at once give one and a 409."""
    if outcome not in PROPOSAL_OUTCOMES:
        raise ValidationFailed(Msg("desk.outcome_invalid"), errors=[FieldError("outcome", Msg("desk.outcome_invalid"))])
    found = await _require_case(case_id)
    await _require_reviewer(found, actor)
    earlier = await repository.latest_of_kind(case_id, "proposal")
    supersedes = earlier.id if earlier is not None and await repository.superseding(earlier.id) is None else None
    required = approvals_required(policy, outcome, amount.minor)
    await _advance(found, expected_version=expected_version, actor=actor, machine=machine, event=event)
    return await _insert(
        found=found,
        kind="proposal",
        outcome=outcome,
        actor=actor,
        role=role,
        reasons=reasons,
        text=text,
        snapshot={**snapshot, "approval_policy": policy_json(policy), "approvals_required": required},
        amount=amount,
        supersedes=supersedes,
        approvals_required=required,
    )


async def approve(
    *,
    proposal_id: int,
    actor: Actor,
    role: str,
    text: str = "",
    expected_version: int | None = None,
    machine: type[StateMachine] | None = None,
    event: str | None = None,
) -> tuple[DecisionRecord, bool]:
    """A checker approves a proposal; True once all the approvals it needs are in (then, with a machine, the case
    moves by ``event``). The maker is refused (``Forbidden("desk.four_eyes")``; the database refuses it too), as is
    a second approval by the same checker, an approval of a superseded or complete proposal, and an approval of a
    case that changed meanwhile (409): twenty checkers at once give one approval."""
    status = await proposal_status(proposal_id)
    proposal = status.proposal
    found = await _require_case(proposal.case)
    user_id = await _require_reviewer(found, actor)
    if user_id == proposal.decided_by:
        raise Forbidden(Msg("desk.four_eyes"))
    if status.superseded_by is not None:
        raise Conflict(Msg("desk.proposal_superseded", {"id": status.superseded_by}))
    if status.complete:
        raise Conflict(Msg("desk.proposal_complete"))
    if user_id in {a.decided_by for a in status.approvals}:
        raise Conflict(Msg("desk.already_approved"))
    complete = len({a.decided_by for a in status.approvals} | {user_id}) >= status.required
    await _advance(
        found,
        expected_version=expected_version,
        actor=actor,
        machine=machine if complete else None,
        event=event if complete else None,
    )
    made = await _insert(
        found=found,
        kind="approval",
        outcome="approved",
        actor=actor,
        role=role,
        reasons=(),
        text=text,
        snapshot={"proposal": proposal.id, "proposal_outcome": proposal.outcome, "approvals_required": status.required},
        amount=proposal.amount,
        proposal=proposal.id,
        maker=proposal.decided_by,
    )
    return made, complete


# ------------------------------------------------------------------------------------------------ queues


async def queue(
    *,
    reviewer_org: int,
    kind: str | None = None,
    states: Sequence[str] = (),
    assignee: int | None = None,
    unassigned: bool = False,
    breached: bool | None = None,
    open_only: bool = True,
    q: str = "",
    limit: int = 50,
    offset: int = 0,
) -> CasePage:
    """One organisation's submitted cases, soonest due first."""
    return await repository.queue(
        reviewer_org=reviewer_org,
        kind=kind,
        states=states,
        assignee=assignee,
        unassigned=unassigned,
        breached=breached,
        open_only=open_only,
        q=q.strip(),
        limit=max(1, min(limit, 200)),
        offset=max(0, offset),
    )


DUE_SOON_DAYS = 3  # "due soon" on a reviewer's dashboard: due today or within the next three days


async def queue_summary(*, principal: Principal, on: date | None = None) -> SlaCounts:
    """The principal's organisation's open queue in numbers (the dashboard): open, unassigned, overdue, due soon,
    paused."""
    day = on or today()
    return await repository.sla_counts(
        reviewer_org=principal.org_id, day=day, soon_until=day + timedelta(days=DUE_SOON_DAYS)
    )


async def _set_assignee(found: CaseRecord, *, to_user: int | None, actor: Actor, expected_version: int) -> CaseRecord:
    if found.version != expected_version or not await repository.set_assignee(
        found.id, version=expected_version, assignee=to_user, at=current_time()
    ):
        raise _stale(found)
    after = await _require_case(found.id)
    await record(
        actor=actor,
        action="desk.case_assigned",
        entity_type="desk_case",
        entity_id=found.id,
        org_id=found.reviewer_org,
        before=_case_audit(found),
        after=_case_audit(after),
    )
    await emit("desk.case_assigned", case_id=found.id, kind=found.kind, subject=found.subject, assignee=to_user)
    return after


async def claim(*, case_id: int, actor: Actor, expected_version: int) -> CaseRecord:
    """Take an unassigned case of one's organisation (409 if someone holds it or it changed meanwhile)."""
    found = await _require_case(case_id)
    user_id = await _require_reviewer(found, actor)
    if found.assignee is not None and found.assignee != user_id:
        raise Conflict(Msg("desk.already_claimed", {"reference": found.reference}))
    return await _set_assignee(found, to_user=user_id, actor=actor, expected_version=expected_version)


async def assign(*, case_id: int, to_user: int | None, actor: Actor, expected_version: int) -> CaseRecord:
    """Give the case to a member of the reviewer organisation (None: back to the queue)."""
    found = await _require_case(case_id)
    await _require_reviewer(found, actor)
    if to_user is not None and to_user not in {m.user_id for m in await org_service.members_of_org(found.reviewer_org)}:
        raise ValidationFailed(
            Msg("desk.assignee_not_member"), errors=[FieldError("to_user", Msg("desk.assignee_not_member"))]
        )
    return await _set_assignee(found, to_user=to_user, actor=actor, expected_version=expected_version)


# --------------------------------------------------------------------------------------------------- SLA


async def sweep_sla(*, on: date | None = None) -> int:
    """Flag each open case past its due day (clock running) once: audited, the reviewer organisation's members
    notified, ``desk.sla_breached`` emitted. Returns how many were flagged now."""
    day = on or today()
    flagged = 0
    now = current_time()
    for found in await repository.overdue(today=day):
        if not await repository.mark_breached(found.id, at=now):
            continue
        flagged += 1
        await record(
            actor=Actor.system(),
            action="desk.sla_breached",
            entity_type="desk_case",
            entity_id=found.id,
            org_id=found.reviewer_org,
            after={"due_on": found.due_on, "state": found.state},
        )
        message = Msg("notification.desk_sla_breached", {"reference": found.reference, "due": found.due_on})
        for member in await org_service.members_of_org(found.reviewer_org):
            await notify(
                user_id=member.user_id,
                kind="desk_sla_breached",
                message=message,
                dedupe_key=f"desk:{found.id}:breached:{member.user_id}",
            )
        await emit(
            "desk.sla_breached",
            case_id=found.id,
            kind=found.kind,
            subject=found.subject,
            reviewer_org=found.reviewer_org,
            due_on=found.due_on.isoformat() if found.due_on else None,
        )
    return flagged


# ------------------------------------------------------------------------------ for the API and the pages


def case_out(found: CaseRecord) -> CaseOut:
    return CaseOut(
        id=found.id,
        kind=found.kind,
        subject=found.subject,
        reference=found.reference,
        reviewer_org=found.reviewer_org,
        applicant_org=found.applicant_org,
        state=found.state,
        version=found.version,
        amount_minor=found.amount_minor,
        currency=found.currency,
        assignee=found.assignee,
        sla_working_days=found.sla_working_days,
        sla_started_on=found.sla_started_on,
        due_on=found.due_on,
        paused=found.paused,
        breached=found.breached_at is not None,
        breached_at=found.breached_at,
        opened_at=found.opened_at,
        updated_at=found.updated_at,
        closed_at=found.closed_at,
        url=f"/desk/cases/{found.id}",
    )


def reason_out(r: Reason) -> ReasonOut:
    return ReasonOut(
        code=r.code,
        source=r.source,
        severity=r.severity.value,
        field=r.field,
        message=MsgOut.of(r.msg),
        article=MsgOut.of(r.article),
    )


def decision_out(made: DecisionRecord) -> DecisionOut:
    return DecisionOut(
        id=made.id,
        case=made.case,
        kind=made.kind,
        outcome=made.outcome,
        decided_by=made.decided_by,
        role=made.role,
        org=made.org,
        decided_at=made.decided_at,
        reasons=[reason_out(r) for r in made.reasons],
        text=made.text,
        snapshot=dict(made.snapshot),
        amount_minor=made.amount_minor,
        currency=made.currency,
        proposal=made.proposal,
        maker=made.maker,
        supersedes=made.supersedes,
        approvals_required=made.approvals_required,
    )


def calendar_day_out(row: CalendarDayRecord) -> CalendarDayOut:
    return CalendarDayOut(
        day=row.day,
        kind=row.kind,
        name=row.name,
        source=row.source,
        source_label=MsgOut.of(Msg(row.source)) if row.source.startswith("law.") else None,
        provisional=row.provisional,
        updated_at=row.updated_at,
    )


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


@dataclass(frozen=True, slots=True)
class QueueFilters:
    kind: str | None = None
    states: tuple[str, ...] = ()
    assignee: int | None = None
    mine: bool = False
    unassigned: bool = False
    breached: bool | None = None
    q: str = ""
    limit: int = 50
    offset: int = 0


async def _queue_of(principal: Principal, filters: QueueFilters) -> CasePage:
    return await queue(
        reviewer_org=principal.org_id,
        kind=filters.kind or None,
        states=filters.states,
        assignee=principal.user_id if filters.mine else filters.assignee,
        unassigned=filters.unassigned,
        breached=filters.breached,
        q=filters.q,
        limit=filters.limit,
        offset=filters.offset,
    )


async def queue_for(*, principal: Principal, filters: QueueFilters) -> CasePageOut:
    """The principal's organisation's queue."""
    page = await _queue_of(principal, filters)
    return CasePageOut(items=[case_out(c) for c in page.items], total=page.total, limit=page.limit, offset=page.offset)


async def case_for(*, principal: Principal, case_id: int) -> CaseRecord:
    """A case of the principal's organisation (as reviewer); any other is answered 404."""
    found = await repository.get_case(case_id)
    if found is None or found.reviewer_org != principal.org_id:
        raise NotFound(Msg("desk.case_not_found", {"id": case_id}))
    return found


async def decisions_for(*, principal: Principal, case_id: int) -> list[DecisionOut]:
    found = await case_for(principal=principal, case_id=case_id)
    return [decision_out(d) for d in await repository.decisions_of(found.id)]


async def claim_for(*, principal: Principal, case_id: int, version: int) -> CaseOut:
    found = await case_for(principal=principal, case_id=case_id)
    return case_out(await claim(case_id=found.id, actor=actor_of(principal), expected_version=version))


async def assign_for(*, principal: Principal, case_id: int, to_user: int | None, version: int) -> CaseOut:
    found = await case_for(principal=principal, case_id=case_id)
    return case_out(
        await assign(case_id=found.id, to_user=to_user, actor=actor_of(principal), expected_version=version)
    )


async def case_page_of(*, principal: Principal, case_id: int) -> str:
    """Where ``/desk/cases/{id}`` sends the reviewer: the page of the case's kind (404 for a kind without one)."""
    found = await case_for(principal=principal, case_id=case_id)
    page = case_page(found)
    if page is None:
        raise NotFound(Msg("desk.case_not_found", {"id": case_id}))
    return page


async def calendar_out(year: int) -> list[CalendarDayOut]:
    return [calendar_day_out(d) for d in await calendar(year)]


async def reviewers(org_id: int) -> list[tuple[int, str]]:
    """The members a case of ``org_id`` may be assigned to: (user id, name)."""
    return [(m.user_id, m.display_name or m.email) for m in await org_service.members_of_org(org_id)]


# ------------------------------------------------------------------------------------- portfolio (H7)


async def portfolio(*, reviewer_org: int, kind: str | None = None, now: datetime | None = None) -> Portfolio:
    """A reviewer organisation's book (the bank portfolio page and API): amounts by state, open cases by age, the
    open SLA breaches."""
    return await repository.portfolio(reviewer_org=reviewer_org, kind=kind, now=now or datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A queue row as the desk page shows it: the case, its applicant's and assignee's names, its SLA badge."""

    case: CaseOut
    applicant: str
    assignee: str
    badge: str  # breached | paused | due_today | on_time | closed | none


def badge(found: CaseRecord, day: date) -> str:
    if found.closed:
        return "closed"
    if found.breached_at is not None:
        return "breached"
    if found.paused:
        return "paused"
    if found.due_on is None:
        return "none"
    if found.due_on < day:
        return "overdue"  # past due, the hourly sweep not yet run
    return "due_today" if found.due_on == day else "on_time"


async def queue_rows(*, principal: Principal, filters: QueueFilters) -> tuple[list[QueueRow], int]:
    """The desk page's rows and how many cases match in all."""
    page = await _queue_of(principal, filters)
    names = {o.id: o.name for o in await org_service.public_orgs(sorted({c.applicant_org for c in page.items}))}
    people = dict(await reviewers(principal.org_id))
    day = today()
    rows = [
        QueueRow(
            case=case_out(c),
            applicant=names.get(c.applicant_org, ""),
            assignee=people.get(c.assignee, "") if c.assignee is not None else "",
            badge=badge(c, day),
        )
        for c in page.items
    ]
    return rows, page.total


# ------------------------------------------------------------------------------- platform overview (issue 16)


async def open_cases_everywhere(*, limit: int = 10_000) -> list[CaseRecord]:
    """Every review desk's open, submitted cases, oldest first: the platform admin's overview counts the SLA
    breaches among them and shows their ageing."""
    return await repository.open_submitted(limit=limit)
