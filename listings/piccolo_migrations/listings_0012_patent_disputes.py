"""Hand-written: a pending infringement dispute on a patent, as its patentee records it (a patent-facts edit, like
``suspension``). ``infringement_dispute``: "" none, "pending"; ``infringement_dispute_note``: what the patentee says
of it. IP insurance reads it: no cover while an infringement (or an ownership: ``suspension`` art103) dispute is
pending (Beijing pilot notice, zscqj.beijing.gov.cn 2022)."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "patent infringement dispute fact"

PATENT_COLUMNS: list[tuple[str, Any, dict[str, Any]]] = [
    ("infringement_dispute", Varchar, {"length": 12, "default": ""}),
    ("infringement_dispute_note", Text, {"default": ""}),
]


def _params(extra: dict[str, Any]) -> dict[str, Any]:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **extra}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)
    for name, column_class, extra in PATENT_COLUMNS:
        manager.add_column(
            table_class_name="Patent", tablename="listings_patent", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=_params(extra), schema=None,
        )
    return manager
