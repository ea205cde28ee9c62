"""Hand-written: IP insurance applications (an SME's application on one version of an insurer's product: the
eligibility shown, the questionnaire answered once and frozen with its version and the Art 16 acknowledgement, the
quote frozen), the patents each covers (unique over application and patent: one ``natural_key`` column), and the
licensees' consent requests to the patentee (one per licence)."""

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

ID = "2026-12-02T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "insurance applications, their patents, licensee consents"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class Patent(Table, tablename="listings_patent", schema=None):
    id = Serial(null=False, primary_key=True)


class DeskCase(Table, tablename="finance_desk_case", schema=None):
    id = Serial(null=False, primary_key=True)


class InsuranceApplication(Table, tablename="finance_insurance_application", schema=None):
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
        "InsuranceApplication",
        "finance_insurance_application",
        [
            ("id", Serial, _params(primary_key=True)),
            ("case", ForeignKey, _fk(DeskCase, null=True, default=None, unique=True)),
            ("applicant", ForeignKey, _fk(Organisation, index=True)),
            ("insurer", ForeignKey, _fk(Organisation, index=True)),
            ("product", Integer, _params(**INT)),
            ("product_version", Integer, _params(index=True, default=0)),
            ("kind", Varchar, _params(length=30, default="")),
            ("firm_tier", Varchar, _params(length=20, default="sme")),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("eligibility", JSON, _params(default="[]")),
            ("questionnaire_version", Integer, _params(**NULL)),
            ("questionnaire", JSON, _params(default="{}")),
            ("answers", JSON, _params(default="{}")),
            ("answered_at", Timestamptz, _params(**NULL)),
            ("disclosure_ack_at", Timestamptz, _params(**NULL)),
            ("disclosure_ack_by", Integer, _params(**NULL)),
            ("quote", JSON, _params(default="{}")),
            ("premium_minor", BigInt, _params(**NULL)),
            ("aggregate_limit_minor", BigInt, _params(**NULL)),
            ("quote_valid_until", Date, _params(**NULL)),
            ("conditions", JSON, _params(default="[]")),
            ("pledge_application", Integer, _params(**NULL)),
            ("policy", Integer, _params(**NULL)),
            ("created_by", Integer, _params(**NULL)),
            ("submitted_at", Timestamptz, _params(**NULL)),
            ("decided_at", Timestamptz, _params(**NULL)),
            ("bound_at", Timestamptz, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "InsuranceApplicationPatent",
        "finance_insurance_application_patent",
        [
            ("id", Serial, _params(primary_key=True)),
            ("application", ForeignKey, _fk(InsuranceApplication, index=True)),
            ("patent", ForeignKey, _fk(Patent, index=True)),
            ("natural_key", Varchar, _params(length=80, unique=True, default="")),
            ("role", Varchar, _params(length=12, default="patentee")),
            ("licence", Integer, _params(**NULL)),
        ],
    ),
    (
        "InsuranceConsent",
        "finance_insurance_consent",
        [
            ("id", Serial, _params(primary_key=True)),
            ("licence", Integer, _params(unique=True, default=0)),
            ("patent", ForeignKey, _fk(Patent, index=True)),
            ("licensee", ForeignKey, _fk(Organisation, index=True)),
            ("patentee", ForeignKey, _fk(Organisation, index=True)),
            ("state", Varchar, _params(length=12, default="requested")),
            ("version", Integer, _params(default=1)),
            ("note", Text, _params(default="")),
            ("requested_by", Integer, _params(**NULL)),
            ("requested_at", Timestamptz, _params(**NOW)),
            ("decided_by", Integer, _params(**NULL)),
            ("decided_at", Timestamptz, _params(**NULL)),
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
