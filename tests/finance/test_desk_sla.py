"""SLA clocks in working days: weekends and the calendar's holidays skipped, make-up workdays counted, paused while
the case waits on the applicant; the hourly sweep flags a breach once; the calendar is data an admin edits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from finance.desk import service as desk
from finance.desk.jobs import SLA_SWEEP_JOB, desk_sla_sweep
from finance.desk.records import CaseRecord
from finance.desk.tables import CalendarDay
from finance.desk.workdays import WorkCalendar
from finance.piccolo_migrations import finance_0011_review_desk as migration
from market import jobs
from market.audit.service import Actor
from market.audit.tables import AuditEvent
from market.errors import NotFound, ValidationFailed
from market.events.tables import DomainEvent
from market.jobs import unit_of_work
from market.notifications.tables import Notification
from market.settings import Settings
from market.worker import worker_settings
from tests.conftest import Backend, make_account
from tests.finance.desk_support import Review, bank_with_members, move, open_case

# A fixed calendar: National Day week 2026 as the State Council set it (1-7 October off, Sunday 20 September and
# Saturday 10 October worked), and one extra holiday on a Wednesday.
FIXED = WorkCalendar.of(
    [
        *((date(2026, 10, d), "holiday") for d in range(1, 8)),
        (date(2026, 9, 20), "workday"),
        (date(2026, 10, 10), "workday"),
        (date(2026, 11, 11), "holiday"),
    ]
)


def test_working_days_skip_weekends() -> None:
    plain = WorkCalendar()
    assert plain.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday + 1 -> Monday
    assert plain.add_working_days(date(2026, 11, 28), 5) == date(2026, 12, 4)  # from a Saturday
    assert plain.working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1
    assert not plain.is_working_day(date(2026, 11, 29))


def test_working_days_skip_the_calendars_holidays_and_count_its_make_up_workdays() -> None:
    assert not FIXED.is_working_day(date(2026, 10, 1))
    assert FIXED.is_working_day(date(2026, 9, 20))  # a Sunday worked
    assert FIXED.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # over the whole week off
    assert FIXED.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # the Saturday worked counts
    assert FIXED.add_working_days(date(2026, 11, 10), 1) == date(2026, 11, 12)  # over the extra holiday
    assert FIXED.add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)
    for start, n in [(date(2026, 9, 25), 7), (date(2026, 11, 6), 4), (date(2026, 10, 3), 0)]:
        assert FIXED.working_days_between(start, FIXED.add_working_days(start, n)) == n


def clock(case: Any, to_state: str, day: date) -> desk.Clock:
    at = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)  # 11:00 in China
    return desk.clock_after(case, to_state=to_state, machine=Review, calendar=FIXED, now=at, day=day)


def test_the_clock_starts_on_submission_pauses_while_waiting_and_stops_at_a_final_state() -> None:
    now = datetime(2026, 9, 28, tzinfo=UTC)
    case = CaseRecord(
        id=1, kind="t", subject=1, reference="T", reviewer_org=1, applicant_org=2, state="draft", version=0,
        amount_minor=1, currency="CNY", assignee=None, sla_working_days=5, sla_started_on=None, paused_since=None,
        paused_working_days=0, due_on=None, breached_at=None, opened_at=now, updated_at=now, closed_at=None,
    )  # fmt: skip
    submitted = clock(case, "submitted", date(2026, 9, 28))  # Monday before National Day
    # five working days: 29, 30 September, 8, 9, 10 October (Saturday 10th worked)
    assert (submitted.sla_started_on, submitted.due_on) == (date(2026, 9, 28), date(2026, 10, 10))
    case = replace(case, state="submitted", sla_started_on=submitted.sla_started_on, due_on=submitted.due_on)
    asked = clock(case, "more_info", date(2026, 9, 29))
    assert asked.paused_since is not None and asked.due_on == date(2026, 10, 10)
    case = replace(case, state="more_info", paused_since=asked.paused_since)
    answered = clock(case, "in_review", date(2026, 10, 9))
    # paused 29 September to 9 October: 30 September, 8 and 9 October are the working days it waited
    assert answered.paused_since is None and answered.paused_working_days == 3
    assert answered.due_on == date(2026, 10, 14)  # 5 + 3 working days after 28 September
    case = replace(case, state="in_review", paused_since=None, paused_working_days=3, due_on=answered.due_on)
    closed = clock(case, "approved", date(2026, 10, 12))
    assert closed.closed_at is not None and closed.due_on == date(2026, 10, 14)


# ------------------------------------------------------------------------------------ through the service


async def test_the_seeded_calendar_holds_2026_and_2027s_statutory_days(backend: Backend) -> None:
    """The seed finance_0011 loads (each test starts from empty tables, so it is loaded again here)."""
    async with unit_of_work():
        assert await desk.seed_calendar() == len(migration.seed_rows()) == 52
        assert await desk.seed_calendar() == 0
    assert await desk.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert not await desk.is_working_day(date(2026, 2, 16))  # Spring Festival 2026
    assert await desk.is_working_day(date(2026, 2, 28))  # its Saturday worked
    days_2027 = await desk.calendar(2027)
    assert {d.day for d in days_2027} >= {date(2027, 2, 5), date(2027, 2, 8), date(2027, 6, 9), date(2027, 10, 3)}
    assert all(d.provisional and d.source == "law.holidays.measures2024" for d in days_2027)
    assert all(not d.provisional and d.source == "law.holidays.notice2026" for d in await desk.calendar(2026))
    assert not await desk.is_working_day(date(2027, 2, 8))  # a Monday of the 2027 Spring Festival


@pytest.fixture
def on_day(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the desk's clock to 11:00 in China on ``day`` for the moves that follow."""

    def set_day(day: date) -> None:
        monkeypatch.setattr(desk, "current_time", lambda: datetime(day.year, day.month, day.day, 3, tzinfo=UTC))

    return set_day


async def test_the_clock_pauses_during_a_more_info_request(backend: Backend, on_day: Any) -> None:
    bank = await bank_with_members(0)
    case = await open_case(bank, sla_working_days=5)
    on_day(date(2026, 11, 2))  # Monday
    case = await move(case, "submit")
    assert (case.sla_started_on, case.due_on) == (date(2026, 11, 2), date(2026, 11, 9))
    case = await move(case, "start")
    on_day(date(2026, 11, 4))
    case = await move(case, "ask")
    assert case.paused
    on_day(date(2026, 11, 9))
    case = await move(case, "answer")
    # it waited Thursday, Friday and Monday: three working days later than it would have been
    assert not case.paused and case.paused_working_days == 3 and case.due_on == date(2026, 11, 12)
    on_day(date(2026, 11, 10))
    case = await move(case, "propose")
    assert case.due_on == date(2026, 11, 12) and not case.closed


async def test_the_sweep_flags_a_breach_once_and_tells_the_reviewer(backend: Backend, on_day: Any) -> None:
    bank = await bank_with_members(1)
    on_day(date(2026, 11, 2))
    late = await move(await open_case(bank, sla_working_days=2), "submit", "start")  # due Wednesday 4th
    waiting = await move(await open_case(bank, sla_working_days=2), "submit", "start", "ask")  # paused
    done = await move(await open_case(bank, sla_working_days=2), "submit", "withdraw")  # closed
    draft = await open_case(bank, sla_working_days=2)  # never submitted: no clock
    assert late.due_on == date(2026, 11, 4)
    async with unit_of_work():
        assert await desk.sweep_sla(on=date(2026, 11, 4)) == 0  # the due day itself is still in time
    async with unit_of_work():
        assert await desk_sla_sweep(on="2026-11-05") == 1
    async with unit_of_work():
        assert await desk_sla_sweep(on="2026-11-06") == 0  # once
    flagged = {c.id: c.breached_at for c in await desk.cases_by_id([late.id, waiting.id, done.id, draft.id])}
    assert flagged[late.id] is not None and [flagged[c.id] for c in (waiting, done, draft)] == [None, None, None]
    events = await DomainEvent.select().where(DomainEvent.name == "desk.sla_breached")
    assert len(events) == 1 and str(late.id) in str(events[0]["payload"])
    notes = await Notification.select().where(Notification.kind == "desk_sla_breached")
    assert sorted(n["user"] for n in notes) == sorted([bank.owner.user_id, *bank.members])
    assert await AuditEvent.count().where(AuditEvent.action == "desk.sla_breached") == 1
    page = await desk.queue(reviewer_org=bank.org_id, breached=True)
    assert [c.id for c in page.items] == [late.id]


def test_the_sweep_runs_every_hour() -> None:
    [entry] = [d for d in jobs.SCHEDULE if d.name == SLA_SWEEP_JOB]
    assert entry.hour is None
    at = jobs.next_run(entry, datetime(2026, 11, 2, 10, 30, tzinfo=UTC))
    assert at == datetime(2026, 11, 2, 11, entry.minute, tzinfo=UTC)
    crons = worker_settings(Settings(env="test"))["cron_jobs"]
    [cron] = [c for c in crons if c.name == f"cron:{SLA_SWEEP_JOB}"]
    assert cron.hour is None and cron.minute == entry.minute


async def test_an_admin_edits_the_calendar_and_the_arithmetic_follows(backend: Backend) -> None:
    admin = await make_account("platform_admin", org_name="平台运营")
    actor = Actor(admin.user_id, admin.org_id)
    assert await desk.add_working_days(date(2028, 1, 28), 1) == date(2028, 1, 31)  # 2028 not in the seed yet
    async with unit_of_work():
        await desk.set_calendar_day(date(2028, 1, 31), "holiday", "春节", actor, source="law.holidays.measures2024")
        await desk.set_calendar_day(date(2028, 1, 29), "workday", "调休上班", actor)
    assert await desk.add_working_days(date(2028, 1, 28), 1) == date(2028, 1, 29)
    assert await desk.add_working_days(date(2028, 1, 28), 2) == date(2028, 2, 1)
    async with unit_of_work():
        changed = await desk.set_calendar_day(date(2028, 1, 29), "holiday", "春节", actor, provisional=True)
    assert changed.kind == "holiday" and changed.provisional and changed.updated_by == admin.user_id
    async with unit_of_work():
        await desk.remove_calendar_day(date(2028, 1, 31), actor)
    assert await desk.add_working_days(date(2028, 1, 28), 1) == date(2028, 1, 31)
    assert [d.day for d in await desk.calendar(2028)] == [date(2028, 1, 29)]
    with pytest.raises(ValidationFailed) as bad:
        async with unit_of_work():
            await desk.set_calendar_day(date(2028, 2, 1), "vacation", "", actor)
    assert {e.field for e in bad.value.errors} == {"kind", "name"}
    with pytest.raises(NotFound):
        async with unit_of_work():
            await desk.remove_calendar_day(date(2028, 3, 1), actor)
    actions = [r["action"] for r in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)]
    assert actions.count("desk.calendar_day_set") == 3 and actions.count("desk.calendar_day_removed") == 1
    assert await CalendarDay.count().where(CalendarDay.day >= date(2028, 1, 1)) == 1
