"""Jobs: sent only after the commit, never after a rollback; ids; retries with backoff; a real arq worker."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from market import db, jobs
from market.errors import TemporaryFailure
from market.notifications.tables import Notification
from market.settings import Settings
from tests.conftest import Backend, make_account
from tests.support.services import REDIS_URL, need, reachable

TRIES: Counter[str] = Counter()


@jobs.job("tests.flaky")
async def flaky(*, key: str, fail_times: int) -> None:
    """Fails temporarily ``fail_times`` times, then writes a notification."""
    TRIES[key] += 1
    if TRIES[key] <= fail_times:
        raise TemporaryFailure(f"try {TRIES[key]} of {key} failed")
    from market.i18n import Msg
    from market.notifications.service import notify

    user_id = int(key.split(":")[0])
    await notify(user_id=user_id, kind="test", message=Msg("notification.legacy", {"title": key}), dedupe_key=key)


@jobs.job("tests.broken")
async def broken(*, key: str) -> None:
    TRIES[key] += 1
    raise ValueError("a bug, not a temporary failure")


async def welcome_count(user_id: int) -> int:
    return int(await Notification.count().where((Notification.user == user_id) & (Notification.kind == "welcome")))


async def test_a_job_queued_in_a_transaction_is_sent_after_the_commit(backend, job_queue) -> None:
    account = await make_account()
    async with jobs.unit_of_work():
        await jobs.enqueue("notifications.welcome", user_id=account.user_id)
        assert job_queue._tasks == {}  # held back while the transaction is open
    assert len(job_queue._tasks) == 1
    await job_queue.drain()
    assert await welcome_count(account.user_id) == 1


async def test_a_rolled_back_transaction_sends_no_job_and_writes_nothing(backend, job_queue) -> None:
    account = await make_account()
    with pytest.raises(RuntimeError, match="boom"):
        async with jobs.unit_of_work():
            await Notification.insert(Notification(user=account.user_id, kind="x", title="x", dedupe_key="rb"))
            await jobs.enqueue("notifications.welcome", user_id=account.user_id)
            raise RuntimeError("boom")
    await job_queue.drain()
    assert job_queue._tasks == {}
    assert await Notification.count() == 0


async def test_the_same_job_with_the_same_ids_runs_once(backend, job_queue) -> None:
    account = await make_account()
    first = await jobs.enqueue("notifications.welcome", user_id=account.user_id)
    second = await jobs.enqueue("notifications.welcome", user_id=account.user_id)
    assert first == second == f'notifications.welcome:{{"user_id":{account.user_id}}}'
    await job_queue.drain()
    # and running it again later (as arq does after a crash) notifies once: the job is safe to run twice
    await jobs.enqueue("notifications.welcome", user_id=account.user_id)
    await job_queue.drain()
    assert await welcome_count(account.user_id) == 1


async def test_temporary_failures_are_retried_with_backoff(backend, job_queue) -> None:
    account = await make_account()
    key = f"{account.user_id}:{uuid.uuid4().hex}"
    await jobs.enqueue("tests.flaky", key=key, fail_times=2)
    await job_queue.drain()
    assert TRIES[key] == 3
    assert await Notification.count().where(Notification.dedupe_key == key) == 1


async def test_a_job_gives_up_after_max_tries_and_a_bug_is_not_retried(backend, job_queue) -> None:
    account = await make_account()
    key = f"{account.user_id}:{uuid.uuid4().hex}"
    await jobs.enqueue("tests.flaky", key=key, fail_times=99)
    await jobs.enqueue("tests.broken", key=key + "b")
    await job_queue.drain()
    assert TRIES[key] == job_queue.max_tries
    assert TRIES[key + "b"] == 1
    assert {job_id.split(":")[0] for job_id, _ in job_queue.failures} == {"tests.flaky", "tests.broken"}


def test_backoff_doubles_and_is_capped() -> None:
    assert [jobs.backoff_seconds(n, 2.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert jobs.backoff_seconds(30, 2.0) == 300.0


def test_job_names_are_domain_dot_action() -> None:
    with pytest.raises(ValueError, match="domain"):
        jobs.job("nodot")


@pytest.fixture
async def arq_settings(backend: Backend) -> Settings:
    need(reachable(REDIS_URL, 6379), f"Redis is not reachable at {REDIS_URL}")
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(REDIS_URL)
    await client.flushdb()  # the test database (MARKET_TEST_REDIS_URL): job keys of an earlier, aborted run
    await client.aclose()
    queue_name = f"market-test:{uuid.uuid4().hex}"
    return Settings(
        **{
            **backend.settings.model_dump(),
            "redis_url": REDIS_URL,
            "job_queue_name": queue_name,
            "job_backoff_seconds": 0.05,
            "job_max_tries": 4,
        }
    )


async def run_worker_until_idle(settings: Settings, backend: Backend) -> None:
    """A real arq worker (the one `market worker` runs), in burst mode: it stops when the queue is empty."""
    from arq.worker import Worker

    from market.worker import worker_settings

    worker = Worker(**{**worker_settings(settings), "burst": True, "poll_delay": 0.05, "handle_signals": False})
    try:
        await worker.main()
    finally:
        await worker.close()
        db.use(backend.engine)  # the worker bound the tables to its own engine


@pytest.mark.redis
async def test_a_real_arq_worker_runs_jobs_after_commit_and_retries(backend: Backend, arq_settings: Settings) -> None:
    queue = jobs.ArqQueue(arq_settings.redis_url, arq_settings.job_queue_name)
    jobs.configure(queue)
    try:
        account = await make_account()
        redis = await queue._get_pool()
        with pytest.raises(RuntimeError):
            async with jobs.unit_of_work():
                await jobs.enqueue("notifications.welcome", user_id=account.user_id)
                raise RuntimeError("rolled back")
        assert await redis.zcard(arq_settings.job_queue_name) == 0  # never sent

        key = f"{account.user_id}:{uuid.uuid4().hex}"
        async with jobs.unit_of_work():
            await jobs.enqueue("notifications.welcome", user_id=account.user_id)
            await jobs.enqueue("notifications.welcome", user_id=account.user_id)  # same id: one job
            await jobs.enqueue("tests.flaky", key=key, fail_times=2)
            assert await redis.zcard(arq_settings.job_queue_name) == 0  # not before the commit
        assert await redis.zcard(arq_settings.job_queue_name) == 2

        health = await queue.health()
        assert health == {"status": "ok", "backend": "arq", "queued": 2}

        await run_worker_until_idle(arq_settings, backend)
        assert await welcome_count(account.user_id) == 1
        assert TRIES[key] == 3  # retried by arq with a deferred Retry
        assert await Notification.count().where(Notification.dedupe_key == key) == 1
    finally:
        await queue.close()
