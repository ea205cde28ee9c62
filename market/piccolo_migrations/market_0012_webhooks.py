"""Hand-written: organisations' webhook endpoints, the deliveries of events to them and each attempt at one, with
one delivery per (endpoint, event id).

The tables are created from the frozen definitions below (not the live table classes), by raw steps so the unique
index can follow in the same migration (Piccolo runs raw steps before the tables it adds itself)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ID = "2026-12-01T09:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "webhook endpoints, deliveries and attempts"


class Organisation0012(Table, tablename="market_organisation"):
    id = Serial(primary_key=True)


class User0012(Table, tablename="market_user"):
    id = Serial(primary_key=True)


class WebhookEndpoint0012(Table, tablename="market_webhook_endpoint"):
    id = Serial(primary_key=True)
    org = ForeignKey(Organisation0012, null=False, index=True)
    url = Varchar(length=500)
    description = Varchar(length=200, default="")
    events = Text(default="[]")
    secret = Varchar(length=100)
    secret_prefix = Varchar(length=20)
    active = Boolean(default=True)
    created_by = ForeignKey(User0012, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    disabled_at = Timestamptz(null=True, default=None)


class WebhookDelivery0012(Table, tablename="market_webhook_delivery"):
    id = Serial(primary_key=True)
    endpoint = ForeignKey(WebhookEndpoint0012, null=False, index=True)
    org = Integer(index=True)
    event_id = Varchar(length=100)
    event_type = Varchar(length=80)
    body = Text()
    status = Varchar(length=12, default="pending", index=True)
    tries = Integer(default=0)
    attempts = Integer(default=0)
    last_status_code = Integer(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    delivered_at = Timestamptz(null=True, default=None)


class WebhookAttempt0012(Table, tablename="market_webhook_attempt"):
    id = Serial(primary_key=True)
    delivery = ForeignKey(WebhookDelivery0012, null=False, index=True)
    number = Integer()
    at = Timestamptz(default=TimestamptzNow())
    status_code = Integer(null=True, default=None)
    error = Text(default="")
    duration_ms = Integer(default=0)


TABLES = [WebhookEndpoint0012, WebhookDelivery0012, WebhookAttempt0012]

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS market_webhook_delivery_once ON market_webhook_delivery (endpoint, event_id)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def up() -> None:
        from market.audit.tables import AuditEvent

        for table in TABLES:
            table._meta.db = AuditEvent._meta.db
            await table.create_table(if_not_exists=True)
        for statement in INDEXES:
            await AuditEvent.raw(statement)

    async def down() -> None:
        from market.audit.tables import AuditEvent

        for table in reversed(TABLES):
            await AuditEvent.raw(f"DROP TABLE IF EXISTS {table._meta.tablename}")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
