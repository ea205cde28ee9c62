"""Hand-written: organisations' recorded qualifications (finance.qualifications) and related-party facts with their
shareholders (finance.parties). "At most one live record" rules are unique columns that are NULL once a record ends
(``live_key``), so that both databases enforce them from the table's creation."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Bytea,
    Column,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-03T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "qualifications with evidence and expiry; related-party facts and shareholders"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class PartyFacts(Table, tablename="finance_party_facts", schema=None):
    id = Serial(null=False, primary_key=True)


def _params(**given: Any) -> dict[str, Any]:
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **given,
    }


def _fk(references: type[Table], **given: Any) -> dict[str, Any]:
    return _params(
        references=references, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade, target_column=None, **given
    )


INT = {"default": 0}
NOW = {"default": TimestamptzNow()}
NULL = {"null": True, "default": None}

TABLES: list[tuple[str, str, list[tuple[str, type[Column], dict[str, Any]]]]] = [
    (
        "Qualification",
        "finance_qualification",
        [
            ("id", Serial, _params(primary_key=True)),
            ("organisation", ForeignKey, _fk(Organisation, index=True)),
            ("kind", Varchar, _params(length=20, default="")),
            ("live_key", Varchar, _params(length=40, unique=True, **NULL)),
            ("certificate_number", Varchar, _params(length=60, default="")),
            ("issuing_body", Varchar, _params(length=200, default="")),
            ("issued_on", Date, _params(default=None)),
            ("expires_on", Date, _params(default=None)),
            ("filename", Varchar, _params(length=200, default="")),
            ("content_type", Varchar, _params(length=100, default="")),
            ("size", Integer, _params(**INT)),
            ("sha256", Varchar, _params(length=64, default="")),
            ("content", Bytea, _params(default=b"")),
            ("status", Varchar, _params(length=12, default="recorded")),
            ("version", Integer, _params(default=1)),
            ("reason_code", Varchar, _params(length=60, default="")),
            ("note", Text, _params(default="")),
            ("superseded_by", Integer, _params(**NULL)),
            ("recorded_by", Integer, _params(**NULL)),
            ("recorded_at", Timestamptz, _params(**NOW)),
            ("reviewed_by", Integer, _params(**NULL)),
            ("reviewed_at", Timestamptz, _params(**NULL)),
            ("ended_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "PartyFacts",
        "finance_party_facts",
        [
            ("id", Serial, _params(primary_key=True)),
            ("organisation", ForeignKey, _fk(Organisation, index=True)),
            ("version", Integer, _params(default=1)),
            ("natural_key", Varchar, _params(length=40, unique=True, default="")),
            ("live_key", Varchar, _params(length=20, unique=True, **NULL)),
            ("legal_rep_name", Varchar, _params(length=100, default="")),
            ("legal_rep_name_key", Varchar, _params(length=100, index=True, default="")),
            ("legal_rep_id_hash", Varchar, _params(length=64, index=True, default="")),
            ("legal_rep_id_last4", Varchar, _params(length=4, default="")),
            ("phone", Varchar, _params(length=40, default="")),
            ("phone_key", Varchar, _params(length=20, index=True, default="")),
            ("address", Text, _params(default="")),
            ("address_key", Text, _params(default="")),
            ("parent_credit_code", Varchar, _params(length=18, index=True, default="")),
            ("recorded_by", Integer, _params(**NULL)),
            ("recorded_at", Timestamptz, _params(**NOW)),
            ("superseded_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "PartyShareholder",
        "finance_party_shareholder",
        [
            ("id", Serial, _params(primary_key=True)),
            ("facts", ForeignKey, _fk(PartyFacts, index=True)),
            ("organisation", Integer, _params(index=True, **INT)),
            ("position", Integer, _params(**INT)),
            ("name", Varchar, _params(length=200, default="")),
            ("name_key", Varchar, _params(length=200, index=True, default="")),
            ("credit_code", Varchar, _params(length=18, index=True, default="")),
            ("id_hash", Varchar, _params(length=64, index=True, default="")),
            ("id_last4", Varchar, _params(length=4, default="")),
            ("share_bp", Integer, _params(**INT)),
        ],
    ),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)
    for class_name, tablename, columns in TABLES:
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
