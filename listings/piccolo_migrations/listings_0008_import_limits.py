"""Hand-written: an import's report row by row, and why a file failed as a code.

- ``listings_import_rejection``: one row per reason a row was refused (``kind`` rejection) or imported with a
  warning, written with its batch (a run's report is no longer one JSON value rewritten after every batch, held
  whole in memory);
- ``listings_import_run.error_code`` / ``error_params``: why the file as a whole failed (a limit, its layout, a
  crash), rendered in the reader's language; ``heartbeat_at``: the last progress written, so a run whose worker
  died is found and marked failed instead of running forever.

In Piccolo's own operations, so both SQLite and PostgreSQL get their types.
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T10:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "import reports row by row, failure codes, heartbeats"

RUN_COLUMNS: list[tuple[str, Any, dict[str, Any]]] = [
    ("error_code", Varchar, {"length": 60, "default": ""}),
    ("error_params", JSON, {"default": "{}"}),
    ("heartbeat_at", Timestamptz, {"default": None, "null": True}),
]
REJECTION_COLUMNS: list[tuple[str, Any, dict[str, Any]]] = [
    ("id", Serial, {"primary_key": True}),
    ("run", Integer, {"default": 0, "index": True}),
    ("kind", Varchar, {"length": 12, "default": "rejection"}),
    ("line", Integer, {"default": 0}),
    ("field_name", Varchar, {"length": 100, "default": ""}),
    ("code", Varchar, {"length": 80, "default": ""}),
    ("params", JSON, {"default": "{}"}),
]


def _params(extra: dict[str, Any]) -> dict[str, Any]:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **extra}  # fmt: skip


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)
    for name, column_class, extra in RUN_COLUMNS:
        manager.add_column(
            table_class_name="ImportRun", tablename="listings_import_run", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=_params(extra), schema=None,
        )  # fmt: skip
    manager.add_table(class_name="ImportRejection", tablename="listings_import_rejection", schema=None, columns=None)
    for name, column_class, extra in REJECTION_COLUMNS:
        manager.add_column(
            table_class_name="ImportRejection", tablename="listings_import_rejection", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
            params=_params(extra), schema=None,
        )  # fmt: skip
    return manager
