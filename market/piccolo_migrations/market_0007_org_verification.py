"""Hand-written: verified organisations.

Adds to ``market_organisation`` the name as compared for duplicates (``name_key``), the unified social credit code,
the address, the approval ``status`` and its ``version``; to ``market_user`` the time its e-mail was verified; and
the tables of approval decisions and evidence documents. The unique and plain indexes, and the values of the rows
that existed before, follow in market_0008 (Piccolo runs raw steps before new columns within one migration).
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, Bytea, Column, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "verified organisations: credit code, address, status; e-mail verification; decisions; evidence"


class Organisation(Table, tablename="market_organisation", schema=None):
    pass


def _params(**extra: Any) -> dict[str, Any]:
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


def _organisation() -> dict[str, Any]:
    return _params(
        references=Organisation,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
    )


ORG_COLUMNS: list[tuple[str, type[Column], dict[str, Any]]] = [
    ("name_key", Varchar, _params(length=200, default="")),
    ("credit_code", Varchar, _params(length=18, default=None, null=True)),
    ("address", Varchar, _params(length=300, default="")),
    ("status", Varchar, _params(length=12, default="pending")),
    ("version", Integer, _params(default=1)),
]
DECISION: list[tuple[str, type[Column], dict[str, Any]]] = [
    ("organisation", ForeignKey, _organisation()),
    ("action", Varchar, _params(length=12, default="")),
    ("from_status", Varchar, _params(length=12, default="")),
    ("to_status", Varchar, _params(length=12, default="")),
    ("reason_code", Varchar, _params(length=60, default="")),
    ("note", Text, _params(default="")),
    ("snapshot", JSON, _params(default="{}")),
    ("decided_by", Integer, _params(default=0)),
    ("decided_at", Timestamptz, _params(default=TimestamptzNow())),
]
DOCUMENT: list[tuple[str, type[Column], dict[str, Any]]] = [
    ("organisation", ForeignKey, _organisation()),
    ("kind", Varchar, _params(length=30, default="")),
    ("filename", Varchar, _params(length=200, default="")),
    ("content_type", Varchar, _params(length=40, default="")),
    ("size", Integer, _params(default=0)),
    ("sha256", Varchar, _params(length=64, default="")),
    ("content", Bytea, _params(default=b"")),
    ("uploaded_by", Integer, _params(default=0)),
    ("uploaded_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)
    steps: list[tuple[str, str, list[tuple[str, type[Column], dict[str, Any]]]]] = [
        ("Organisation", "market_organisation", ORG_COLUMNS),
        ("User", "market_user", [("email_verified_at", Timestamptz, _params(null=True, default=None))]),
        ("OrgDecision", "market_org_decision", DECISION),
        ("OrgDocument", "market_org_document", DOCUMENT),
    ]
    manager.add_table(class_name="OrgDecision", tablename="market_org_decision", schema=None, columns=None)
    manager.add_table(class_name="OrgDocument", tablename="market_org_document", schema=None, columns=None)
    for class_name, tablename, columns in steps:
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
