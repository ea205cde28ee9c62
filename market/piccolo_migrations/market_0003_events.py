"""Hand-written: the domain-event outbox (``market_event``) and its handlers' deliveries (``market_event_delivery``).

The unique index on (event, handler) follows in the next migration (Piccolo runs raw steps before new tables)."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Column, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

ID = "2026-11-29T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "domain events: the outbox and the deliveries to handlers"

EVENT: list[tuple[str, type[Column], dict[str, Any]]] = [
    ("name", Varchar, {"length": 80, "index": True}),
    ("payload", Text, {"default": "{}"}),
    ("status", Varchar, {"length": 12, "default": "pending", "index": True}),
    ("created_at", Timestamptz, {"default": TimestamptzNow()}),
    ("handled_at", Timestamptz, {"null": True, "default": None}),
]
DELIVERY: list[tuple[str, type[Column], dict[str, Any]]] = [
    ("event", Integer, {"index": True}),
    ("handler", Varchar, {"length": 200}),
    ("status", Varchar, {"length": 12, "default": "pending"}),
    ("attempts", Integer, {"default": 0}),
    ("last_error", Text, {"default": ""}),
    ("updated_at", Timestamptz, {"default": TimestamptzNow()}),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)
    for class_name, tablename, columns in (
        ("DomainEvent", "market_event", EVENT),
        ("EventDelivery", "market_event_delivery", DELIVERY),
    ):
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
