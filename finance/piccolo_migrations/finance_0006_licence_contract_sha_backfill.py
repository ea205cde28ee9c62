"""Hand-written: each licence's contract SHA-256 from the contracts stored before the licence kept it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from finance.licences.tables import Licence

ID = "2026-11-29T14:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "licence: fill in its contract's SHA-256"

UP = """
UPDATE finance_licence SET contract_sha256 = COALESCE(
    (SELECT c.sha256 FROM finance_contract c WHERE c.licence = finance_licence.id), ''
)
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def up() -> None:
        await Licence.raw(UP)

    manager.add_raw(up)
    return manager
