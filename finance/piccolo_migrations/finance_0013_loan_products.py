"""Hand-written: banks' loan products for patent pledge loans (a product and its versions, each version's terms never
changed: an application keeps the version it used) and the risk-compensation pools products take part in. One
product code per bank, one row per product and version."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import JSON, BigInt, Boolean, Column, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-01T09:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "loan products with versioned terms, risk-compensation pools"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class LoanProduct(Table, tablename="finance_loan_product", schema=None):
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


NOW = {"default": TimestamptzNow()}
NULL = {"null": True, "default": None}

TABLES: list[tuple[str, str, list[tuple[str, type[Column], dict[str, Any]]]]] = [
    (
        "RiskPool",
        "finance_risk_pool",
        [
            ("id", Serial, _params(primary_key=True)),
            ("code", Varchar, _params(length=60, default="", unique=True)),
            ("name_zh", Varchar, _params(length=200, default="")),
            ("name_en", Varchar, _params(length=200, default="")),
            ("issuer", Varchar, _params(length=200, default="")),
            ("loss_split_bp", JSON, _params(default="{}")),
            ("cap_first_year_minor", BigInt, _params(**NULL)),
            ("cap_later_minor", BigInt, _params(**NULL)),
            ("pure_ip_only", Boolean, _params(default=False)),
            ("size_minor", BigInt, _params(**NULL)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("scope", Text, _params(default="")),
            ("source", Text, _params(default="")),
            ("reliability", Varchar, _params(length=20, default="")),
            ("recorded_by_org", ForeignKey, _fk(Organisation, index=True, **NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "LoanProduct",
        "finance_loan_product",
        [
            ("id", Serial, _params(primary_key=True)),
            ("bank", ForeignKey, _fk(Organisation, index=True)),
            ("code", Varchar, _params(length=60, default="")),
            ("status", Varchar, _params(length=12, default="draft")),
            ("version", Integer, _params(default=1)),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
            ("published_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "LoanProductVersion",
        "finance_loan_product_version",
        [
            ("id", Serial, _params(primary_key=True)),
            ("product", ForeignKey, _fk(LoanProduct, index=True)),
            ("version", Integer, _params(default=0)),
            ("name_zh", Varchar, _params(length=200, default="")),
            ("name_en", Varchar, _params(length=200, default="")),
            ("kinds", JSON, _params(default="[]")),
            ("ltv_bp", JSON, _params(default="{}")),
            ("min_remaining_years", JSON, _params(default="{}")),
            ("max_amount_minor", BigInt, _params(default=0)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("max_term_months", Integer, _params(default=0)),
            ("rate_min_bp", Integer, _params(**NULL)),
            ("rate_max_bp", Integer, _params(**NULL)),
            ("documents", JSON, _params(default="[]")),
            ("approval_thresholds", JSON, _params(default="[]")),
            ("refusal_needs_second", Boolean, _params(default=True)),
            ("pools", JSON, _params(default="[]")),
            ("source", Text, _params(default="")),
            ("reliability", Varchar, _params(length=20, default="")),
            ("note", Text, _params(default="")),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
        ],
    ),
]

UP = [
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_loan_product_bank_code ON finance_loan_product (bank, code)",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_loan_product_version_key "
    "ON finance_loan_product_version (product, version)",
]
DOWN = [
    "DROP INDEX IF EXISTS finance_loan_product_version_key",
    "DROP INDEX IF EXISTS finance_loan_product_bank_code",
]


class _TablesThenKeys(MigrationManager):
    """Piccolo runs raw SQL before it adds tables: the unique keys of the new tables are made after them."""

    async def run(self, backwards: bool = False) -> None:
        from finance.licences.tables import Licence  # bound to the engine migrating (as finance_0002)

        if backwards and not self.preview:
            for statement in DOWN:
                await Licence.raw(statement)
        await super().run(backwards=backwards)
        if not backwards and not self.preview:
            for statement in UP:
                await Licence.raw(statement)


async def forwards() -> MigrationManager:
    manager = _TablesThenKeys(migration_id=ID, app_name="finance", description=DESCRIPTION)
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
