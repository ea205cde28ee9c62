"""Hand-written: service and innovation voucher programmes (their versioned terms), and each programme's catalogue:
providers' applications and listings, objections lodged during a provider's public notice, catalogued services.
Unique keys over two columns are one column each (``natural_key``: "issuer:code", "programme:version",
"programme:org"), so that both databases enforce them from the table's creation."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    JSON,
    BigInt,
    Boolean,
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

ID = "2026-12-03T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "voucher programmes and versions, voucher providers, objections, catalogued services"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class DeskCase(Table, tablename="finance_desk_case", schema=None):
    id = Serial(null=False, primary_key=True)


class VoucherProgramme(Table, tablename="finance_voucher_programme", schema=None):
    id = Serial(null=False, primary_key=True)


class VoucherProvider(Table, tablename="finance_voucher_provider", schema=None):
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
        "VoucherProgramme",
        "finance_voucher_programme",
        [
            ("id", Serial, _params(primary_key=True)),
            ("issuer", ForeignKey, _fk(Organisation, index=True)),
            ("code", Varchar, _params(length=60, default="")),
            ("natural_key", Varchar, _params(length=120, unique=True, default="")),
            ("status", Varchar, _params(length=12, default="draft")),
            ("closed_reason", Varchar, _params(length=30, default="")),
            ("version", Integer, _params(default=1)),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
            ("opened_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "VoucherProgrammeVersion",
        "finance_voucher_programme_version",
        [
            ("id", Serial, _params(primary_key=True)),
            ("programme", ForeignKey, _fk(VoucherProgramme, index=True)),
            ("version", Integer, _params(**INT)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("name_zh", Varchar, _params(length=200, default="")),
            ("name_en", Varchar, _params(length=200, default="")),
            ("mode", Varchar, _params(length=30, default="provider_redeems")),
            ("value_kind", Varchar, _params(length=20, default="amount")),
            ("face_value_minor", BigInt, _params(**NULL)),
            ("max_vouchers_per_use", Integer, _params(**NULL)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("categories", JSON, _params(default="{}")),
            ("per_claim_minor", BigInt, _params(**NULL)),
            ("per_period_minor", BigInt, _params(**NULL)),
            ("period", Varchar, _params(length=20, default="year")),
            ("per_firm_minor", BigInt, _params(**NULL)),
            ("validity_months", Integer, _params(default=12)),
            ("windows", JSON, _params(default="[]")),
            ("budget_minor", BigInt, _params(**NULL)),
            ("regions", JSON, _params(default="[]")),
            ("required", JSON, _params(default="[]")),
            ("favoured", JSON, _params(default="[]")),
            ("review_tiers", JSON, _params(default="[]")),
            ("approval_thresholds", JSON, _params(default="[]")),
            ("refusal_needs_second", Boolean, _params(default=False)),
            ("settlement_cycle", Varchar, _params(length=20, default="half_yearly")),
            ("documents", JSON, _params(default="[]")),
            ("notice_days", Integer, _params(default=7)),
            ("declaration_zh", Text, _params(default="")),
            ("declaration_en", Text, _params(default="")),
            ("source", Text, _params(default="")),
            ("reliability", Varchar, _params(length=20, default="")),
            ("note", Text, _params(default="")),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "VoucherProvider",
        "finance_voucher_provider",
        [
            ("id", Serial, _params(primary_key=True)),
            ("case", ForeignKey, _fk(DeskCase, null=True, default=None, unique=True)),
            ("programme", ForeignKey, _fk(VoucherProgramme, index=True)),
            ("programme_version", Integer, _params(default=1)),
            ("org", ForeignKey, _fk(Organisation, index=True)),
            ("issuer", ForeignKey, _fk(Organisation, index=True)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("org_kind", Varchar, _params(length=20, default="")),
            ("statement", Text, _params(default="")),
            ("notice_days", Integer, _params(default=7)),
            ("notice_from", Date, _params(**NULL)),
            ("notice_ends_on", Date, _params(**NULL)),
            ("listed_on", Date, _params(**NULL)),
            ("suspended_on", Date, _params(**NULL)),
            ("delisted_on", Date, _params(**NULL)),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "VoucherObjection",
        "finance_voucher_objection",
        [
            ("id", Serial, _params(primary_key=True)),
            ("provider", ForeignKey, _fk(VoucherProvider, index=True)),
            ("lodged_by", Integer, _params(**NULL)),
            ("lodged_by_org", Integer, _params(**NULL)),
            ("text", Text, _params(default="")),
            ("status", Varchar, _params(length=12, default="open")),
            ("lodged_at", Timestamptz, _params(**NOW)),
            ("decided_by", Integer, _params(**NULL)),
            ("decided_at", Timestamptz, _params(**NULL)),
            ("decision_text", Text, _params(default="")),
        ],
    ),
    (
        "VoucherService",
        "finance_voucher_service",
        [
            ("id", Serial, _params(primary_key=True)),
            ("provider", ForeignKey, _fk(VoucherProvider, index=True)),
            ("programme", Integer, _params(index=True, **INT)),
            ("org", Integer, _params(index=True, **INT)),
            ("category", Varchar, _params(length=30, default="")),
            ("title_zh", Varchar, _params(length=200, default="")),
            ("title_en", Varchar, _params(length=200, default="")),
            ("description_zh", Text, _params(default="")),
            ("description_en", Text, _params(default="")),
            ("unit", Varchar, _params(length=40, default="")),
            ("price_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("status", Varchar, _params(length=12, default="active")),
            ("supersedes", Integer, _params(**NULL)),
            ("declaration", Integer, _params(index=True, **NULL)),
            ("declaration_version", Integer, _params(**NULL)),
            ("natural_key", Varchar, _params(length=80, unique=True, **NULL)),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
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
