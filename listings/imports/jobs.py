"""The import job: a queued upload imported in batches, each its own transaction (so progress shows)."""

from __future__ import annotations

from pathlib import Path

from listings.imports import repository, service
from market.errors import MarketError
from market.jobs import job


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
        )
    except MarketError as exc:  # the file as a whole is unreadable: a report, not a retry
        await service.fail(run_id, exc.detail)
