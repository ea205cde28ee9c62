"""Hand-written: ledger entries (the fee and inventor reward share in force when each entry is made) and issued
monthly statements with their rows. The next migration fills the ledger from the payments already received."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import BigInt, Column, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-29T13:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger entries, issued statements and their rows"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class Licence(Table, tablename="finance_licence", schema=None):
    id = Serial(null=False, primary_key=True)


class LicencePayment(Table, tablename="finance_payment", schema=None):
    id = Serial(null=False, primary_key=True)


class LedgerEntry(Table, tablename="finance_ledger_entry", schema=None):
    id = Serial(null=False, primary_key=True)


class Statement(Table, tablename="finance_statement", schema=None):
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
        references=references,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        **given,
    )


INT = {"default": 0}
NOW = {"default": TimestamptzNow()}

TABLES: list[tuple[str, str, list[tuple[str, type[Column], dict[str, Any]]]]] = [
    (
        "LedgerEntry",
        "finance_ledger_entry",
        [
            ("id", Serial, _params(primary_key=True)),
            ("payment", ForeignKey, _fk(LicencePayment, unique=True)),
            ("licence", ForeignKey, _fk(Licence, index=True)),
            ("university", ForeignKey, _fk(Organisation, index=True)),
            ("month", Varchar, _params(length=7, default="", index=True)),
            ("received_at", Timestamptz, _params(**NOW)),
            ("kind", Varchar, _params(length=12, default="")),
            ("licence_number", Varchar, _params(length=32, default="")),
            ("licensee_name", Varchar, _params(length=200, default="")),
            ("patent_number", Varchar, _params(length=40, default="")),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("gross_minor", BigInt, _params(**INT)),
            ("platform_fee_bp", Integer, _params(**INT)),
            ("platform_fee_minor", BigInt, _params(**INT)),
            ("net_minor", BigInt, _params(**INT)),
            ("inventor_reward_bp", Integer, _params(**INT)),
            ("inventor_reward_minor", BigInt, _params(**INT)),
            ("created_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "Statement",
        "finance_statement",
        [
            ("id", Serial, _params(primary_key=True)),
            ("number", Varchar, _params(length=40, default="", unique=True)),
            ("university", ForeignKey, _fk(Organisation, index=True)),
            ("month", Varchar, _params(length=7, default="")),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("gross_minor", BigInt, _params(**INT)),
            ("platform_fee_minor", BigInt, _params(**INT)),
            ("net_minor", BigInt, _params(**INT)),
            ("inventor_reward_minor", BigInt, _params(**INT)),
            ("platform_fee_bp", Integer, _params(**INT)),
            ("inventor_reward_bp", Integer, _params(**INT)),
            ("template", Varchar, _params(length=60, default="")),
            ("template_version", Varchar, _params(length=20, default="")),
            ("sha256", Varchar, _params(length=64, default="")),
            ("path", Text, _params(default="")),
            ("pages", Integer, _params(**INT)),
            ("issued_on", Date, _params(default=DateNow())),
            ("issued_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "StatementRow",
        "finance_statement_row",
        [
            ("id", Serial, _params(primary_key=True)),
            ("statement", ForeignKey, _fk(Statement, index=True)),
            ("position", Integer, _params(**INT)),
            ("entry", ForeignKey, _fk(LedgerEntry, unique=True)),
            ("licence", Integer, _params(**INT)),
            ("licence_number", Varchar, _params(length=32, default="")),
            ("licensee_name", Varchar, _params(length=200, default="")),
            ("patent_number", Varchar, _params(length=40, default="")),
            ("kind", Varchar, _params(length=12, default="")),
            ("received_on", Date, _params(default=DateNow())),
            ("gross_minor", BigInt, _params(**INT)),
            ("platform_fee_bp", Integer, _params(**INT)),
            ("platform_fee_minor", BigInt, _params(**INT)),
            ("net_minor", BigInt, _params(**INT)),
            ("inventor_reward_bp", Integer, _params(**INT)),
            ("inventor_reward_minor", BigInt, _params(**INT)),
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
