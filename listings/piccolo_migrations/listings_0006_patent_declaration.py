"""Hand-written: a patent keeps its open-licence declaration's id and status (``listings.patents`` no longer reads
the declarations' table; ``listings.declarations`` reports each change through the patents service). The next
migration fills them in for the declarations already made."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Integer, Varchar

ID = "2026-11-29T14:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "patent: its declaration's id and status"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Patent",
        tablename="listings_patent",
        column_name="declaration",
        db_column_name="declaration",
        column_class_name="Integer",
        column_class=Integer,
        params={"null": True, "default": None},
        schema=None,
    )
    manager.add_column(
        table_class_name="Patent",
        tablename="listings_patent",
        column_name="declaration_status",
        db_column_name="declaration_status",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 12, "default": ""},
        schema=None,
    )
    return manager
