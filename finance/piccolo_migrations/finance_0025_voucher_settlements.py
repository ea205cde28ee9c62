"""Hand-written: voucher settlement batches (their lines, with the payee's account as read), payout entries, the
payees' batch statements, and the universities' ledger entries of voucher income. Unique keys over two columns are
one column each (``natural_key``: "programme:up_to", "batch:claim", "batch:payee"), so both databases enforce them
from the table's creation; ``open_claim`` (unique, NULL once a line is carried) keeps a claim in one live line.
Columns naming tables of other modules' migrations (programmes, claims, payee accounts) are plain integers."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import BigInt, Column, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-03T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "voucher settlement batches, lines, payouts, statements; voucher income in the ledger"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class DeskCase(Table, tablename="finance_desk_case", schema=None):
    id = Serial(null=False, primary_key=True)


class VoucherBatch(Table, tablename="finance_voucher_batch", schema=None):
    id = Serial(null=False, primary_key=True)


class VoucherBatchLine(Table, tablename="finance_voucher_batch_line", schema=None):
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
        "VoucherBatch",
        "finance_voucher_batch",
        [
            ("id", Serial, _params(primary_key=True)),
            ("case", ForeignKey, _fk(DeskCase, null=True, default=None, unique=True)),
            ("programme", Integer, _params(index=True, **INT)),
            ("issuer", ForeignKey, _fk(Organisation, index=True)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("period_key", Varchar, _params(length=20, default="")),
            ("up_to", Date, _params(default=None)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("file_name", Varchar, _params(length=120, default="")),
            ("file_sha256", Varchar, _params(length=64, default="")),
            ("file_path", Text, _params(default="")),
            ("file_lines", Integer, _params(**INT)),
            ("return_sha256", Varchar, _params(length=64, default="")),
            ("paid_on", Date, _params(**NULL)),
            ("bank_reference", Varchar, _params(length=60, default="")),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
            ("proposed_at", Timestamptz, _params(**NULL)),
            ("approved_at", Timestamptz, _params(**NULL)),
            ("paid_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "VoucherBatchLine",
        "finance_voucher_batch_line",
        [
            ("id", Serial, _params(primary_key=True)),
            ("batch", ForeignKey, _fk(VoucherBatch, index=True)),
            ("line_no", Integer, _params(**INT)),
            ("natural_key", Varchar, _params(length=40, unique=True, default="")),
            ("claim", Integer, _params(index=True, **INT)),
            ("open_claim", Integer, _params(unique=True, **NULL)),
            ("claim_reference", Varchar, _params(length=40, default="")),
            ("payee", ForeignKey, _fk(Organisation, index=True)),
            ("provider", Integer, _params(index=True, **NULL)),
            ("sme", Integer, _params(**NULL)),
            ("category", Varchar, _params(length=40, default="")),
            ("region", Varchar, _params(length=12, default="")),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("claimed_at", Timestamptz, _params(**NULL)),
            ("captured_at", Timestamptz, _params(**NULL)),
            ("account", Integer, _params(**NULL)),
            ("account_name", Varchar, _params(length=200, default="")),
            ("bank_name", Varchar, _params(length=100, default="")),
            ("account_number", Varchar, _params(length=32, default="")),
            ("status", Varchar, _params(length=12, default="payable")),
            ("exception_code", Varchar, _params(length=80, default="")),
            ("carried_from", Integer, _params(**NULL)),
            ("paid_on", Date, _params(**NULL)),
            ("bank_reference", Varchar, _params(length=60, default="")),
            ("updated_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "VoucherPayout",
        "finance_voucher_payout",
        [
            ("id", Serial, _params(primary_key=True)),
            ("claim", Integer, _params(unique=True, **INT)),
            ("line", ForeignKey, _fk(VoucherBatchLine, unique=True)),
            ("batch", ForeignKey, _fk(VoucherBatch, index=True)),
            ("programme", Integer, _params(index=True, **INT)),
            ("payee", ForeignKey, _fk(Organisation, index=True)),
            ("provider", Integer, _params(**NULL)),
            ("category", Varchar, _params(length=40, default="")),
            ("region", Varchar, _params(length=12, default="")),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("paid_on", Date, _params(default=None)),
            ("days_to_pay", Integer, _params(**INT)),
            ("reference", Varchar, _params(length=60, default="")),
            ("recorded_by", Integer, _params(**NULL)),
            ("recorded_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "VoucherStatement",
        "finance_voucher_statement",
        [
            ("id", Serial, _params(primary_key=True)),
            ("batch", ForeignKey, _fk(VoucherBatch, index=True)),
            ("payee", ForeignKey, _fk(Organisation, index=True)),
            ("natural_key", Varchar, _params(length=40, unique=True, default="")),
            ("paid_minor", BigInt, _params(**INT)),
            ("unpaid_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("sha256", Varchar, _params(length=64, default="")),
            ("path", Text, _params(default="")),
            ("pages", Integer, _params(**INT)),
            ("template", Varchar, _params(length=60, default="")),
            ("template_version", Varchar, _params(length=20, default="")),
            ("issued_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "VoucherIncomeEntry",
        "finance_ledger_voucher_entry",
        [
            ("id", Serial, _params(primary_key=True)),
            ("payout", Integer, _params(unique=True, **INT)),
            ("university", ForeignKey, _fk(Organisation, index=True)),
            ("month", Varchar, _params(length=7, index=True, default="")),
            ("received_on", Date, _params(default=None)),
            ("claim_reference", Varchar, _params(length=40, default="")),
            ("batch_number", Varchar, _params(length=40, default="")),
            ("licence", Integer, _params(**NULL)),
            ("licence_number", Varchar, _params(length=32, default="")),
            ("licensee_name", Varchar, _params(length=200, default="")),
            ("programme_name", Varchar, _params(length=200, default="")),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("gross_minor", BigInt, _params(**INT)),
            ("inventor_reward_bp", Integer, _params(**INT)),
            ("inventor_reward_minor", BigInt, _params(**INT)),
            ("created_at", Timestamptz, _params(**NOW)),
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
