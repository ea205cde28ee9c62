"""Hand-written: a university's patentee aliases (another name it is patentee under, with its evidence), and the
warnings of an import run (rows imported whose patentee is not the importing organisation).

- ``listings_patentee_alias``: one row per alias; ``name_key`` (organisation and normalised name) is unique;
- ``listings_import_run.warnings``: a JSON list beside ``rejections``.
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T11:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "patentee aliases; import run warnings"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name=None, secret=False)


COLUMNS: list[tuple[str, Any, dict[str, Any]]] = [
    ("id", Serial, {"primary_key": True}),
    ("organisation", ForeignKey, {"references": Organisation, "on_delete": OnDelete.cascade,
                                  "on_update": OnUpdate.cascade, "target_column": None, "index": True}),
    ("name", Varchar, {"length": 200, "default": ""}),
    ("name_key", Varchar, {"length": 240, "default": "", "unique": True}),
    ("kind", Varchar, {"length": 12, "default": "former"}),
    ("evidence_note", Text, {"default": ""}),
    ("evidence_ref", Varchar, {"length": 300, "default": ""}),
    ("created_by", Integer, {"default": None, "null": True}),
    ("created_at", Timestamptz, {"default": TimestamptzNow()}),
]


def _params(extra: dict[str, Any]) -> dict[str, Any]:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **extra}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)
    manager.add_table(class_name="PatenteeAlias", tablename="listings_patentee_alias", schema=None, columns=None)
    for name, column_class, extra in COLUMNS:
        manager.add_column(
            table_class_name="PatenteeAlias", tablename="listings_patentee_alias", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
            params=_params(extra), schema=None,
        )
    manager.add_column(
        table_class_name="ImportRun", tablename="listings_import_run", column_name="warnings",
        db_column_name="warnings", column_class_name="JSON", column_class=JSON, params=_params({"default": "[]"}),
        schema=None,
    )
    return manager
