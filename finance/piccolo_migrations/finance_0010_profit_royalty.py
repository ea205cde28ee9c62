"""Hand-written: a running royalty may be a share of profit as well as of net sales (2024 CNIPA notice: at most 20%
of net sales or 40% of profit). A licence keeps the base of the version it was granted on; a royalty report says
which base it reports (``net_sales`` or ``profit``) and, on profit, the profit reported."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import BigInt, Varchar

ID = "2026-11-30T11:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "licence and royalty report: royalty base (net sales or profit)"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Licence",
        tablename="finance_licence",
        column_name="royalty_base",
        db_column_name="royalty_base",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 10, "default": "net_sales"},
        schema=None,
    )
    manager.add_column(
        table_class_name="RoyaltyReport",
        tablename="finance_royalty_report",
        column_name="base",
        db_column_name="base",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 10, "default": "net_sales"},
        schema=None,
    )
    manager.add_column(
        table_class_name="RoyaltyReport",
        tablename="finance_royalty_report",
        column_name="profit_minor",
        db_column_name="profit_minor",
        column_class_name="BigInt",
        column_class=BigInt,
        params={"null": True, "default": None},
        schema=None,
    )
    return manager
