"""Hand-written: premium-subsidy programmes (their versioned terms), firms' claims on them, the issuers' payments and
the caps ledger (running totals under each cap: a programme's budget, a firm's cap in a programme, a firm's cap for
one kind, a policy's premium). Unique keys over two columns are one column each (``natural_key``:
"issuer:code", "programme:version", "policy:programme"), so that both databases enforce them from the table's
creation."""

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

ID = "2026-12-02T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "premium-subsidy programmes and versions, subsidy claims, payments, caps ledger"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class DeskCase(Table, tablename="finance_desk_case", schema=None):
    id = Serial(null=False, primary_key=True)


class SubsidyProgramme(Table, tablename="finance_subsidy_programme", schema=None):
    id = Serial(null=False, primary_key=True)


class SubsidyClaim(Table, tablename="finance_subsidy_claim", schema=None):
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
        "SubsidyProgramme",
        "finance_subsidy_programme",
        [
            ("id", Serial, _params(primary_key=True)),
            ("issuer", ForeignKey, _fk(Organisation, index=True)),
            ("code", Varchar, _params(length=60, default="")),
            ("natural_key", Varchar, _params(length=120, unique=True, default="")),
            ("status", Varchar, _params(length=12, default="draft")),
            ("version", Integer, _params(default=1)),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
            ("opened_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "SubsidyProgrammeVersion",
        "finance_subsidy_programme_version",
        [
            ("id", Serial, _params(primary_key=True)),
            ("programme", ForeignKey, _fk(SubsidyProgramme, index=True)),
            ("version", Integer, _params(**INT)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("name_zh", Varchar, _params(length=200, default="")),
            ("name_en", Varchar, _params(length=200, default="")),
            ("kinds", JSON, _params(default="[]")),
            ("share_first_bp", JSON, _params(default="{}")),
            ("share_later_bp", JSON, _params(default="{}")),
            ("cap_per_firm_minor", BigInt, _params(**NULL)),
            ("tier_caps", JSON, _params(default="{}")),
            ("kind_caps", JSON, _params(default="{}")),
            ("budget_minor", BigInt, _params(**NULL)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("approval_thresholds", JSON, _params(default="[]")),
            ("refusal_needs_second", Boolean, _params(default=False)),
            ("source", Text, _params(default="")),
            ("reliability", Varchar, _params(length=20, default="")),
            ("note", Text, _params(default="")),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "SubsidyClaim",
        "finance_subsidy_claim",
        [
            ("id", Serial, _params(primary_key=True)),
            ("case", ForeignKey, _fk(DeskCase, null=True, default=None, unique=True)),
            ("programme", ForeignKey, _fk(SubsidyProgramme, index=True)),
            ("programme_version", Integer, _params(default=1)),
            ("policy", Integer, _params(index=True, default=0)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("applicant", ForeignKey, _fk(Organisation, index=True)),
            ("issuer", ForeignKey, _fk(Organisation, index=True)),
            ("kind", Varchar, _params(length=30, default="")),
            ("firm_tier", Varchar, _params(length=20, default="sme")),
            ("first_policy", Boolean, _params(default=True)),
            ("premium_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("requested_minor", BigInt, _params(**INT)),
            ("approved_minor", BigInt, _params(**NULL)),
            ("paid_minor", BigInt, _params(**INT)),
            ("proof", JSON, _params(default="{}")),
            ("lines", JSON, _params(default="[]")),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
            ("approved_at", Timestamptz, _params(**NULL)),
            ("paid_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "SubsidyPayment",
        "finance_subsidy_payment",
        [
            ("id", Serial, _params(primary_key=True)),
            ("claim", ForeignKey, _fk(SubsidyClaim, unique=True)),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("paid_on", Date, _params(default=None)),
            ("reference", Varchar, _params(length=60, default="")),
            ("recorded_by", Integer, _params(**NULL)),
            ("recorded_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "SubsidyCap",
        "finance_subsidy_cap",
        [
            ("id", Serial, _params(primary_key=True)),
            ("key", Varchar, _params(length=120, unique=True, default="")),
            ("scope", Varchar, _params(length=20, default="")),
            ("programme", Integer, _params(**NULL)),
            ("org", Integer, _params(index=True, **NULL)),
            ("policy", Integer, _params(**NULL)),
            ("limit_minor", BigInt, _params(**INT)),
            ("reserved_minor", BigInt, _params(**INT)),
            ("paid_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
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
