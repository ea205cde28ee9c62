"""Hand-written: the pledge facts of a patent registered through the platform, and the pledgee's recorded consents.

- ``listings_patent``: ``pledgee_org`` (the pledgee, an organisation; null while no pledge is on record; an
  organisation that is a pledgee on record is not deleted: restrict),
  ``pledge_registration_number`` and ``pledge_registered_on`` (CNIPA's registration of the pledge);
- ``listings_pledgee_consent``: one row per consent (patent, pledgee, the pledge's registration number, scope
  ``open_licence`` or ``licence``, who recorded it and when); ``consent_key`` (patent, registration number and
  scope) is unique: one consent per pledge and scope.
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-01T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "patent pledge facts; pledgee consents"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name=None, secret=False)


class Patent(Table, tablename="listings_patent", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name=None, secret=False)


def _fk(references: type[Table], on_delete: OnDelete = OnDelete.cascade, **extra: Any) -> dict[str, Any]:
    return {"references": references, "on_delete": on_delete, "on_update": OnUpdate.cascade, "target_column": None,
            **extra}


PATENT_COLUMNS: list[tuple[str, Any, dict[str, Any]]] = [
    ("pledgee_org", ForeignKey, _fk(Organisation, OnDelete.restrict, null=True, default=None, index=True)),
    ("pledge_registration_number", Varchar, {"length": 40, "default": ""}),
    ("pledge_registered_on", Date, {"null": True, "default": None}),
]

CONSENT_COLUMNS: list[tuple[str, Any, dict[str, Any]]] = [
    ("id", Serial, {"primary_key": True}),
    ("patent", ForeignKey, _fk(Patent, index=True)),
    ("pledgee_org", ForeignKey, _fk(Organisation, OnDelete.restrict)),
    ("registration_number", Varchar, {"length": 40, "default": ""}),
    ("scope", Varchar, {"length": 16, "default": ""}),
    ("consent_key", Varchar, {"length": 80, "default": "", "unique": True}),
    ("recorded_by", Integer, {"default": None, "null": True}),
    ("recorded_at", Timestamptz, {"default": TimestamptzNow()}),
]


def _params(extra: dict[str, Any]) -> dict[str, Any]:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **extra}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)
    for name, column_class, extra in PATENT_COLUMNS:
        manager.add_column(
            table_class_name="Patent", tablename="listings_patent", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=_params(extra), schema=None,
        )
    manager.add_table(class_name="PledgeeConsent", tablename="listings_pledgee_consent", schema=None, columns=None)
    for name, column_class, extra in CONSENT_COLUMNS:
        manager.add_column(
            table_class_name="PledgeeConsent", tablename="listings_pledgee_consent", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
            params=_params(extra), schema=None,
        )
    return manager
