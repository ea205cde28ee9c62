"""Hand-written: the search outbox, the record of indexed listings, technology needs, saved searches and sent alert
e-mails; in Piccolo's own operations, so both SQLite and PostgreSQL get their types.

- ``listings_search_outbox``: one row per change of a declaration, written in the change's transaction and drained
  into the search index by the ``listings.sync_search`` job (a partial index finds the pending rows);
- ``listings_search_indexed``: one row per declaration once indexed (unique), so its first indexing alerts once;
- ``listings_need`` and ``listings_saved_search``: an SME's needs and saved searches;
- ``listings_alert_email``: one row per alert e-mail sent (unique dedupe key).

Their indexes beyond these columns' own are in the next migration (Piccolo runs a migration's raw SQL before its
new tables).
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import JSON, BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-22T05:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search outbox, indexed listings, technology needs, saved searches, alert e-mails"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name=None, secret=False)


NOW = TimestamptzNow()

# table -> class name, then its columns as (name, column class, params beyond the defaults)
TABLES: dict[str, tuple[str, list[tuple[str, Any, dict[str, Any]]]]] = {
    "listings_search_outbox": ("SearchOutbox", [
        ("id", Serial, {"primary_key": True}),
        ("declaration", Integer, {"default": 0, "index": True}),
        ("status", Varchar, {"length": 12, "default": ""}),
        ("created_at", Timestamptz, {"default": NOW}),
        ("processed_at", Timestamptz, {"default": None, "null": True}),
    ]),
    "listings_search_indexed": ("IndexedListing", [
        ("id", Serial, {"primary_key": True}),
        ("declaration", Integer, {"default": 0, "unique": True}),
        ("first_indexed_at", Timestamptz, {"default": NOW}),
        ("alerted_at", Timestamptz, {"default": None, "null": True}),
    ]),
    "listings_need": ("Need", [
        ("id", Serial, {"primary_key": True}),
        ("organisation", ForeignKey, {"references": Organisation, "on_delete": OnDelete.cascade,
                                      "on_update": OnUpdate.cascade, "target_column": None, "index": True}),
        ("created_by", Integer, {"default": 0}),
        ("title", Varchar, {"length": 200, "default": ""}),
        ("description", Text, {"default": ""}),
        ("tech_field", Integer, {"default": None, "null": True}),
        ("budget_max_minor", BigInt, {"default": None, "null": True}),
        ("currency", Varchar, {"length": 3, "default": "CNY"}),
        ("region", Varchar, {"length": 20, "default": ""}),
        ("deadline", Date, {"default": None, "null": True}),
        ("status", Varchar, {"length": 12, "default": "open"}),
        ("created_at", Timestamptz, {"default": NOW}),
        ("updated_at", Timestamptz, {"default": NOW}),
    ]),
    "listings_saved_search": ("SavedSearch", [
        ("id", Serial, {"primary_key": True}),
        ("organisation", ForeignKey, {"references": Organisation, "on_delete": OnDelete.cascade,
                                      "on_update": OnUpdate.cascade, "target_column": None, "index": True}),
        ("created_by", Integer, {"default": 0}),
        ("name", Varchar, {"length": 200, "default": ""}),
        ("params", JSON, {"default": "{}"}),
        ("created_at", Timestamptz, {"default": NOW}),
    ]),
    "listings_alert_email": ("AlertEmail", [
        ("id", Serial, {"primary_key": True}),
        ("dedupe_key", Varchar, {"length": 200, "default": "", "unique": True}),
        ("sent_at", Timestamptz, {"default": NOW}),
    ]),
}

def _params(extra: dict[str, Any]) -> dict[str, Any]:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **extra}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)
    for tablename, (class_name, columns) in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, extra in columns:
            manager.add_column(
                table_class_name=class_name, tablename=tablename, column_name=name, db_column_name=name,
                column_class_name=column_class.__name__, column_class=column_class, params=_params(extra), schema=None,
            )
    return manager
