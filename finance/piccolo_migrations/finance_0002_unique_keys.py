"""Hand-written: the uniqueness the licence and payment flow relies on (both SQLite and PostgreSQL accept these).

- a webhook event is stored once per (provider, event id): duplicates are recognised, never processed twice;
- one live (pending or active) licence per (declaration, licensee): a second request is refused;
- one bank reference per payment; one royalty report per (licence, period start).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T04:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique keys of payment events, live licences, bank references and royalty periods"

UP = [
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_payment_event_once ON finance_payment_event (provider, event_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_licence_live_once ON finance_licence (declaration, licensee) "
    "WHERE status IN ('pending_payment', 'active')",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_payment_reference ON finance_payment (reference) WHERE reference <> ''",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_royalty_period ON finance_royalty_report (licence, period_start)",
]
DOWN = [
    "DROP INDEX IF EXISTS finance_royalty_period",
    "DROP INDEX IF EXISTS finance_payment_reference",
    "DROP INDEX IF EXISTS finance_licence_live_once",
    "DROP INDEX IF EXISTS finance_payment_event_once",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def up() -> None:
        from finance.licences.tables import Licence

        for statement in UP:
            await Licence.raw(statement)

    async def down() -> None:
        from finance.licences.tables import Licence

        for statement in DOWN:
            await Licence.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
