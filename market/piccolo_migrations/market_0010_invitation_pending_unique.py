"""Hand-written: one pending invitation per (organisation, e-mail), as a partial unique index that PostgreSQL and
SQLite both accept (a second one for the same address is a 409; accepted, revoked and expired ones do not count)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T10:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one pending invitation per organisation and e-mail"

UP = (
    "CREATE UNIQUE INDEX IF NOT EXISTS market_invitation_pending_email "
    "ON market_invitation (organisation, email) WHERE state = 'pending'"
)
DOWN = "DROP INDEX IF EXISTS market_invitation_pending_email"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def up() -> None:
        from market.orgs.tables import Invitation

        await Invitation.raw(UP)

    async def down() -> None:
        from market.orgs.tables import Invitation

        await Invitation.raw(DOWN)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
