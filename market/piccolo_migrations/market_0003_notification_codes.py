"""Hand-written: notifications are stored as catalogue codes with parameters, rendered when shown.

Adds ``code`` (the title's code), ``params`` (JSON) and ``body_code``; ``title`` and ``body`` stay as the legacy text
of the notifications written before (market_0004 converts those rows).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications as codes with parameters"


def _params(**extra: object) -> dict[str, object]:
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)
    for name, column_class, params in (
        ("code", Varchar, _params(length=100, default="notification.legacy")),
        ("params", JSON, _params(default="{}")),
        ("body_code", Varchar, _params(length=100, default="")),
    ):
        manager.add_column(
            table_class_name="Notification",
            tablename="market_notification",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
