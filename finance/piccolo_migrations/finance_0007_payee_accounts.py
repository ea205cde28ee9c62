"""Hand-written: universities' payee accounts (户名, 开户行, 账号; a row per account, superseded, never edited); a
bank-transfer payment keeps the payee account it instructed and the organisation that confirmed it; bank statement
files matched in a job, with a verdict per row. The next migration adds their unique keys."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import JSON, BigInt, Column, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payee accounts, the account a transfer instructed, bank statement runs and their rows"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class BankStatementRun(Table, tablename="finance_bank_statement_run", schema=None):
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
NULL = {"null": True, "default": None}

TABLES: list[tuple[str, str, list[tuple[str, type[Column], dict[str, Any]]]]] = [
    (
        "PayeeAccount",
        "finance_payee_account",
        [
            ("id", Serial, _params(primary_key=True)),
            ("organisation", ForeignKey, _fk(Organisation, index=True)),
            ("account_name", Varchar, _params(length=200, default="")),
            ("bank_name", Varchar, _params(length=100, default="")),
            ("account_number", Varchar, _params(length=32, default="")),
            ("recorded_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("superseded_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "BankStatementRun",
        "finance_bank_statement_run",
        [
            ("id", Serial, _params(primary_key=True)),
            ("uploaded_by", Integer, _params(**NULL)),
            ("organisation", Integer, _params(**NULL)),
            ("filename", Varchar, _params(length=255, default="")),
            ("stored_path", Text, _params(default="")),
            ("size_bytes", BigInt, _params(**INT)),
            ("status", Varchar, _params(length=12, default="queued")),
            ("total_rows", Integer, _params(**INT)),
            ("processed_rows", Integer, _params(**INT)),
            ("confirmed", Integer, _params(**INT)),
            ("needs_review", Integer, _params(**INT)),
            ("error_code", Varchar, _params(length=60, default="")),
            ("created_at", Timestamptz, _params(**NOW)),
            ("finished_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "BankStatementLine",
        "finance_bank_statement_line",
        [
            ("id", Serial, _params(primary_key=True)),
            ("run", ForeignKey, _fk(BankStatementRun, index=True)),
            ("row", Integer, _params(**INT)),
            ("status", Varchar, _params(length=20, default="")),
            ("reference", Varchar, _params(length=20, default="")),
            ("payer", Varchar, _params(length=200, default="")),
            ("amount_minor", BigInt, _params(**NULL)),
            ("currency", Varchar, _params(length=3, default="")),
            ("detail_code", Varchar, _params(length=60, default="")),
            ("detail_params", JSON, _params(default="{}")),
            ("payment", Integer, _params(**NULL)),
        ],
    ),
]

PAYMENT_COLUMNS: list[tuple[str, type[Column], dict[str, Any]]] = [
    ("payee_account", Integer, _params(**NULL)),
    ("confirmed_by_org", Integer, _params(**NULL)),
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
    for name, column_class, params in PAYMENT_COLUMNS:
        manager.add_column(
            table_class_name="LicencePayment",
            tablename="finance_payment",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
