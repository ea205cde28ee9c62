"""Hand-written: a licence keeps its contract's SHA-256 (``finance.licences`` no longer reads the contracts' table;
``finance.contracts`` reports the stored contract through the licences service). The next migration fills it in
for the contracts already stored."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Varchar

ID = "2026-11-29T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "licence: its contract's SHA-256"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Licence",
        tablename="finance_licence",
        column_name="contract_sha256",
        db_column_name="contract_sha256",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 64, "default": ""},
        schema=None,
    )
    return manager
