"""Hand-written: insurers' IP insurance products (a product and its versions, each version's terms never changed:
an application keeps the version it used). Unique keys over two columns are one column each (``natural_key``:
"insurer:code", "product:version"), so that both databases enforce them from the table's creation."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    JSON,
    BigInt,
    Boolean,
    Column,
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

ID = "2026-12-02T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "insurance products with versioned terms"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class InsuranceProduct(Table, tablename="finance_insurance_product", schema=None):
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


NOW = {"default": TimestamptzNow()}
NULL = {"null": True, "default": None}

TABLES: list[tuple[str, str, list[tuple[str, type[Column], dict[str, Any]]]]] = [
    (
        "InsuranceProduct",
        "finance_insurance_product",
        [
            ("id", Serial, _params(primary_key=True)),
            ("insurer", ForeignKey, _fk(Organisation, index=True)),
            ("code", Varchar, _params(length=60, default="")),
            ("natural_key", Varchar, _params(length=80, default="", unique=True)),
            ("kind", Varchar, _params(length=30, default="")),
            ("status", Varchar, _params(length=12, default="published")),
            ("version", Integer, _params(default=1)),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
            ("published_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "InsuranceProductVersion",
        "finance_insurance_product_version",
        [
            ("id", Serial, _params(primary_key=True)),
            ("product", ForeignKey, _fk(InsuranceProduct, index=True)),
            ("version", Integer, _params(default=0)),
            ("natural_key", Varchar, _params(length=80, default="", unique=True)),
            ("name_zh", Varchar, _params(length=200, default="")),
            ("name_en", Varchar, _params(length=200, default="")),
            ("wording_version", Varchar, _params(length=60, default="")),
            ("territory", Varchar, _params(length=40, default="CN")),
            ("retroactive_days", Integer, _params(default=0)),
            ("per_claim_limit_minor", BigInt, _params(**NULL)),
            ("aggregate_limit_minor", BigInt, _params(**NULL)),
            ("deductible_minor", BigInt, _params(default=0)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("premium_table", JSON, _params(default="{}")),
            ("questionnaire_version", Integer, _params(default=1)),
            ("questionnaire", JSON, _params(default="[]")),
            ("documents", JSON, _params(default="[]")),
            ("approval_thresholds", JSON, _params(default="[]")),
            ("refusal_needs_second", Boolean, _params(default=False)),
            ("min_remaining_years", Integer, _params(default=0)),
            ("term_months", Integer, _params(default=12)),
            ("quote_valid_days", Integer, _params(default=30)),
            ("loss_share_bp", Integer, _params(default=0)),
            ("patent_kinds", JSON, _params(default="[]")),
            ("source", Text, _params(default="")),
            ("reliability", Varchar, _params(length=20, default="")),
            ("note", Text, _params(default="")),
            ("created_by", Integer, _params(**NULL)),
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
