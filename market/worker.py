"""The second (and last) assembly point: which job modules exist, and arq's WorkerSettings.

``market worker`` runs an arq worker built from ``worker_settings()`` against ``MARKET_REDIS_URL``. The app imports
``load_jobs`` so that, without Redis, it can run the very same functions in its own process.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Any

from arq.connections import RedisSettings
from arq.cron import cron
from arq.worker import Function, Retry, func

from listings.search import service as search_sync
from market import jobs
from market.errors import TemporaryFailure
from market.events import service as event_service
from market.logging import configure_logging
from market.runtime import open_runtime
from market.settings import Settings

JOB_MODULES = (
    "market.events.service",
    "market.notifications.jobs",
    "market.webhooks.jobs",
    "market.mailings",
    "listings.imports.jobs",
    "listings.search.jobs",
    "listings.needs.jobs",
    "listings.declarations.jobs",
    "finance.contracts.jobs",
    "finance.payments.jobs",
    "finance.royalties.jobs",
    "finance.ledger.jobs",
    "finance.desk.jobs",
    "finance.exports.jobs",
    "finance.letters.jobs",
    "finance.jobs",
    "finance.registrations.jobs",
    "finance.servicing.jobs",
    "finance.pledges.jobs",
    "finance.subsidies.jobs",
    "finance.insurance_claims.jobs",
    "finance.policies.jobs",
    "finance.insurance.jobs",
    "finance.qualifications.jobs",
    "finance.voucher_redemptions.jobs",
    "finance.voucher_settlements.jobs",
    "finance.voucher_programmes.jobs",
    "finance.voucher_providers.jobs",
    "finance.voucher_entitlements.jobs",
)


def load_jobs() -> dict[str, jobs.JobSpec]:
    for module in JOB_MODULES:
        importlib.import_module(module)
    return jobs.REGISTRY


def arq_function(spec: jobs.JobSpec, settings: Settings) -> Function:
    async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
        try:
            return await jobs.run_job(spec, kwargs, job_id=ctx["job_id"], attempt=ctx["job_try"])
        except TemporaryFailure as exc:
            raise Retry(defer=jobs.backoff_seconds(ctx["job_try"], settings.job_backoff_seconds)) from exc

    run.__qualname__ = run.__name__ = spec.name.replace(".", "_")
    return func(run, name=spec.name, max_tries=spec.max_tries or settings.job_max_tries)


def worker_settings(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``arq.worker.Worker`` ."""

    async def startup(ctx: dict[str, Any]) -> None:
        configure_logging(level=settings.log_level, json=settings.log_json)
        stack = ctx["runtime_stack"] = contextlib.AsyncExitStack()
        runtime = await stack.enter_async_context(open_runtime(settings))
        ctx["runtime"] = runtime
        await search_sync.start(runtime.search)
        await event_service.start()  # events whose dispatch was lost are handled now

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "runtime_stack" in ctx:
            await ctx["runtime_stack"].aclose()

    functions = {spec.name: arq_function(spec, settings) for spec in load_jobs().values()}
    return {
        "functions": list(functions.values()),
        "cron_jobs": [
            cron(functions[d.name].coroutine, name=f"cron:{d.name}", hour=d.hour, minute=d.minute, run_at_startup=False)
            for d in jobs.SCHEDULE
        ],
        "redis_settings": RedisSettings.from_dsn(settings.redis_url or "redis://127.0.0.1:6379/0"),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "queue_name": settings.job_queue_name,
        "max_tries": settings.job_max_tries,
        # No results kept: a job id then dedupes only while the job is queued or running, as in-process. arq would
        # otherwise refuse the same id for an hour after it ran, silently dropping a legitimate second run.
        "keep_result": 0,
        "handle_signals": True,
    }
