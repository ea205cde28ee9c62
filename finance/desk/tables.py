from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.accounts.tables import User
from market.orgs.tables import Organisation


class DeskCase(Table, tablename="finance_desk_case"):
    """One case on the desk: an aggregate of another module (``kind`` + ``subject``, e.g. a pledge application)
    under review by ``reviewer_org``. Its state moves only by a conditional update on (state, version)
    (finance_0011: unique (kind, subject)). The SLA clock: started on leaving the initial state, paused in waiting
    states (``paused_since``, days added to ``paused_working_days``), ``due_on`` the last working day allowed."""

    id = Serial(primary_key=True)
    kind = Varchar(length=40)
    subject = Integer()
    reference = Varchar(length=40, unique=True)
    reviewer_org = ForeignKey(Organisation, null=False, index=True)
    applicant_org = ForeignKey(Organisation, null=False, index=True)
    state = Varchar(length=40)
    version = Integer(default=0)
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    assignee = ForeignKey(User, null=True, default=None, index=True)
    sla_working_days = Integer(default=0)
    sla_started_on = Date(null=True, default=None)
    paused_since = Timestamptz(null=True, default=None)
    paused_working_days = Integer(default=0)
    due_on = Date(null=True, default=None)
    breached_at = Timestamptz(null=True, default=None)
    opened_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)


class DeskDecision(Table, tablename="finance_desk_decision"):
    """A decision on a case, never changed (finance_0011: a trigger refuses UPDATE, and DELETE on PostgreSQL):
    amending one is a new decision that ``supersedes`` it. An approval names its ``proposal`` and the proposal's
    ``maker``: CHECK (maker IS NULL OR maker <> decided_by) and unique (proposal, decided_by)."""

    id = Serial(primary_key=True)
    case = ForeignKey(DeskCase, null=False, index=True)
    kind = Varchar(length=20)
    outcome = Varchar(length=20, default="")
    decided_by = ForeignKey(User, null=True, default=None)
    role = Varchar(length=40, default="")
    org = ForeignKey(Organisation, null=True, default=None)
    decided_at = Timestamptz(default=TimestamptzNow())
    reasons = JSON(default="[]")
    text = Text(default="")
    snapshot = JSON(default="{}")
    amount_minor = BigInt(null=True, default=None)
    currency = Varchar(length=3, default="")
    proposal: ForeignKey[Table] = ForeignKey("self", null=True, default=None, index=True)
    maker = ForeignKey(User, null=True, default=None)
    supersedes: ForeignKey[Table] = ForeignKey("self", null=True, default=None)
    approvals_required = Integer(default=0)


class CalendarDay(Table, tablename="finance_desk_calendar_day"):
    """A day the working-day rule does not give by the weekend alone: a holiday on a weekday (or a holiday period's
    weekend, for the record) or a weekend day worked (调休上班). ``provisional``: a statutory day whose make-up
    workdays await the State Council's notice for that year."""

    id = Serial(primary_key=True)
    day = Date(unique=True)
    kind = Varchar(length=10)
    name = Varchar(length=100, default="")
    source = Varchar(length=200, default="")
    provisional = Boolean(default=False)
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
