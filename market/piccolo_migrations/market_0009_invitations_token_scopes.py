"""Invitations into an organisation, and scopes on API tokens.

``market_invitation``: an owner's invitation of an e-mail address with a role, pending until the invitee accepts
it (or it is revoked or expires); one pending invitation per (organisation, e-mail) by a partial unique index,
which PostgreSQL and SQLite both accept, made by market_0009 (Piccolo runs raw SQL before a migration's tables
are added). Only the SHA-256 of the invitation's token is stored.

``market_api_token.scopes``: what a token may do ("read", "write"). Tokens made before keep what they could do:
``read,write``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T10:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "invitations; API token scopes"

class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(primary_key=True)


class User(Table, tablename="market_user", schema=None):
    id = Serial(primary_key=True)


def _params(**extra: object) -> dict[str, object]:
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


def _fk(references: type[Table], *, null: bool) -> dict[str, object]:
    return _params(
        references=references,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        **({"default": None} if null else {}),
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)
    manager.add_table(class_name="Invitation", tablename="market_invitation", schema=None, columns=None)
    for name, column_class, params in (
        ("id", Serial, _params(primary_key=True)),
        ("organisation", ForeignKey, _fk(Organisation, null=False)),
        ("email", Varchar, _params(length=254, default="")),
        ("role", Varchar, _params(length=10, default="")),
        ("state", Varchar, _params(length=10, default="pending")),
        ("token_hash", Varchar, _params(length=64, default="", unique=True, index=True)),
        ("invited_by", ForeignKey, _fk(User, null=False)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("expires_at", Timestamptz, _params(default=TimestamptzNow())),
        ("decided_at", Timestamptz, _params(null=True, default=None)),
        ("accepted_by", ForeignKey, _fk(User, null=True)),
    ):
        manager.add_column(
            table_class_name="Invitation",
            tablename="market_invitation",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    manager.add_column(
        table_class_name="ApiToken",
        tablename="market_api_token",
        column_name="scopes",
        db_column_name="scopes",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=40, default="read,write"),
        schema=None,
    )
    return manager
