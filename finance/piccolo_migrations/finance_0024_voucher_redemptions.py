"""Hand-written: spending service vouchers (``finance.voucher_redemptions``).

- ``finance_licence.voucher_cover_minor``: what a voucher pays of a licence's amount due (the licensee pays the
  rest, ``finance.payments``);
- redemptions (a licence's voucher share, a catalogued service's order, a reimbursed claim), one live per licence
  (``live_key`` unique; NULL once closed); their deliverables, hashed; the running totals under the caps across
  claims (``reserved + amount <= limit``); the outsized-share alerts, once per (programme, provider, period).
- Foreign keys to tables of other voucher modules (programmes, entitlements, holds, services, batches) are plain
  integers, so that this migration depends on none of them.
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    JSON,
    BigInt,
    Bytea,
    Column,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-03T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "voucher redemptions, deliverables, caps across claims, share alerts; a licence's voucher cover"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class VoucherRedemption(Table, tablename="finance_voucher_redemption", schema=None):
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
        "VoucherRedemption",
        "finance_voucher_redemption",
        [
            ("id", Serial, _params(primary_key=True)),
            ("source", Varchar, _params(length=12, default="")),
            ("programme", Integer, _params(index=True, **INT)),
            ("programme_version", Integer, _params(default=1)),
            ("entitlement", Integer, _params(index=True, **INT)),
            ("hold", Integer, _params(index=True, **NULL)),
            ("hold_ref", Varchar, _params(length=80, default="")),
            ("sme", ForeignKey, _fk(Organisation, index=True)),
            ("provider", ForeignKey, _fk(Organisation, index=True)),
            ("payee", Integer, _params(**INT)),
            ("issuer", Integer, _params(index=True, **INT)),
            ("category", Varchar, _params(length=30, default="")),
            ("licence", Integer, _params(index=True, **NULL)),
            ("service", Integer, _params(**NULL)),
            ("live_key", Varchar, _params(length=80, unique=True, **NULL)),
            ("title", Varchar, _params(length=300, default="")),
            ("price_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("share_bp", Integer, _params(**INT)),
            ("voucher_minor", BigInt, _params(**INT)),
            ("captured_minor", BigInt, _params(**NULL)),
            ("lines", JSON, _params(default="[]")),
            ("caps", JSON, _params(default="[]")),
            ("region", Varchar, _params(length=12, default="")),
            ("period_key", Varchar, _params(length=12, default="")),
            ("status", Varchar, _params(length=12, default="ordered")),
            ("version", Integer, _params(**INT)),
            ("case", Integer, _params(unique=True, **NULL)),
            ("reference", Varchar, _params(length=40, default="")),
            ("copay", JSON, _params(default="{}")),
            ("refusal", JSON, _params(default="[]")),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
            ("held_at", Timestamptz, _params(**NULL)),
            ("delivered_at", Timestamptz, _params(**NULL)),
            ("accepted_at", Timestamptz, _params(**NULL)),
            ("claimed_at", Timestamptz, _params(**NULL)),
            ("captured_at", Timestamptz, _params(**NULL)),
            ("closed_at", Timestamptz, _params(**NULL)),
            ("settled_batch", Integer, _params(index=True, **NULL)),
            ("settled_at", Timestamptz, _params(**NULL)),
        ],
    ),
    (
        "VoucherDeliverable",
        "finance_voucher_deliverable",
        [
            ("id", Serial, _params(primary_key=True)),
            ("redemption", ForeignKey, _fk(VoucherRedemption, unique=True)),
            ("filename", Varchar, _params(length=120, default="")),
            ("content_type", Varchar, _params(length=80, default="")),
            ("content", Bytea, _params(default=b"")),
            ("sha256", Varchar, _params(length=64, default="")),
            ("uploaded_by", Integer, _params(**NULL)),
            ("uploaded_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "VoucherClaimCap",
        "finance_voucher_claim_cap",
        [
            ("id", Serial, _params(primary_key=True)),
            ("key", Varchar, _params(length=120, unique=True, default="")),
            ("scope", Varchar, _params(length=12, default="")),
            ("programme", Integer, _params(index=True, **INT)),
            ("org", Integer, _params(index=True, **INT)),
            ("period_key", Varchar, _params(length=12, default="")),
            ("limit_minor", BigInt, _params(**INT)),
            ("reserved_minor", BigInt, _params(**INT)),
            ("captured_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("updated_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "VoucherShareAlert",
        "finance_voucher_share_alert",
        [
            ("id", Serial, _params(primary_key=True)),
            ("natural_key", Varchar, _params(length=120, unique=True, default="")),
            ("programme", Integer, _params(index=True, **INT)),
            ("provider", Integer, _params(**INT)),
            ("period_key", Varchar, _params(length=12, default="")),
            ("provider_minor", BigInt, _params(**INT)),
            ("programme_minor", BigInt, _params(**INT)),
            ("share_bp", Integer, _params(**INT)),
            ("threshold_bp", Integer, _params(**INT)),
            ("raised_at", Timestamptz, _params(**NOW)),
        ],
    ),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Licence",
        tablename="finance_licence",
        column_name="voucher_cover_minor",
        db_column_name="voucher_cover_minor",
        column_class_name="BigInt",
        column_class=BigInt,
        params={"default": 0},
        schema=None,
    )
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

