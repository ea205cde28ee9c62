"""Hand-written: each declaration version records CNIPA's announcement of it (公告号, 公告日, when it was recorded,
when the university was last reminded) and the base its running royalty is a share of (net sales or profit, 2024
CNIPA notice)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, Timestamptz, Varchar

ID = "2026-11-30T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "declaration version: CNIPA announcement and royalty base"

COLUMNS = (
    ("cnipa_number", Varchar, "Varchar", {"length": 40, "default": ""}),
    ("cnipa_announced_on", Date, "Date", {"null": True, "default": None}),
    ("cnipa_recorded_at", Timestamptz, "Timestamptz", {"null": True, "default": None}),
    ("cnipa_reminded_at", Timestamptz, "Timestamptz", {"null": True, "default": None}),
    ("royalty_base", Varchar, "Varchar", {"length": 10, "default": "net_sales"}),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)
    for name, column_class, class_name, params in COLUMNS:
        manager.add_column(
            table_class_name="DeclarationVersion",
            tablename="listings_declaration_version",
            column_name=name,
            db_column_name=name,
            column_class_name=class_name,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
