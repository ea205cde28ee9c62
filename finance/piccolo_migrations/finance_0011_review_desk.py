"""Hand-written: the review desk (issue 12).

- ``finance_desk_case``: a case per (kind, subject) (unique), its state and version (moved by a conditional update
  on both), its amount, reviewer and applicant organisations, assignee and SLA clock;
- ``finance_desk_decision``: decisions, never changed: a trigger refuses UPDATE (and DELETE on PostgreSQL; SQLite's
  test truncation deletes rows); four eyes in the database: CHECK (maker IS NULL OR maker <> decided_by) on
  PostgreSQL, the same rule as a BEFORE INSERT trigger on SQLite (which cannot add a CHECK to a table); one approval
  per (proposal, decided_by); a decision superseded at most once;
- ``finance_desk_calendar_day``: the working-day calendar, seeded from ``finance/desk/calendar_cn.csv`` (2026 from
  the State Council's notice; 2027's statutory days, provisional until its notice gives the make-up workdays).
  Days already there are kept (an admin's edit wins).

The tables are frozen copies of the classes as they were when this migration landed.
"""

import csv
from datetime import date
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

ID = "2026-12-01T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "review desk: cases, immutable decisions with four eyes, working-day calendar (seeded 2026-2027)"

SEED = Path(__file__).resolve().parents[1] / "desk" / "calendar_cn.csv"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(primary_key=True)


class User(Table, tablename="market_user", schema=None):
    id = Serial(primary_key=True)


class DeskCase(Table, tablename="finance_desk_case", schema=None):
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


class DeskDecision(Table, tablename="finance_desk_decision", schema=None):
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
    proposal = ForeignKey("self", null=True, default=None, index=True)
    maker = ForeignKey(User, null=True, default=None)
    supersedes = ForeignKey("self", null=True, default=None)
    approvals_required = Integer(default=0)


class CalendarDay(Table, tablename="finance_desk_calendar_day", schema=None):
    id = Serial(primary_key=True)
    day = Date(unique=True)
    kind = Varchar(length=10)
    name = Varchar(length=100, default="")
    source = Varchar(length=200, default="")
    provisional = Boolean(default=False)
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


TABLES: list[type[Table]] = [Organisation, User, DeskCase, DeskDecision, CalendarDay]

BOTH = [
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_desk_case_kind_subject ON finance_desk_case (kind, subject)",
    "CREATE INDEX IF NOT EXISTS finance_desk_case_queue ON finance_desk_case (reviewer_org, closed_at, due_on)",
    "CREATE INDEX IF NOT EXISTS finance_desk_case_sla_sweep ON finance_desk_case (due_on) "
    "WHERE closed_at IS NULL AND breached_at IS NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_desk_decision_one_approval ON finance_desk_decision "
    "(proposal, decided_by) WHERE proposal IS NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_desk_decision_superseded_once ON finance_desk_decision (supersedes) "
    "WHERE supersedes IS NOT NULL",
]
POSTGRES = [
    "ALTER TABLE finance_desk_decision ADD CONSTRAINT finance_desk_decision_four_eyes "
    "CHECK (maker IS NULL OR maker <> decided_by)",
    """CREATE OR REPLACE FUNCTION finance_desk_decision_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'finance_desk_decision rows are never changed: record a new decision that supersedes it'
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql""",
    "CREATE TRIGGER finance_desk_decision_immutable BEFORE UPDATE OR DELETE ON finance_desk_decision "
    "FOR EACH ROW EXECUTE FUNCTION finance_desk_decision_immutable()",
]
SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS finance_desk_decision_four_eyes BEFORE INSERT ON finance_desk_decision
FOR EACH ROW WHEN NEW.maker IS NOT NULL AND NEW.maker = NEW.decided_by
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: finance_desk_decision_four_eyes'); END""",
    """CREATE TRIGGER IF NOT EXISTS finance_desk_decision_immutable BEFORE UPDATE ON finance_desk_decision
FOR EACH ROW
BEGIN SELECT RAISE(ABORT, 'finance_desk_decision rows are never changed: record a new decision that supersedes it');
END""",
]
DOWN_POSTGRES = [
    "DROP TRIGGER IF EXISTS finance_desk_decision_immutable ON finance_desk_decision",
    "DROP FUNCTION IF EXISTS finance_desk_decision_immutable()",
]
DROP_TABLES = [
    "DROP TABLE IF EXISTS finance_desk_calendar_day",
    "DROP TABLE IF EXISTS finance_desk_decision",
    "DROP TABLE IF EXISTS finance_desk_case",
]


def seed_rows() -> list[dict[str, object]]:
    with SEED.open(encoding="utf-8", newline="") as fh:
        return [
            {
                "day": date.fromisoformat(row["day"]),
                "kind": row["kind"],
                "name": row["name"],
                "source": row["source"],
                "provisional": row["provisional"] == "1",
            }
            for row in csv.DictReader(fh)
        ]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def up() -> None:
        engine = engine_finder()
        for table in TABLES:
            table._meta.db = engine
        for table in (DeskCase, DeskDecision, CalendarDay):
            await table.create_table(if_not_exists=True)
        postgres = isinstance(engine, PostgresEngine)
        for statement in [*BOTH, *(POSTGRES if postgres else SQLITE)]:
            await DeskCase.raw(statement)
        known = {r["day"] for r in await CalendarDay.select(CalendarDay.day)}
        missing = [CalendarDay(**row) for row in seed_rows() if row["day"] not in known]
        if missing:
            await CalendarDay.insert(*missing)

    async def down() -> None:
        engine = engine_finder()
        for table in TABLES:
            table._meta.db = engine
        if isinstance(engine, PostgresEngine):
            for statement in DOWN_POSTGRES:
                await DeskCase.raw(statement)
        for statement in DROP_TABLES:
            await DeskCase.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
