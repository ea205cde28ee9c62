"""The search index kept equal to the database through the outbox, on SQLite and PostgreSQL: publish, revise and
withdraw reach the index (through the ``declaration.changed`` event); one dispatch and one drain per transaction and
none on rollback; a stopped worker loses no update (held
jobs, then a restart; and a real arq worker started late); a retried engine failure; `market reindex`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn, WithdrawIn
from listings.search import repository as search_repo
from listings.search import service as search
from listings.search.documents import document_id
from listings.search.tables import IndexedListing, SearchOutbox
from market import jobs
from market.app import create_app
from market.events import service as event_service
from market.events.tables import DomainEvent
from market.integrations.search import SearchIndex, SearchUnavailable, build_search
from market.settings import Settings
from tests.conftest import Backend, Client, make_account, running, sign_in
from tests.listings.search_support import (
    LUMP,
    ROYALTY,
    HeldQueue,
    assert_index_equals_database,
    held,
    publish,
    using_index,
)
from tests.listings.support import eligible, record, university
from tests.support.services import REDIS_URL, need, reachable


@pytest.fixture
async def index(backend: Backend, tmp_path: Path) -> Any:
    async for idx in using_index(backend.settings, tmp_path / "index"):
        yield idx


def isolated(backend: Backend, tmp_path: Path, **changes: Any) -> Settings:
    """The backend's database, with a data directory (and so a search index) of the test's own."""
    url = backend.settings.database_url or f"sqlite:///{backend.settings.sqlite_path}"
    return Settings(**{**backend.settings.model_dump(), "data_dir": tmp_path, "database_url": url, **changes})


async def test_publishing_revising_and_withdrawing_reach_the_index(
    backend: Backend, index: SearchIndex, job_queue: jobs.InProcessQueue
) -> None:
    _, uni = await university()
    a = await publish(uni, "CN108982325B")
    b = await publish(
        uni, "CN109637352B", title_zh="一种锂离子电池正极材料及其制备方法", ipc_codes=["H01M 4/131"], terms=ROYALTY
    )
    draft = await publish(uni, "CN108859303B", title_zh="一种隔热金属材料", publish=False)
    await job_queue.drain()
    docs = await assert_index_equals_database(index)
    assert set(docs) == {document_id(a), document_id(b)}  # a draft is not a listing
    assert docs[document_id(a)].price_minor == 3_000_000 and docs[document_id(a)].price_band == "10k_100k"
    assert docs[document_id(a)].tech_fields == ["f10"]  # G01N: Measurement
    assert docs[document_id(b)].price_band == "royalty_only" and docs[document_id(b)].price_minor == 0
    assert docs[document_id(b)].royalty_rate_bp == 300

    async with jobs.unit_of_work():
        await declarations.revise(
            principal=uni, declaration_id=a, terms=TermsIn(payment_mode="lump_sum", lump_sum_minor=90_000_000)
        )
        await declarations.withdraw(principal=uni, declaration_id=b, data=WithdrawIn(reason="转让"))
        await declarations.publish(principal=uni, declaration_id=draft)
    await job_queue.drain()
    docs = await assert_index_equals_database(index)
    assert set(docs) == {document_id(a), document_id(draft)}
    assert docs[document_id(a)].price_minor == 90_000_000 and docs[document_id(a)].price_band == "500k_1m"
    assert await search_repo.pending_count() == 0
    assert await SearchOutbox.count() == 6  # every change left its row, all processed


async def test_one_drain_per_transaction_and_none_after_a_rollback(backend: Backend) -> None:
    queue = HeldQueue()
    jobs.configure(queue)
    _, uni = await university()
    ids = [await record(uni, eligible(n)) for n in ("CN108982325B", "CN109637352B", "CN108859303B")]
    async with jobs.unit_of_work():
        report = await declarations.declare(principal=uni, data=DeclareIn(patent_ids=ids, terms=LUMP))
    assert report.published == 3
    # three changes, one transaction: three declaration.changed events and one dispatch of them
    [dispatch] = held(queue, event_service.DISPATCH_JOB)
    assert await DomainEvent.count().where(DomainEvent.name == "declaration.changed") == 3

    other = await record(uni, eligible("CN110000001B"))
    with pytest.raises(RuntimeError):
        async with jobs.unit_of_work():
            await declarations.declare(principal=uni, data=DeclareIn(patent_ids=[other], terms=LUMP))
            raise RuntimeError("rolled back")
    assert held(queue, event_service.DISPATCH_JOB) == [dispatch]  # nothing sent for the rolled-back change
    assert await DomainEvent.count().where(DomainEvent.name == "declaration.changed") == 3  # and none written
    assert await DomainEvent.count().where(DomainEvent.name == "declaration.filing_due") == 3

    await jobs.REGISTRY[dispatch[0]].func(**dispatch[2])  # the dispatch runs: its handler writes the outbox
    assert len(held(queue, search.SYNC_JOB)) == 1  # three changes, one drain
    assert await SearchOutbox.count() == 3


async def test_a_stopped_worker_loses_no_update(backend: Backend, tmp_path: Path) -> None:
    """The changes commit while no job runs (the queue holds them: the worker is stopped). A restarted app drains
    what is pending; the held jobs, run late, in reverse and twice, change nothing."""
    settings = isolated(backend, tmp_path)
    stopped = HeldQueue()
    app = create_app(settings, queue=stopped)
    account = await make_account("university", org_name="浙江大学")
    async with running(app), Client(app) as client:
        await sign_in(client, account)
        _, uni = account, await university_principal(account)
        patent_ids = [await record(uni, eligible(n)) for n in ("CN108982325B", "CN109637352B", "CN108859303B")]
        body = {"patent_ids": patent_ids, "terms": LUMP.model_dump(mode="json")}
        r = await client.send_json("POST", "/api/declarations", body)
        assert r.status_code == 200 and r.json()["published"] == 3, r.text
        a, b, c = (x["declaration_id"] for x in r.json()["results"])
        terms = {"payment_mode": "entry_plus_royalty", "entry_fee_minor": 2_000_000, "royalty_rate_bp": 250}
        r = await client.send_json("POST", f"/api/declarations/{a}/versions", terms)
        assert r.status_code == 200, r.text
        r = await client.send_json("POST", f"/api/declarations/{b}/withdraw", {"reason": "专利权转让"})
        assert r.status_code == 200, r.text
        assert len(held(stopped, event_service.DISPATCH_JOB)) == 3  # one per committed transaction, none run
        assert await app.state.search.count() == 0  # nothing indexed yet
        pending = (DomainEvent.status == "pending") & (DomainEvent.name == "declaration.changed")
        assert await DomainEvent.count().where(pending) == 5

    restarted = create_app(settings, queue=jobs.InProcessQueue(max_tries=3, backoff_base=0.01))
    async with running(restarted):
        await restarted.state.job_queue.drain()
        index = restarted.state.search
        docs = await assert_index_equals_database(index)
        assert set(docs) == {document_id(a), document_id(c)}
        assert (
            docs[document_id(a)].payment_mode == "entry_plus_royalty" and docs[document_id(a)].price_minor == 2_000_000
        )
        assert await search_repo.pending_count() == 0
        for name, _, kwargs in [*reversed(stopped.sent), *stopped.sent]:
            if name in (event_service.DISPATCH_JOB, search.SYNC_JOB):
                await jobs.REGISTRY[name].func(**kwargs)
        await assert_index_equals_database(index)


async def university_principal(account: Any) -> Any:
    from market.accounts import service as accounts

    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    return principal


@pytest.mark.redis
async def test_an_arq_worker_started_after_the_commits_brings_the_index_level(backend: Backend, tmp_path: Path) -> None:
    need(reachable(REDIS_URL, 6379), f"Redis is not reachable at {REDIS_URL}")
    from tests.market.test_jobs import run_worker_until_idle

    settings = isolated(
        backend,
        tmp_path,
        redis_url=REDIS_URL,
        job_queue_name=f"market-test:{uuid.uuid4().hex}",
        job_backoff_seconds=0.05,
    )
    app = create_app(settings)  # jobs go to Redis; no worker runs yet
    account = await make_account("university", org_name="浙江大学")
    async with running(app), Client(app) as client:
        await sign_in(client, account)
        uni = await university_principal(account)
        patent_ids = [await record(uni, eligible(n)) for n in ("CN108982325B", "CN109637352B")]
        r = await client.send_json(
            "POST", "/api/declarations", {"patent_ids": patent_ids, "terms": LUMP.model_dump(mode="json")}
        )
        a, b = (x["declaration_id"] for x in r.json()["results"])
        r = await client.send_json("POST", f"/api/declarations/{b}/withdraw", {"reason": ""})
        assert r.status_code == 200, r.text
        assert await app.state.search.count() == 0
        assert (await app.state.job_queue.health())["queued"] >= 2

    await run_worker_until_idle(settings, backend)
    index = build_search(settings)
    docs = await assert_index_equals_database(index)
    assert set(docs) == {document_id(a)}
    assert await search_repo.pending_count() == 0


class FlakyIndex(SearchIndex):
    """The engine refuses the first ``failures`` writes, as a locked or unreachable one does."""

    def __init__(self, inner: SearchIndex, failures: int) -> None:
        super().__init__(inner.backend)
        self.failures = failures
        self.refused = 0

    async def upsert(self, documents: Any) -> int:
        if self.refused < self.failures:
            self.refused += 1
            raise SearchUnavailable("the engine is busy")
        return await super().upsert(documents)


async def test_an_unavailable_engine_is_retried_and_the_rows_wait(
    backend: Backend, index: SearchIndex, job_queue: jobs.InProcessQueue
) -> None:
    flaky = FlakyIndex(index, failures=2)
    search.use_index(flaky)
    _, uni = await university()
    a = await publish(uni, "CN108982325B")
    await job_queue.drain()
    assert flaky.refused == 2 and not job_queue.failures  # retried with backoff, then written
    assert set(await assert_index_equals_database(flaky)) == {document_id(a)}

    flaky.failures, flaky.refused = 1, 0
    job_queue.max_tries = 1  # a job that gives up at once leaves its rows pending
    b = await publish(uni, "CN109637352B")
    await job_queue.drain()
    assert await search_repo.pending_count() == 1 and await flaky.all_ids() == {document_id(a)}
    await search.drain()  # the next drain (another job, a restart) carries it over
    assert set(await assert_index_equals_database(flaky)) == {document_id(a), document_id(b)}


async def test_reindex_rebuilds_the_index_and_deletes_what_the_database_lacks(
    backend: Backend, index: SearchIndex, job_queue: jobs.InProcessQueue
) -> None:
    _, uni = await university()
    a = await publish(uni, "CN108982325B")
    b = await publish(uni, "CN109637352B")
    await job_queue.drain()
    stale = (await index.fetch([document_id(a)]))[0].model_copy(update={"id": "listing-999999"})
    await index.upsert([stale])
    await index.delete([document_id(b)])
    report = await search.reindex(batch=1)
    assert (report.indexed, report.deleted) == (2, 1)
    await assert_index_equals_database(index)


async def test_a_rebuild_records_listings_without_alerting_them(backend: Backend, index: SearchIndex) -> None:
    queue = HeldQueue()
    jobs.configure(queue)  # no job runs by itself: the rebuild meets the listings first

    async def handle_and_drain() -> None:
        """The held event dispatches run (their handler writes the outbox), then a drain."""
        for name, _, kwargs in held(queue, event_service.DISPATCH_JOB):
            await jobs.REGISTRY[name].func(**kwargs)
        await search.drain()

    _, uni = await university()
    a = await publish(uni, "CN108982325B")
    await handle_and_drain()  # this one is drained: new, to be alerted
    b = await publish(uni, "CN109637352B")  # pending (its event not handled yet): left to the drain
    await index.clear()
    await IndexedListing.delete(force=True)
    await search_repo.record_indexed([a])
    await search.reindex()
    rows = {r["declaration"]: r["alerted_at"] for r in await IndexedListing.select()}
    assert a in rows and rows[a] is None  # recorded by the drain, still to alert
    assert b not in rows  # its change is pending: the drain will record and alert it
    await handle_and_drain()
    assert await search.unalerted_listings(10) == [a, b]


async def test_market_reindex_command(backend: Backend, tmp_path: Path, index: SearchIndex, job_queue: Any) -> None:
    _, uni = await university()
    a = await publish(uni, "CN108982325B")
    await job_queue.drain()
    settings = isolated(backend, tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET_")}
    env.update(
        {"MARKET_DATA_DIR": str(settings.data_dir), "MARKET_DATABASE_URL": settings.database_url, "MARKET_ENV": "test"}
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "market", "reindex"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "search index rebuilt: 1 listings indexed" in done.stdout
    rebuilt = build_search(settings)
    assert await rebuilt.all_ids() == {document_id(a)}
    await assert_index_equals_database(rebuilt)
