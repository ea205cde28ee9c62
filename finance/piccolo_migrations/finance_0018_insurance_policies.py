"""Hand-written: IP insurance policies (bound from an accepted insurance application: terms, period, state and
version, the sealed schedule's SHA-256), the patents each covers, attempts to pay a premium, endorsements (a patent
added, the cancellation) and the premium entries (received, refunded) a policy's paid premium is summed from.
Unique keys over two columns are one column each (``natural_key``: "policy:patent", "policy:seq", "payment:<id>"),
and at most one open payment attempt per policy and purpose (``open_key``, NULL once closed), so that both
databases enforce them from the table's creation."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    JSON,
    BigInt,
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

ID = "2026-12-02T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "insurance policies, their patents, premium payments, endorsements and premium entries"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class Patent(Table, tablename="listings_patent", schema=None):
    id = Serial(null=False, primary_key=True)


class InsurancePolicy(Table, tablename="finance_insurance_policy", schema=None):
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
        "InsurancePolicy",
        "finance_insurance_policy",
        [
            ("id", Serial, _params(primary_key=True)),
            ("number", Varchar, _params(length=30, unique=True, default="")),
            ("application", Integer, _params(unique=True, default=0)),
            ("insured", ForeignKey, _fk(Organisation, index=True)),
            ("insurer", ForeignKey, _fk(Organisation, index=True)),
            ("kind", Varchar, _params(length=30, default="")),
            ("product_version", Integer, _params(**INT)),
            ("firm_tier", Varchar, _params(length=20, default="sme")),
            ("state", Varchar, _params(length=30, default="awaiting_premium")),
            ("version", Integer, _params(default=1)),
            ("requested_start", Date, _params(**NULL)),
            ("starts_on", Date, _params(**NULL)),
            ("ends_on", Date, _params(**NULL)),
            ("retroactive_date", Date, _params(**NULL)),
            ("term_months", Integer, _params(default=12)),
            ("retroactive_days", Integer, _params(**INT)),
            ("premium_minor", BigInt, _params(**INT)),
            ("per_claim_limit_minor", BigInt, _params(**INT)),
            ("aggregate_limit_minor", BigInt, _params(**INT)),
            ("deductible_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("pledge_application", Integer, _params(**NULL)),
            ("quote_valid_until", Date, _params(**NULL)),
            ("cancelled_on", Date, _params(**NULL)),
            ("cancelled_by", Varchar, _params(length=20, default="")),
            ("schedule_version", Integer, _params(**INT)),
            ("schedule_sha256", Varchar, _params(length=64, default="")),
            ("schedule_path", Text, _params(default="")),
            ("schedule_template_version", Varchar, _params(length=20, default="")),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "InsurancePolicyPatent",
        "finance_insurance_policy_patent",
        [
            ("id", Serial, _params(primary_key=True)),
            ("policy", ForeignKey, _fk(InsurancePolicy, index=True)),
            ("patent", ForeignKey, _fk(Patent, index=True)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("endorsement", Integer, _params(**NULL)),
            ("added_on", Date, _params(**NULL)),
        ],
    ),
    (
        "PremiumPayment",
        "finance_insurance_premium_payment",
        [
            ("id", Serial, _params(primary_key=True)),
            ("policy", ForeignKey, _fk(InsurancePolicy, index=True)),
            ("purpose", Varchar, _params(length=30, default="premium")),
            ("endorsement", Integer, _params(**NULL)),
            ("method", Varchar, _params(length=20, default="")),
            ("provider", Varchar, _params(length=20, default="")),
            ("provider_id", Varchar, _params(length=80, default="", index=True)),
            ("reference", Varchar, _params(length=20, default="", index=True)),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("status", Varchar, _params(length=20, default="awaiting_payer")),
            ("idempotency_key", Varchar, _params(length=120, unique=True, default="")),
            ("open_key", Varchar, _params(length=80, unique=True, null=True, default=None)),
            ("payee_account", Integer, _params(**NULL)),
            ("received_at", Timestamptz, _params(**NULL)),
            ("confirmed_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "Endorsement",
        "finance_insurance_endorsement",
        [
            ("id", Serial, _params(primary_key=True)),
            ("policy", ForeignKey, _fk(InsurancePolicy, index=True)),
            ("seq", Integer, _params(**INT)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("kind", Varchar, _params(length=20, default="")),
            ("patent", Integer, _params(**NULL)),
            ("effective_on", Date, _params(default=None)),
            ("days", Integer, _params(**INT)),
            ("days_in_period", Integer, _params(**INT)),
            ("annual_delta_minor", BigInt, _params(**INT)),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("state", Varchar, _params(length=20, default="")),
            ("lines", JSON, _params(default="[]")),
            ("requested_by", Varchar, _params(length=20, default="")),
            ("made_by", Integer, _params(**NULL)),
            ("settled_at", Timestamptz, _params(**NULL)),
            ("settled_by", Integer, _params(**NULL)),
            ("refund_reference", Varchar, _params(length=80, default="")),
            ("created_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "PremiumEntry",
        "finance_insurance_premium_entry",
        [
            ("id", Serial, _params(primary_key=True)),
            ("policy", ForeignKey, _fk(InsurancePolicy, index=True)),
            ("insurer", ForeignKey, _fk(Organisation, index=True)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("kind", Varchar, _params(length=20, default="")),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("occurred_on", Date, _params(default=None)),
            ("month", Varchar, _params(length=7, default="", index=True)),
            ("method", Varchar, _params(length=20, default="")),
            ("reference", Varchar, _params(length=80, default="")),
            ("payment", Integer, _params(**NULL)),
            ("endorsement", Integer, _params(**NULL)),
            ("recorded_by", Integer, _params(**NULL)),
            ("recorded_at", Timestamptz, _params(**NOW)),
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
