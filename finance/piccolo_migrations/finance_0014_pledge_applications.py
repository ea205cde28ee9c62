"""Hand-written: pledge-loan applications (an SME's application on one version of a bank's product, its valuation,
acknowledged reasons, the pre-check shown at submission, the offer) and the patents each pledges, one row per patent
(a unique key on application and patent)."""

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
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-01T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "pledge-loan applications and their patents"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True)


class Patent(Table, tablename="listings_patent", schema=None):
    id = Serial(null=False, primary_key=True)


class DeskCase(Table, tablename="finance_desk_case", schema=None):
    id = Serial(null=False, primary_key=True)


class LoanProduct(Table, tablename="finance_loan_product", schema=None):
    id = Serial(null=False, primary_key=True)


class PledgeApplication(Table, tablename="finance_pledge_application", schema=None):
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


INT = {"default": 0}
NOW = {"default": TimestamptzNow()}
NULL = {"null": True, "default": None}

TABLES: list[tuple[str, str, list[tuple[str, type[Column], dict[str, Any]]]]] = [
    (
        "PledgeApplication",
        "finance_pledge_application",
        [
            ("id", Serial, _params(primary_key=True)),
            ("case", ForeignKey, _fk(DeskCase, null=True, default=None, unique=True)),
            ("applicant", ForeignKey, _fk(Organisation, index=True)),
            ("bank", ForeignKey, _fk(Organisation, index=True)),
            ("product", ForeignKey, _fk(LoanProduct, index=True)),
            ("product_version", Integer, _params(default=1)),
            ("amount_minor", BigInt, _params(**INT)),
            ("currency", Varchar, _params(length=3, default="CNY")),
            ("term_months", Integer, _params(default=12)),
            ("purpose", Text, _params(default="")),
            ("pure_ip", Boolean, _params(default=True)),
            ("valuation_method", Varchar, _params(length=10, default="internal")),
            ("valuation_minor", BigInt, _params(**INT)),
            ("valuation", JSON, _params(default="{}")),
            ("acknowledged", JSON, _params(default="[]")),
            ("precheck", JSON, _params(default="[]")),
            ("offer_amount_minor", BigInt, _params(**NULL)),
            ("offer_rate_bp", Integer, _params(**NULL)),
            ("offer_term_months", Integer, _params(**NULL)),
            ("offer_expires_on", Date, _params(**NULL)),
            ("created_by", Integer, _params(**NULL)),
            ("submitted_at", Timestamptz, _params(**NULL)),
            ("accepted_at", Timestamptz, _params(**NULL)),
            ("accepted_by", Integer, _params(**NULL)),
            ("created_at", Timestamptz, _params(**NOW)),
            ("updated_at", Timestamptz, _params(**NOW)),
        ],
    ),
    (
        "PledgePatent",
        "finance_pledge_patent",
        [
            ("id", Serial, _params(primary_key=True)),
            ("application", ForeignKey, _fk(PledgeApplication, index=True)),
            ("patent", ForeignKey, _fk(Patent, index=True)),
            ("value_minor", BigInt, _params(**INT)),
        ],
    ),
]

UP = [
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_pledge_patent_application_patent "
    "ON finance_pledge_patent (application, patent)",
]
DOWN = ["DROP INDEX IF EXISTS finance_pledge_patent_application_patent"]


class _Manager(MigrationManager):
    """Piccolo runs raw steps before it creates tables: the unique index on the new table is made after them, in
    the same transaction."""

    async def run(self, backwards: bool = False) -> None:
        engine = engine_finder()
        assert engine is not None
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                from finance.licences.tables import Licence  # bound to the engine migrating (as finance_0008)

                for statement in UP:
                    await Licence.raw(statement)


async def forwards() -> MigrationManager:
    manager = _Manager(migration_id=ID, app_name="finance", description=DESCRIPTION)
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

    async def down() -> None:
        from finance.licences.tables import Licence

        for statement in DOWN:
            await Licence.raw(statement)

    manager.add_raw_backwards(down)
    return manager
