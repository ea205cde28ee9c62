"""Hand-written: pledge registrations (the CNIPA registration of an accepted pledge loan: its state and version,
the patents it covers, its rendered and sealed documents; the parties' signatures are finance.signatures') and their servicing (the loan,
its entries, the claim on a risk-compensation pool on default). Unique keys over two columns are one
column each (``natural_key``: "registration:patent", "registration:kind", "loan:seq"), so that both
databases enforce them from the table's creation."""

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

ID = "2026-12-01T09:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "pledge registrations, their patents and documents; loans, loan entries, pool claims"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class Patent(Table, tablename="listings_patent", schema=None):
    id = Serial(null=False, primary_key=True)


class PledgeRegistration(Table, tablename="finance_pledge_registration", schema=None):
    id = Serial(null=False, primary_key=True)


class PledgeDocument(Table, tablename="finance_pledge_document", schema=None):
    id = Serial(null=False, primary_key=True)


class Loan(Table, tablename="finance_loan", schema=None):
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
        "PledgeRegistration",
        "finance_pledge_registration",
        [
            ("id", Serial, _params(primary_key=True)),
            ("application", Integer, _params(unique=True, default=0)),
            ("reference", Varchar, _params(length=30, unique=True, default="")),
            ("pledgor", ForeignKey, _fk(Organisation, index=True)),
            ("pledgee", ForeignKey, _fk(Organisation, index=True)),
            ("state", Varchar, _params(length=30, default="awaiting_signatures")),
            ("version", Integer, _params(default=1)),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("rate_bp", Integer, _params(**NULL)),
            ("term_months", Integer, _params(default=12)),
            ("debt_starts_on", Date, _params(**NULL)),
            ("debt_ends_on", Date, _params(**NULL)),
            ("pure_ip", Boolean, _params(default=True)),
            ("filed_on", Date, _params(**NULL)),
            ("due_on", Date, _params(**NULL)),
            ("paused_since", Date, _params(**NULL)),
            ("paused_working_days", Integer, _params(**INT)),
            ("registration_number", Varchar, _params(length=40, default="")),
            ("registered_on", Date, _params(**NULL)),
            ("refusal_ground", Varchar, _params(length=30, default="")),
            ("cnipa_note", Text, _params(default="")),
            ("release_filed_on", Date, _params(**NULL)),
            ("released_on", Date, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "PledgeRegistrationPatent",
        "finance_pledge_registration_patent",
        [
            ("id", Serial, _params(primary_key=True)),
            ("registration", ForeignKey, _fk(PledgeRegistration, index=True)),
            ("patent", ForeignKey, _fk(Patent, index=True)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
        ],
    ),
    (
        "PledgeDocument",
        "finance_pledge_document",
        [
            ("id", Serial, _params(primary_key=True)),
            ("registration", ForeignKey, _fk(PledgeRegistration, index=True)),
            ("kind", Varchar, _params(length=30, default="")),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("template", Varchar, _params(length=60, default="")),
            ("template_version", Varchar, _params(length=20, default="")),
            ("sha256", Varchar, _params(length=64, default="")),
            ("path", Text, _params(default="")),
            ("pages", Integer, _params(**INT)),
            ("created_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "Loan",
        "finance_loan",
        [
            ("id", Serial, _params(primary_key=True)),
            ("registration", ForeignKey, _fk(PledgeRegistration, unique=True)),
            ("lender", ForeignKey, _fk(Organisation, index=True)),
            ("borrower", ForeignKey, _fk(Organisation, index=True)),
            ("principal_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("pure_ip", Boolean, _params(default=True)),
            ("state", Varchar, _params(length=30, default="awaiting_disbursement")),
            ("version", Integer, _params(default=1)),
            ("disbursed_on", Date, _params(**NULL)),
            ("defaulted_on", Date, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "LoanEntry",
        "finance_loan_entry",
        [
            ("id", Serial, _params(primary_key=True)),
            ("loan", ForeignKey, _fk(Loan, index=True)),
            ("seq", Integer, _params(**INT)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("kind", Varchar, _params(length=20, default="")),
            ("principal_minor", BigInt, _params(**INT)),
            ("interest_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("occurred_on", Date, _params(default=None)),
            ("reference", Varchar, _params(length=60, default="")),
            ("recorded_by", Integer, _params(**NULL)),
            ("recorded_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "PoolClaim",
        "finance_pool_claim",
        [
            ("id", Serial, _params(primary_key=True)),
            ("loan", ForeignKey, _fk(Loan, unique=True)),
            ("pool", Varchar, _params(length=60, default="")),
            ("outcome", Varchar, _params(length=20, default="")),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("reasons", JSON, _params(default="[]")),
            ("lines", JSON, _params(default="[]")),
            ("snapshot", JSON, _params(default="{}")),
            ("text", Text, _params(default="")),
            ("decided_by", Integer, _params(**NULL)),
            ("decided_at", Timestamptz, _params(**NOW)),
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
