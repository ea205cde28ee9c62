"""Hand-written: one membership per (user, organisation).

Piccolo's ``Unique`` constraint is added with ALTER TABLE, which SQLite does not support, so this is a unique
index in SQL that both databases accept.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T14:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (user, organisation) membership"

UP = 'CREATE UNIQUE INDEX IF NOT EXISTS market_membership_user_org ON market_membership ("user", organisation)'
DOWN = "DROP INDEX IF EXISTS market_membership_user_org"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def up() -> None:
        from market.orgs.tables import Membership

        await Membership.raw(UP)

    async def down() -> None:
        from market.orgs.tables import Membership

        await Membership.raw(DOWN)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
