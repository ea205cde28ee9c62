"""The data layer's lifecycle: engine from settings, binding tables, the pool, transactions, migrations.

Piccolo finds its engine through ``piccolo_conf.DB``; this module builds that engine from ``Settings`` so the app,
the worker, the CLI and the tests all agree. ``bind()`` points every registered table at one engine, which is how
the test suite runs the same tests on SQLite and on PostgreSQL in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import os
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from market.settings import Settings


def build_engine(settings: Settings) -> Engine:  # type: ignore[type-arg]
    if settings.is_postgres:
        url = urlparse(settings.database_url)
        config: dict[str, Any] = {
            "host": url.hostname or "127.0.0.1",
            "port": url.port or 5432,
            "user": unquote(url.username or "postgres"),
            "database": (url.path or "/postgres").lstrip("/"),
        }
        if url.password:
            config["password"] = unquote(url.password)
        return PostgresEngine(config=config, log_queries=False)
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    # A busy timeout lets concurrent writers wait instead of failing with "database is locked".
    return SQLiteEngine(path=str(path), timeout=30)


def all_tables() -> list[type[Table]]:
    """Every table of every registered Piccolo app (the registry lives in ``piccolo_conf``)."""
    return list(Finder().get_table_classes())


def bind(engine: Engine, tables: Iterable[type[Table]] | None = None) -> None:  # type: ignore[type-arg]
    """Point the tables (and Piccolo's migration bookkeeping) at ``engine``."""
    chosen: list[type[Table]] = [*(tables if tables is not None else all_tables()), Migration]
    for table in chosen:
        table._meta.db = engine
    conf = Finder().get_piccolo_conf_module()
    if conf is not None:
        conf.DB = engine


async def start(engine: Engine, settings: Settings) -> None:  # type: ignore[type-arg]
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=settings.db_pool_min, max_size=settings.db_pool_max)


async def stop(engine: Engine) -> None:  # type: ignore[type-arg]
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


# The PostgreSQL advisory lock ``migrate`` holds: one number for this application ("market" in ASCII).
MIGRATION_LOCK_KEY = 0x6D61726B6574


@contextlib.asynccontextmanager
async def migration_lock(engine: Engine) -> AsyncIterator[None]:  # type: ignore[type-arg]
    """Hold the database's migration lock: a second ``market migrate`` waits here until the first is done.

    PostgreSQL: a session-level advisory lock on a connection of its own, held while the migrations run on others.
    SQLite: an exclusive ``flock`` on a file beside the database (one machine is all SQLite serves)."""
    if isinstance(engine, PostgresEngine):
        conn = await engine.get_new_connection()
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        finally:
            await conn.close()
    elif isinstance(engine, SQLiteEngine):
        lock = await asyncio.to_thread(os.open, f"{engine.path}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
            yield
        finally:
            os.close(lock)  # and with it the lock
    else:
        yield


async def migrate(engine: Engine, *, quiet: bool = True) -> None:  # type: ignore[type-arg]
    """Run every checked-in migration not yet applied to ``engine``'s database, under the migration lock.

    Run it once per deployment (``market migrate``, the compose file's one-shot ``migrate`` service), not in every
    app replica at start; two at once are safe: the second waits for the first, then finds nothing to do."""
    bind(engine)
    out = io.StringIO()
    async with migration_lock(engine):
        with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
            result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{out.getvalue()}")


def engine_of(table: type[Table]) -> Engine:  # type: ignore[type-arg]
    return table._meta.db


@contextlib.asynccontextmanager
async def transaction(engine: Engine) -> AsyncIterator[None]:  # type: ignore[type-arg]
    """One database transaction; joins the enclosing one if there is one."""
    async with engine.transaction():
        yield


async def ping(engine: Engine) -> None:  # type: ignore[type-arg]
    await engine.run_ddl("SELECT 1")


_current: Engine | None = None  # type: ignore[type-arg]


def use(engine: Engine) -> None:  # type: ignore[type-arg]
    """Make ``engine`` the one every table and every unit of work uses."""
    global _current
    bind(engine)
    _current = engine


def current_engine() -> Engine:  # type: ignore[type-arg]
    if _current is None:
        raise RuntimeError("no database engine in use (market.db.use)")
    return _current
