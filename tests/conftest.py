"""Fixtures: the same tests on SQLite and PostgreSQL, an app per test, and small factories."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import asyncpg
import httpx
import pytest
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from market import db, jobs
from market.app import create_app
from market.runtime import open_runtime
from market.settings import Settings
from market.worker import load_jobs
from tests.support.services import PG_ADMIN_URL, need, reachable

# One database per test process, so two runs on one machine (or a run beside a developer's) never collide.
TEST_DB_NAME = f"market_test_{os.getpid()}"
BACKENDS = ["sqlite", "postgres"]

load_jobs()


def postgres_url() -> str:
    parsed = urlparse(PG_ADMIN_URL)
    return urlunparse(parsed._replace(path=f"/{TEST_DB_NAME}"))


async def _recreate_postgres_database() -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{TEST_DB_NAME}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{TEST_DB_NAME}"')
    finally:
        await conn.close()


@dataclass
class Backend:
    name: str
    settings: Settings
    engine: Engine  # type: ignore[type-arg]


_backends: dict[str, Backend] = {}


async def _backend(name: str, tmp_root: Path) -> Backend:
    if name in _backends:
        return _backends[name]
    data_dir = tmp_root / name
    if name == "postgres":
        need(reachable(PG_ADMIN_URL, 5432), f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
        await _recreate_postgres_database()
        settings = Settings(env="test", data_dir=data_dir, database_url=postgres_url(), db_pool_max=5)
    else:
        settings = Settings(env="test", data_dir=data_dir)
    engine = db.build_engine(settings)
    await db.start(engine, settings)
    with contextlib.redirect_stdout(io.StringIO()):
        await db.migrate(engine)
    backend = Backend(name=name, settings=settings, engine=engine)
    _backends[name] = backend
    return backend


async def truncate_all(engine: Engine) -> None:  # type: ignore[type-arg]
    tables = [t._meta.tablename for t in db.all_tables()]
    if isinstance(engine, PostgresEngine):
        await engine.run_ddl(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        for name in tables:
            await engine.run_ddl(f"DELETE FROM {name}")  # noqa: S608 - our own table names


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Page and API tests (those that take the app or a client) run on PostgreSQL only, as production does;
    repository and service tests run on both databases. A test that parametrizes ``backend`` itself keeps its
    choice."""
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        names = set(getattr(item, "fixturenames", ()))
        chosen = any("backend" in str(m.args[0]) for m in item.iter_markers("parametrize") if m.args)
        on_sqlite = callspec is not None and callspec.params.get("backend") == "sqlite"
        (dropped if on_sqlite and {"client", "app"} & names and not chosen else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("market")


@pytest.fixture(scope="session", autouse=True)
async def _close_backends() -> AsyncIterator[None]:
    yield
    for backend in _backends.values():
        await db.stop(backend.engine)
    if "postgres" in _backends:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{TEST_DB_NAME}" WITH (FORCE)')
        finally:
            await conn.close()


# Checks every test's database must pass when the test is done (a conftest below adds its own: the voucher ledgers).
AFTER_EACH_TEST: list[Callable[[], Awaitable[None]]] = []


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_root: Path) -> AsyncIterator[Backend]:
    """A clean database on each backend, in the runtime of the test (its engine bound to every table, an
    in-process job queue, no search index unless the test gives one)."""
    b = await _backend(request.param, tmp_root)
    await truncate_all(b.engine)
    queue = jobs.InProcessQueue(max_tries=3, backoff_base=0.01)
    async with open_runtime(b.settings, queue=queue, engine=b.engine, with_search=False):
        yield b
        await queue.drain()
        for check in AFTER_EACH_TEST:
            await check()


@pytest.fixture
def job_queue(backend: Backend) -> jobs.InProcessQueue:
    q = jobs.queue()
    assert isinstance(q, jobs.InProcessQueue)
    return q


class Client(httpx.AsyncClient):
    """An HTTP client calling the app in the test's own event loop (Litestar's AsyncTestClient runs the app in a
    second thread and loop, which a PostgreSQL pool cannot share). It sends the CSRF cookie back in the header,
    as the pages' forms do."""

    def __init__(self, app: Any) -> None:
        super().__init__(transport=httpx.ASGITransport(app=app), base_url="http://testserver", follow_redirects=True)
        self.app = app

    async def csrf(self) -> str:
        if "csrftoken" not in self.cookies:
            await self.get("/api/auth/csrf")
        return str(self.cookies["csrftoken"])

    async def send_json(self, method: str, url: str, json: Any = None, **kw: Any) -> Any:
        headers = {"x-csrftoken": await self.csrf(), **kw.pop("headers", {})}
        return await self.request(method, url, json=json, headers=headers, **kw)


@contextlib.asynccontextmanager
async def running(app: Any) -> AsyncIterator[None]:
    """The app's lifespan (startup ... shutdown) held by one task of its own: pytest-asyncio may set a fixture
    up and tear it down in different tasks, which anyio's cancel scopes inside the lifespan do not allow."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # startup failed: raise its error
    try:
        yield
    finally:
        stop.set()
        await task


@pytest.fixture
async def app(backend: Backend, tmp_path: Path) -> Any:
    """The app with its own job queue and its own search index (so tests never see each other's listings)."""
    from market.integrations.search import build_search

    queue = jobs.InProcessQueue(max_tries=3, backoff_base=0.01)
    return create_app(backend.settings, queue=queue, search=build_search(backend.settings, path=tmp_path / "index"))


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Client]:
    async with running(app), Client(app) as c:
        yield c
        await app.state.job_queue.drain()


# --------------------------------------------------------------------------------------------- factories

PASSWORD = "correct horse battery"


@dataclass
class Account:
    user_id: int
    org_id: int
    email: str
    org_name: str
    kind: str


_counter = iter(range(1, 10_000_000))


async def make_account(
    kind: str = "university",
    *,
    email: str | None = None,
    role: str = "owner",
    org_name: str | None = None,
    approved: bool = True,
) -> Account:
    """A user who owns (or belongs to) a new organisation of ``kind``, written straight through the repositories.
    ``approved`` (the default): the e-mail verified, a scan uploaded and the organisation approved through the
    service, as a platform administrator would (``approve``); otherwise it stays pending."""
    from market.accounts import passwords
    from market.accounts import repository as accounts_repo
    from market.orgs import repository as orgs_repo
    from market.orgs import service as orgs_service

    n = next(_counter)
    email = email or f"user{n}-{kind}@example.cn"
    org_name = org_name or f"测试单位{n}-{kind}"
    async with jobs.unit_of_work():
        user_id = await accounts_repo.create_user(
            email=email, password_hash=passwords.hash_password(PASSWORD), display_name=f"用户{n}", locale="zh"
        )
        org_id = await orgs_repo.create_org(
            name=org_name,
            kind=kind,
            region="110000",
            name_key=orgs_service.name_key(org_name),
            credit_code=credit_code(n),
            address=f"北京市海淀区测试路 {n} 号",
            # the platform's own organisation is approved by nature; one whose only member is not an owner cannot
            # pass the service's approval (it needs an owner's verified e-mail), so the factory writes it approved
            status="approved" if kind == "platform_admin" or (approved and role != "owner") else "pending",
        )
        await orgs_repo.add_membership(user_id=user_id, org_id=org_id, role=role)
    account = Account(user_id=user_id, org_id=org_id, email=email, org_name=org_name, kind=kind)
    if approved and kind != "platform_admin" and role == "owner":
        await approve(account)
    return account


def credit_code(n: int, category: str = "91") -> str:
    """A well-formed unified social credit code (GB 32100-2015), different for each ``n``."""
    from market.kit.credit_code import with_check

    return with_check(f"{category}110000MC{n:07d}")


SCAN = b"%PDF-1.4\n% a scan of the business licence\n%%EOF\n"


async def approve(account: Account) -> None:
    """Approve the organisation as a platform administrator would: the owner's e-mail verified, a scan on file,
    then the decision through the service (its conditional update, its decision record and its audit event)."""
    from market.accounts import repository as accounts_repo
    from market.audit.service import Actor
    from market.orgs import repository as orgs_repo
    from market.orgs import service as orgs_service
    from market.orgs.schemas import DecisionAction, DecisionIn

    async with jobs.unit_of_work():
        await accounts_repo.mark_email_verified(user_id=account.user_id, email=account.email, at=datetime.now(UTC))
        if not await orgs_repo.documents_of(account.org_id):
            await orgs_repo.add_document(
                org_id=account.org_id,
                kind="business_licence",
                filename="licence.pdf",
                content_type="application/pdf",
                content=SCAN,
                sha256=hashlib.sha256(SCAN).hexdigest(),
                uploaded_by=account.user_id,
            )
        org = await orgs_repo.get_org(account.org_id)
        assert org is not None
        await orgs_service.apply_decision(
            actor=Actor(None, None),
            org_id=account.org_id,
            data=DecisionIn(action=DecisionAction.approve, reason_code="org.reason.evidence_ok", version=org.version),
            notify=False,  # a factory's organisation: its owners' notifications stay the test's own
        )


async def sign_in(client: Client, account: Account) -> None:
    r = await client.send_json("POST", "/api/auth/sign-in", {"email": account.email, "password": PASSWORD})
    assert r.status_code == 200, r.text
