"""Hand-written: voucher entitlements (issue 14).

- ``finance_voucher_application``: an SME's application to a voucher programme (on the desk as kind
  "voucher_entitlement"), with what it was filed on frozen (programme version, amount, declarations, pre-check);
- ``finance_voucher_entitlement``: what was granted, its expiry, its status, and ``available_minor``: the
  database's guard every ledger movement moves in the same transaction (CHECK available_minor >= 0 on PostgreSQL);
- ``finance_voucher_hold``: money set aside for one use, one per ``reference`` (unique), what of it was captured
  and paid out;
- ``finance_voucher_entry``: the voucher ledger, never changed (a trigger refuses UPDATE, and DELETE on PostgreSQL;
  SQLite's test truncation deletes rows); amounts positive and kinds known (CHECKs on PostgreSQL, the same rules as
  a BEFORE INSERT trigger on SQLite, which cannot add a CHECK to a table);
- ``finance_voucher_entitlement_cap``: running totals under the programme's budget and a firm's cap.

Voucher programmes (finance_0022) are named by id (``programme``). The tables are frozen copies of the classes as
they were when this migration landed.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "voucher applications, entitlements, holds, the voucher ledger and the entitlement caps"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(primary_key=True)


class DeskCase(Table, tablename="finance_desk_case", schema=None):
    id = Serial(primary_key=True)


class VoucherApplication(Table, tablename="finance_voucher_application", schema=None):
    id = Serial(primary_key=True)
    case = ForeignKey(DeskCase, null=True, default=None, unique=True)
    programme = Integer(index=True)
    programme_version = Integer(default=1)
    applicant = ForeignKey(Organisation, null=False, index=True)
    issuer = ForeignKey(Organisation, null=False, index=True)
    value_kind = Varchar(length=12, default="amount")
    requested_minor = BigInt(default=0)
    vouchers = Integer(null=True, default=None)
    face_value_minor = BigInt(null=True, default=None)
    currency = Varchar(length=3, default="CNY")
    purpose = Text(default="")
    declarations = JSON(default="[]")
    precheck = JSON(default="[]")
    qualifications = JSON(default="{}")
    favoured = JSON(default="[]")
    priority = Integer(default=0, index=True)
    tiers = JSON(default="[]")
    tier = Integer(default=0)
    approved_minor = BigInt(null=True, default=None)
    entitlement = Integer(null=True, default=None, unique=True)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class VoucherEntitlement(Table, tablename="finance_voucher_entitlement", schema=None):
    id = Serial(primary_key=True)
    application = Integer(null=True, default=None, unique=True)
    programme = Integer(index=True)
    programme_version = Integer(default=1)
    holder = ForeignKey(Organisation, null=False, index=True)
    issuer = ForeignKey(Organisation, null=False, index=True)
    currency = Varchar(length=3, default="CNY")
    granted_minor = BigInt(default=0)
    vouchers = Integer(null=True, default=None)
    face_value_minor = BigInt(null=True, default=None)
    available_minor = BigInt(default=0)
    issued_on = Date()
    expires_at = Timestamptz()
    status = Varchar(length=12, default="active")
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=80, default="")
    revoked_by = Integer(null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class VoucherHold(Table, tablename="finance_voucher_hold", schema=None):
    id = Serial(primary_key=True)
    entitlement = ForeignKey(VoucherEntitlement, null=False, index=True)
    reference = Varchar(length=120, unique=True)
    amount_minor = BigInt(default=0)
    captured_minor = BigInt(default=0)
    paid_minor = BigInt(default=0)
    status = Varchar(length=12, default="held")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    settled_at = Timestamptz(null=True, default=None)


class VoucherEntry(Table, tablename="finance_voucher_entry", schema=None):
    id = Serial(primary_key=True)
    entitlement = ForeignKey(VoucherEntitlement, null=False, index=True)
    kind = Varchar(length=10)
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    hold = Integer(null=True, default=None, index=True)
    reference = Varchar(length=120, default="")
    at = Timestamptz(default=TimestamptzNow())
    by_user = Integer(null=True, default=None)


class VoucherCap(Table, tablename="finance_voucher_entitlement_cap", schema=None):
    id = Serial(primary_key=True)
    key = Varchar(length=120, unique=True)
    scope = Varchar(length=20)
    programme = Integer(null=True, default=None, index=True)
    org = Integer(null=True, default=None)
    limit_minor = BigInt(default=0)
    reserved_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    updated_at = Timestamptz(default=TimestamptzNow())


TABLES: list[type[Table]] = [
    Organisation, DeskCase, VoucherApplication, VoucherEntitlement, VoucherHold, VoucherEntry, VoucherCap,
]  # fmt: skip
CREATED: list[type[Table]] = [VoucherApplication, VoucherEntitlement, VoucherHold, VoucherEntry, VoucherCap]

KINDS = "('grant', 'hold', 'release', 'capture', 'expire', 'revoke', 'payout')"
POSTGRES = [
    "ALTER TABLE finance_voucher_entitlement ADD CONSTRAINT finance_voucher_entitlement_available "
    "CHECK (available_minor >= 0 AND available_minor <= granted_minor)",
    "ALTER TABLE finance_voucher_entry ADD CONSTRAINT finance_voucher_entry_valid "
    f"CHECK (amount_minor > 0 AND kind IN {KINDS})",
    """CREATE OR REPLACE FUNCTION finance_voucher_entry_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'finance_voucher_entry rows are never changed: write a new entry'
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql""",
    "CREATE TRIGGER finance_voucher_entry_immutable BEFORE UPDATE OR DELETE ON finance_voucher_entry "
    "FOR EACH ROW EXECUTE FUNCTION finance_voucher_entry_immutable()",
]
SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS finance_voucher_entry_valid BEFORE INSERT ON finance_voucher_entry
FOR EACH ROW WHEN NEW.amount_minor <= 0 OR NEW.kind NOT IN {KINDS}
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: finance_voucher_entry_valid'); END""",
    """CREATE TRIGGER IF NOT EXISTS finance_voucher_entry_immutable BEFORE UPDATE ON finance_voucher_entry
FOR EACH ROW
BEGIN SELECT RAISE(ABORT, 'finance_voucher_entry rows are never changed: write a new entry'); END""",
    """CREATE TRIGGER IF NOT EXISTS finance_voucher_entitlement_available BEFORE UPDATE OF available_minor
ON finance_voucher_entitlement
FOR EACH ROW WHEN NEW.available_minor < 0 OR NEW.available_minor > NEW.granted_minor
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: finance_voucher_entitlement_available'); END""",
]
DOWN_POSTGRES = [
    "DROP TRIGGER IF EXISTS finance_voucher_entry_immutable ON finance_voucher_entry",
    "DROP FUNCTION IF EXISTS finance_voucher_entry_immutable()",
]
DROP_TABLES = [
    "DROP TABLE IF EXISTS finance_voucher_entitlement_cap",
    "DROP TABLE IF EXISTS finance_voucher_entry",
    "DROP TABLE IF EXISTS finance_voucher_hold",
    "DROP TABLE IF EXISTS finance_voucher_entitlement",
    "DROP TABLE IF EXISTS finance_voucher_application",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def up() -> None:
        engine = engine_finder()
        for table in TABLES:
            table._meta.db = engine
        for table in CREATED:
            await table.create_table(if_not_exists=True)
        for statement in POSTGRES if isinstance(engine, PostgresEngine) else SQLITE:
            await VoucherEntry.raw(statement)

    async def down() -> None:
        engine = engine_finder()
        for table in TABLES:
            table._meta.db = engine
        if isinstance(engine, PostgresEngine):
            for statement in DOWN_POSTGRES:
                await VoucherEntry.raw(statement)
        for statement in DROP_TABLES:
            await VoucherEntry.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
