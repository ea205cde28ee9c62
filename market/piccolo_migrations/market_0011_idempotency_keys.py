"""Hand-written: idempotency keys (``market_idempotency_key``) and their unique (principal, key) index.

The table is created from the frozen definition below (not the live table class), by raw steps so the unique index
can follow in the same migration (Piccolo runs raw steps before the tables it adds itself)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ID = "2026-11-30T10:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "idempotency keys of API writes"


class IdempotencyKey0009(Table, tablename="market_idempotency_key"):
    id = Serial(primary_key=True)
    principal = Varchar(length=80)
    key = Varchar(length=255)
    fingerprint = Varchar(length=64)
    method = Varchar(length=8)
    path = Varchar(length=500)
    status = Varchar(length=12, default="in_progress")
    response_status = Integer(default=0)
    response_type = Varchar(length=100, default="")
    response_body = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS market_idempotency_key_once ON market_idempotency_key (principal, key)",
    "CREATE INDEX IF NOT EXISTS market_idempotency_key_expires_at ON market_idempotency_key (expires_at)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def up() -> None:
        from market.audit.tables import AuditEvent

        IdempotencyKey0009._meta.db = AuditEvent._meta.db
        await IdempotencyKey0009.create_table(if_not_exists=True)
        for statement in INDEXES:
            await AuditEvent.raw(statement)

    async def down() -> None:
        from market.audit.tables import AuditEvent

        await AuditEvent.raw("DROP TABLE IF EXISTS market_idempotency_key")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
