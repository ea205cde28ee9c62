"""Hand-written: insurance claims (the insured's notice on a policy, on the desk as kind "insurance_claim"), their
costs with invoices and pre-approvals, the insurer's payment entries (a policy's aggregate used is derived from
them) and the guarantee policies attached to pledge-loan applications. Policies and pledge applications are named
by id (``policy``, ``pledge_application``, ``loan``): one claim per defaulted loan, one payment per claim and one
guarantee each way are unique columns, so both databases enforce them from the table's creation."""

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

ID = "2026-12-02T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "insurance claims, their costs and payments; guarantee policies attached to pledge applications"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class Patent(Table, tablename="listings_patent", schema=None):
    id = Serial(null=False, primary_key=True)


class DeskCase(Table, tablename="finance_desk_case", schema=None):
    id = Serial(null=False, primary_key=True)


class InsuranceClaim(Table, tablename="finance_insurance_claim", schema=None):
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
        "InsuranceClaim",
        "finance_insurance_claim",
        [
            ("id", Serial, _params(primary_key=True)),
            ("case", ForeignKey, _fk(DeskCase, unique=True, **NULL)),
            ("policy", Integer, _params(index=True, **INT)),
            ("insured", ForeignKey, _fk(Organisation, index=True)),
            ("insurer", ForeignKey, _fk(Organisation, index=True)),
            ("kind", Varchar, _params(length=30, default="")),
            ("patent", ForeignKey, _fk(Patent, index=True, **NULL)),
            ("counterparty", Varchar, _params(length=200, default="")),
            ("forum", Varchar, _params(length=20, default="")),
            ("event_on", Date, _params(**NULL)),
            ("first_claim_on", Date, _params(**NULL)),
            ("first_known_on", Date, _params(**NULL)),
            ("description", Text, _params(default="")),
            ("acceptance_number", Varchar, _params(length=60, default="")),
            ("accepted_on", Date, _params(**NULL)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("claimed_minor", BigInt, _params(**INT)),
            ("loan", Integer, _params(unique=True, **NULL)),
            ("pledge_application", Integer, _params(**NULL)),
            ("assessment", JSON, _params(default="{}")),
            ("assessed_minor", BigInt, _params(**NULL)),
            ("denial_reasons", JSON, _params(default="[]")),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "InsuranceClaimCost",
        "finance_insurance_claim_cost",
        [
            ("id", Serial, _params(primary_key=True)),
            ("claim", ForeignKey, _fk(InsuranceClaim, index=True)),
            ("kind", Varchar, _params(length=30, default="")),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("incurred_on", Date, _params(**NULL)),
            ("description", Text, _params(default="")),
            ("invoice_number", Varchar, _params(length=60, default="")),
            ("document", Integer, _params(**NULL)),
            ("sha256", Varchar, _params(length=64, default="")),
            ("pre_approved", Boolean, _params(default=False)),
            ("pre_approved_by", Integer, _params(**NULL)),
            ("pre_approved_at", Timestamptz, _params(**NULL)),
            ("created_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "InsuranceClaimPayment",
        "finance_insurance_claim_payment",
        [
            ("id", Serial, _params(primary_key=True)),
            ("claim", ForeignKey, _fk(InsuranceClaim, unique=True)),
            ("policy", Integer, _params(index=True, **INT)),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("paid_on", Date, _params(**NULL)),
            ("reference", Varchar, _params(length=60, default="")),
            ("recorded_by", Integer, _params(**NULL)),
            ("recorded_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "InsuranceGuarantee",
        "finance_insurance_guarantee",
        [
            ("id", Serial, _params(primary_key=True)),
            ("policy", Integer, _params(unique=True, **INT)),
            ("pledge_application", Integer, _params(unique=True, **INT)),
            ("document", Integer, _params(**NULL)),
            ("attached_by", Integer, _params(**NULL)),
            ("attached_at", Timestamptz, _params(**NOW)),
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
