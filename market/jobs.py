"""Jobs: one registry, two ways to run, sent only after the transaction that queued them commits.

- ``@job("domain.action")`` registers an async function taking keyword ids (never objects).
- ``enqueue()`` inside ``unit_of_work()`` holds the job until the transaction commits; a rollback drops it.
- With ``MARKET_REDIS_URL`` set, jobs go to arq (``market worker`` runs them); without it the same functions run
  as tasks in the app's own process, with the same retry rules.
- A job raising ``TemporaryFailure`` is retried with exponential backoff up to ``job_max_tries``; anything else
  fails at once. Jobs must be safe to run twice (arq runs a job again if a worker dies mid-way).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import structlog
from arq import create_pool
from arq.connections import RedisSettings
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from market.db import current_engine
from market.errors import TemporaryFailure

log = structlog.get_logger("market.jobs")

JobFunc = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc
    max_tries: int | None = None  # None: the setting
    transactional: bool = True  # False: the job opens its own units of work (long jobs that show progress)


REGISTRY: dict[str, JobSpec] = {}


@dataclass(frozen=True)
class Daily:
    """A job run once a day at ``hour:minute`` UTC (every hour at ``minute`` when ``hour`` is None): by arq's cron
    with Redis, by a loop in the app without."""

    name: str
    hour: int | None
    minute: int = 0


SCHEDULE: list[Daily] = []


def daily(name: str, *, hour: int, minute: int = 0) -> None:
    if all(d.name != name for d in SCHEDULE):
        SCHEDULE.append(Daily(name, hour, minute))


def hourly(name: str, *, minute: int = 0) -> None:
    """Run ``name`` every hour at ``minute``."""
    if all(d.name != name for d in SCHEDULE):
        SCHEDULE.append(Daily(name, None, minute))


def next_run(entry: Daily, now: datetime) -> datetime:
    """When a scheduled job runs next after ``now``."""
    if entry.hour is None:
        at = now.replace(minute=entry.minute, second=0, microsecond=0)
        return at if at > now else at + timedelta(hours=1)
    at = now.replace(hour=entry.hour, minute=entry.minute, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


async def run_schedule_in_process() -> None:
    """Without Redis: queue each scheduled job at its time (its id holds the date, or the hour for an hourly job, so
    it runs once a day or once an hour)."""
    while True:
        now = datetime.now(UTC)
        upcoming = [(next_run(entry, now), entry) for entry in SCHEDULE]
        if not upcoming:
            return
        at, entry = min(upcoming, key=lambda item: item[0])
        await asyncio.sleep((at - now).total_seconds())
        stamp = at.date().isoformat() if entry.hour is not None else at.strftime("%Y-%m-%dT%H")
        await enqueue(entry.name, job_id=f"{entry.name}:{stamp}")


def job(name: str, *, max_tries: int | None = None, transactional: bool = True) -> Callable[[JobFunc], JobFunc]:
    if "." not in name:
        raise ValueError("job names are '<domain>.<action>'")

    def register(func: JobFunc) -> JobFunc:
        if name in REGISTRY and REGISTRY[name].func is not func:
            raise ValueError(f"job {name!r} registered twice")
        REGISTRY[name] = JobSpec(name=name, func=func, max_tries=max_tries, transactional=transactional)
        return func

    return register


def backoff_seconds(tries_done: int, base: float) -> float:
    """Delay before the next try: base, 2*base, 4*base ... capped at five minutes."""
    return float(min(base * (2 ** max(tries_done - 1, 0)), 300.0))


def default_job_id(name: str, kwargs: dict[str, Any]) -> str:
    """The same job with the same ids gets the same id, so queueing it twice runs it once."""
    return f"{name}:{json.dumps(kwargs, sort_keys=True, default=str, separators=(',', ':'))}"


# ---------------------------------------------------------------------------------------------- queue port


class JobQueue(Protocol):
    backend: str

    async def send(self, name: str, job_id: str, kwargs: dict[str, Any]) -> None: ...

    async def health(self) -> dict[str, Any]: ...

    async def close(self) -> None: ...


@dataclass
class InProcessQueue:
    """Runs jobs as tasks of the current event loop: the embedded default, and a fallback for one machine."""

    max_tries: int = 5
    backoff_base: float = 2.0
    backend: str = "in-process"
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, name: str, job_id: str, kwargs: dict[str, Any]) -> None:
        running = self._tasks.get(job_id)
        if running is not None and not running.done():
            return  # same id already queued: run once, as arq does
        self._tasks[job_id] = asyncio.get_running_loop().create_task(self._run(name, job_id, kwargs))

    async def _run(self, name: str, job_id: str, kwargs: dict[str, Any]) -> None:
        spec = REGISTRY[name]
        max_tries = spec.max_tries or self.max_tries
        for attempt in range(1, max_tries + 1):
            try:
                await run_job(spec, kwargs, job_id=job_id, attempt=attempt)
                return
            except TemporaryFailure as exc:
                if attempt == max_tries:
                    log.error("job.gave_up", job=name, job_id=job_id, tries=attempt, error=str(exc))
                    self.failures.append((job_id, str(exc)))
                    return
                delay = backoff_seconds(attempt, self.backoff_base)
                log.warning("job.retry", job=name, job_id=job_id, attempt=attempt, delay=delay, error=str(exc))
                await asyncio.sleep(delay)
            except Exception as exc:
                log.exception("job.failed", job=name, job_id=job_id)
                self.failures.append((job_id, repr(exc)))
                return

    async def drain(self, within: float = 30.0) -> None:
        """Wait until every queued job (and any job those queue) has finished."""
        async with asyncio.timeout(within):
            while pending := [t for t in self._tasks.values() if not t.done()]:
                await asyncio.gather(*pending, return_exceptions=True)

    async def health(self) -> dict[str, Any]:
        running = sum(1 for t in self._tasks.values() if not t.done())
        return {"status": "ok", "backend": self.backend, "running": running}

    async def close(self) -> None:
        for t in self._tasks.values():
            t.cancel()
        self._tasks.clear()


class ArqQueue:
    backend = "arq"

    def __init__(self, redis_url: str, queue_name: str = "arq:queue") -> None:
        self.redis_url = redis_url
        self.queue_name = queue_name
        self._pool: Any = None

    async def _get_pool(self) -> Any:
        if self._pool is None:
            self._pool = await create_pool(RedisSettings.from_dsn(self.redis_url), default_queue_name=self.queue_name)
        return self._pool

    async def send(self, name: str, job_id: str, kwargs: dict[str, Any]) -> None:
        pool = await self._get_pool()
        job = await pool.enqueue_job(name, _job_id=job_id, **kwargs)
        if job is None:
            log.info("job.already_queued", job=name, job_id=job_id)  # arq keeps one job per id

    async def health(self) -> dict[str, Any]:
        try:
            pool = await self._get_pool()
            await pool.ping()
            queued = await pool.zcard(self.queue_name)
        except Exception as exc:
            return {"status": "down", "backend": self.backend, "error": type(exc).__name__}
        return {"status": "ok", "backend": self.backend, "queued": int(queued)}

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None


# ----------------------------------------------------------------------------------------- unit of work

_queue: JobQueue | None = None
_pending: ContextVar[list[tuple[str, str, dict[str, Any]]] | None] = ContextVar("market_pending_jobs", default=None)


def configure(queue: JobQueue | None) -> None:
    global _queue
    _queue = queue


def queue() -> JobQueue:
    if _queue is None:
        raise RuntimeError("no job queue configured (market.jobs.configure)")
    return _queue


async def enqueue(name: str, *, job_id: str | None = None, **kwargs: Any) -> str:
    """Queue a job. Inside a unit of work it is sent after the commit (never on rollback); outside, at once."""
    if name not in REGISTRY:
        raise KeyError(f"unknown job {name!r}")
    jid = job_id or default_job_id(name, kwargs)
    pending = _pending.get()
    if pending is None:
        await queue().send(name, jid, kwargs)
    else:
        pending.append((name, jid, kwargs))
    return jid


@contextlib.asynccontextmanager
async def unit_of_work() -> AsyncIterator[None]:
    """One transaction; jobs queued inside it are sent once it has committed. Nested calls join the outer one."""
    if _pending.get() is not None:
        yield
        return
    engine = current_engine()
    jobs: list[tuple[str, str, dict[str, Any]]] = []
    token = _pending.set(jobs)
    try:
        if isinstance(engine, SQLiteEngine):
            # IMMEDIATE takes the write lock up front: no lost-upgrade deadlock between two writers.
            tx = engine.transaction(transaction_type=TransactionType.immediate)
        else:
            tx = engine.transaction()
        async with tx:
            yield
    finally:
        _pending.reset(token)
    for name, jid, kwargs in jobs:
        await queue().send(name, jid, kwargs)


async def run_job(spec: JobSpec, kwargs: dict[str, Any], *, job_id: str, attempt: int) -> Any:
    """Run one try of a job in its own unit of work (what the job writes and queues commits together), unless the
    job manages its own."""
    with structlog.contextvars.bound_contextvars(job=spec.name, job_id=job_id, attempt=attempt):
        if not spec.transactional:
            return await spec.func(**kwargs)
        async with unit_of_work():
            return await spec.func(**kwargs)
