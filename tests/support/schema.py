"""The schema a database has, and the schema the Piccolo table classes say it should have, in one comparable shape.

Used by the migration drift and upgrade tests. What is compared, per table:

- the set of tables (Piccolo's own ``migration`` table aside) and of columns;
- each column's type: on PostgreSQL as PostgreSQL spells it (``format_type``), the expected one being what
  PostgreSQL makes of the type Piccolo would declare (so ``SERIAL`` is ``integer``, ``VARCHAR(40)`` is
  ``character varying(40)``, and any future column type needs no mapping here); on SQLite the declared type, with
  VARCHAR(n) and TEXT alike (SQLite enforces no lengths and reads both as text);
- nullability (primary keys count as NOT NULL);
- single-column unique keys (a column with ``unique=True``; partial indexes and primary keys aside), both ways;
- indexed columns (``index=True`` needs an index starting with the column; hand-written extra indexes are fine);
- foreign keys: column, referenced table and ON DELETE action, both ways.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import asyncpg
from piccolo.apps.migrations.tables import Migration
from piccolo.columns.column_types import ForeignKey
from piccolo.conf.apps import Finder
from piccolo.table import Table

from market import db
from market.settings import Settings
from tests.support.services import PG_ADMIN_URL, need, reachable

BOOKKEEPING = {"migration"}  # Piccolo's record of applied migrations, not one of ours
PG_ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


@dataclass(frozen=True)
class Column:
    type: str
    not_null: bool


@dataclass
class Schema:
    columns: dict[str, dict[str, Column]] = field(default_factory=dict)
    unique: set[tuple[str, str]] = field(default_factory=set)
    indexed: set[tuple[str, str]] = field(default_factory=set)
    foreign_keys: set[tuple[str, str, str, str]] = field(default_factory=set)  # table, column, references, on delete


def differences(expected: Schema, actual: Schema) -> list[str]:
    """Each way ``actual`` (the database) differs from ``expected`` (the table classes), one sentence each."""
    found: list[str] = []
    for table in sorted(expected.columns.keys() - actual.columns.keys()):
        found.append(f"table {table} is missing")
    for table in sorted(actual.columns.keys() - expected.columns.keys()):
        found.append(f"table {table} has no table class")
    for table in sorted(expected.columns.keys() & actual.columns.keys()):
        want, have = expected.columns[table], actual.columns[table]
        for name in sorted(want.keys() - have.keys()):
            found.append(f"column {table}.{name} is missing")
        for name in sorted(have.keys() - want.keys()):
            found.append(f"column {table}.{name} is not in the table class")
        for name in sorted(want.keys() & have.keys()):
            if want[name].type != have[name].type:
                found.append(f"column {table}.{name} is {have[name].type}, the class says {want[name].type}")
            if want[name].not_null != have[name].not_null:
                found.append(
                    f"column {table}.{name} is {'NOT NULL' if have[name].not_null else 'nullable'}, "
                    f"the class says {'NOT NULL' if want[name].not_null else 'nullable'}"
                )
    found += [f"column {t}.{c} should be unique and is not" for t, c in sorted(expected.unique - actual.unique)]
    for table, column in sorted(actual.unique - expected.unique):
        found.append(f"column {table}.{column} is unique, the class does not say so")
    found += [f"column {t}.{c} should be indexed and is not" for t, c in sorted(expected.indexed - actual.indexed)]
    for table, column, references, on_delete in sorted(expected.foreign_keys - actual.foreign_keys):
        found.append(f"foreign key {table}.{column} -> {references} ON DELETE {on_delete} is missing")
    for table, column, references, on_delete in sorted(actual.foreign_keys - expected.foreign_keys):
        found.append(f"foreign key {table}.{column} -> {references} ON DELETE {on_delete} is not in the class")
    return found


def _expected_keys(tables: Iterable[type[Table]], schema: Schema) -> None:
    for table in tables:
        name = table._meta.tablename
        for column in table._meta.columns:
            column_name = column._meta.db_column_name
            if column._meta.unique and not column._meta.primary_key:
                schema.unique.add((name, column_name))
            if column._meta.index:
                schema.indexed.add((name, column_name))
            if isinstance(column, ForeignKey):
                references = column._foreign_key_meta.resolved_references._meta.tablename
                on_delete = column._foreign_key_meta.on_delete.value
                schema.foreign_keys.add((name, column_name, references, on_delete))


# PostgreSQL ---------------------------------------------------------------------------------------------------------


async def expected_postgres(conn: asyncpg.Connection, tables: list[type[Table]]) -> Schema:
    """What the table classes say, with types as PostgreSQL spells what Piccolo would declare.

    The tables must be bound to a PostgreSQL engine (their column types depend on it). Each class is declared once as
    a temporary table on ``conn`` and read back, so PostgreSQL itself normalises the types."""
    schema = Schema()
    for table in tables:
        assert table._meta.db.engine_type == "postgres", f"{table.__name__} is not bound to PostgreSQL"
        name = table._meta.tablename
        columns = [(c._meta.db_column_name, c) for c in table._meta.columns]
        declared = ", ".join(f'"{column_name}" {column.column_type}' for column_name, column in columns)
        probe = f"drift_probe_{name}"
        async with conn.transaction():
            await conn.execute(f'CREATE TEMPORARY TABLE "{probe}" ({declared}) ON COMMIT DROP')
            rows = await conn.fetch(
                "SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute "
                "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
                f'"{probe}"',
            )
        types = {row["attname"]: row["type"] for row in rows}
        schema.columns[name] = {
            column_name: Column(types[column_name], not column._meta.null or column._meta.primary_key)
            for column_name, column in columns
        }
    _expected_keys(tables, schema)
    return schema


async def postgres_schema(conn: asyncpg.Connection) -> Schema:
    """The public schema of the database ``conn`` is connected to."""
    schema = Schema()
    rows = await conn.fetch(
        """
        SELECT c.table_name, c.column_name, c.is_nullable,
               format_type(a.atttypid, a.atttypmod) AS type
        FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        JOIN pg_attribute a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass
                            AND a.attname = c.column_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        """
    )
    for row in rows:
        if row["table_name"] in BOOKKEEPING:
            continue
        schema.columns.setdefault(row["table_name"], {})[row["column_name"]] = Column(
            row["type"], row["is_nullable"] == "NO"
        )
    indexes = await conn.fetch(
        """
        SELECT t.relname AS table_name, i.indisunique, i.indisprimary, i.indpred IS NOT NULL AS partial,
               i.indnatts, (SELECT attname FROM pg_attribute WHERE attrelid = t.oid AND attnum = i.indkey[0]) AS first
        FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public'
        """
    )
    for row in indexes:
        if row["table_name"] in BOOKKEEPING or row["first"] is None:
            continue
        schema.indexed.add((row["table_name"], row["first"]))
        if row["indisunique"] and not row["indisprimary"] and not row["partial"] and row["indnatts"] == 1:
            schema.unique.add((row["table_name"], row["first"]))
    keys = await conn.fetch(
        """
        SELECT t.relname AS table_name, a.attname AS column_name, r.relname AS references, k.confdeltype
        FROM pg_constraint k
        JOIN pg_class t ON t.oid = k.conrelid
        JOIN pg_class r ON r.oid = k.confrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.contype = 'f' AND n.nspname = 'public' AND cardinality(k.conkey) = 1
        """
    )
    for row in keys:
        action = row["confdeltype"]
        on_delete = PG_ON_DELETE[action.decode() if isinstance(action, bytes) else action]
        schema.foreign_keys.add((row["table_name"], row["column_name"], row["references"], on_delete))
    return schema


# SQLite -------------------------------------------------------------------------------------------------------------


def sqlite_type(declared: str) -> str:
    """A declared SQLite type, with what SQLite treats alike made alike (VARCHAR(n) and TEXT are both text)."""
    base = declared.strip().upper().split("(")[0].strip()
    return "TEXT" if base in {"VARCHAR", "CHARACTER VARYING", "CHAR"} else base


def expected_sqlite(tables: list[type[Table]]) -> Schema:
    """What the table classes say; the tables must be bound to a SQLite engine."""
    schema = Schema()
    for table in tables:
        assert table._meta.db.engine_type == "sqlite", f"{table.__name__} is not bound to SQLite"
        schema.columns[table._meta.tablename] = {
            c._meta.db_column_name: Column(sqlite_type(c.column_type), not c._meta.null or c._meta.primary_key)
            for c in table._meta.columns
        }
    _expected_keys(tables, schema)
    return schema


def sqlite_schema(path: Path) -> Schema:
    """The schema of the SQLite file at ``path``."""
    schema = Schema()
    conn = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
        for table in names:
            if table in BOOKKEEPING:
                continue
            schema.columns[table] = {
                name: Column(sqlite_type(declared), bool(not_null) or bool(pk))
                for _, name, declared, not_null, _, pk in conn.execute(f'PRAGMA table_info("{table}")')
            }
            for _, index, unique, origin, partial in conn.execute(f'PRAGMA index_list("{table}")'):
                indexed = [row[2] for row in conn.execute(f'PRAGMA index_info("{index}")')]
                if not indexed or indexed[0] is None:
                    continue
                schema.indexed.add((table, indexed[0]))
                if unique and origin != "pk" and not partial and len(indexed) == 1:
                    schema.unique.add((table, indexed[0]))
            for row in conn.execute(f'PRAGMA foreign_key_list("{table}")'):
                _, seq, references, column, _, _, on_delete, _ = row
                if seq == 0:
                    schema.foreign_keys.add((table, column, references, on_delete))
    finally:
        conn.close()
    return schema


# Databases to compare ----------------------------------------------------------------------------------------------

_databases = itertools.count()


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """The URL of a new empty PostgreSQL database of this test process, dropped afterwards."""
    need(reachable(PG_ADMIN_URL, 5432), f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    name = f"market_migrations_{os.getpid()}_{next(_databases)}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield urlunparse(urlparse(PG_ADMIN_URL)._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextlib.contextmanager
def restored_bindings() -> Iterator[None]:
    """Put every table (and Piccolo's configured engine) back on the engine it had: migrating rebinds them."""
    tables = [*db.all_tables(), Migration]
    before = [(table, table._meta.db) for table in tables]
    conf = Finder().get_piccolo_conf_module()
    conf_engine = conf.DB if conf is not None else None
    try:
        yield
    finally:
        for table, engine in before:
            table._meta.db = engine
        if conf is not None:
            conf.DB = conf_engine


async def migrate(settings: Settings) -> None:
    """Run today's migrations on the settings' database (tables stay bound to it: use ``restored_bindings``)."""
    engine = db.build_engine(settings)
    await db.migrate(engine)


async def drift(settings: Settings) -> list[str]:
    """How the settings' database differs from the table classes (the tables must be bound to its engine)."""
    if settings.is_postgres:
        conn = await asyncpg.connect(settings.database_url)
        try:
            return differences(await expected_postgres(conn, db.all_tables()), await postgres_schema(conn))
        finally:
            await conn.close()
    return differences(expected_sqlite(db.all_tables()), sqlite_schema(settings.sqlite_path))


_CAST = re.compile(r"::(?:character varying|double precision|timestamp with(?:out)? time zone|[a-z_]+)(?:\[\])?")


def _comparable(definition: str) -> str:
    """A definition without casts, brackets and spaces: PostgreSQL prints the same expression differently once it
    went through pg_dump (``ARRAY['a'::character varying]::text[]`` or ``ARRAY[('a'::character varying)::text]``),
    and a column turned TEXT keeps its old default's cast."""
    return re.sub(r"[()\s]", "", _CAST.sub("", definition))


async def postgres_details(conn: asyncpg.Connection) -> dict[str, set[str]]:
    """What the classes cannot say: every index (multi-column and partial ones too), every constraint and every
    column default, as PostgreSQL prints them (made comparable). Two databases migrated to the same point say the
    same."""
    indexes = await conn.fetch("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")
    constraints = await conn.fetch(
        """
        SELECT t.relname || ': ' || k.conname || ' ' || pg_get_constraintdef(k.oid) AS line
        FROM pg_constraint k
        JOIN pg_class t ON t.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public'
        """
    )
    defaults = await conn.fetch(
        "SELECT table_name || '.' || column_name || ' DEFAULT ' || column_default AS line "
        "FROM information_schema.columns WHERE table_schema = 'public' AND column_default IS NOT NULL"
    )
    return {
        "indexes": {_comparable(row["indexdef"]) for row in indexes},
        "constraints": {_comparable(row["line"]) for row in constraints},
        "defaults": {_comparable(row["line"]) for row in defaults},
    }
