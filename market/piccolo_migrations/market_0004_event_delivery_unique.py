"""Hand-written: one delivery per (event, handler), so a handler is recorded as done once (a unique index in SQL
that both databases accept)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from market.events.tables import EventDelivery

ID = "2026-11-29T14:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (event, handler) delivery"

UP = "CREATE UNIQUE INDEX IF NOT EXISTS market_event_delivery_event_handler ON market_event_delivery (event, handler)"
DOWN = "DROP INDEX IF EXISTS market_event_delivery_event_handler"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def up() -> None:
        await EventDelivery.raw(UP)

    async def down() -> None:
        await EventDelivery.raw(DOWN)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
