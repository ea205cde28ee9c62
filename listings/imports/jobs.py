"""The import job: a queued upload imported in batches, each its own transaction (so progress shows); and the
daily sweep that marks failed the runs whose worker died while they ran."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from listings.imports import repository, service
from listings.imports.readers import Limits
from market import runtime
from market.errors import MarketError
from market.jobs import daily, job


@job("listings.import_file", transactional=False)
async def import_file(*, run_id: int) -> None:
    run = await repository.get(run_id)
    if run is None or run.status == "done":
        return  # gone, or already imported: running twice changes nothing
    try:
        await service.import_file(
            org_id=run.organisation,
            user_id=run.user_id,
            path=Path(run.stored_path),
            filename=run.filename,
            run_id=run_id,
            limits=Limits.of(runtime.current().settings),
        )
    except MarketError:
        return  # the file as a whole is refused: the run says why (failed, with the code), not a retry
    # any other error: the run is marked failed (import.crashed) and the error goes on to the job's log


@job("listings.sweep_stale_imports", transactional=False)
async def sweep_stale_imports() -> None:
    await service.sweep_stale(stale_after=timedelta(seconds=runtime.current().settings.import_stale_after_seconds))


daily("listings.sweep_stale_imports", hour=3, minute=40)
