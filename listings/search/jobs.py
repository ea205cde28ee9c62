"""Search jobs. Each is safe to run twice: they read the database as it is now and write the index idempotently."""

from __future__ import annotations

from listings.search import service
from market.events import on
from market.jobs import daily, job


@job(service.SYNC_JOB, transactional=False)
async def sync_search() -> None:
    """Drain the pending outbox rows into the index (each batch its own transaction, under the drain lock)."""
    await service.drain()


@on("declaration.changed")
async def declaration_changed(*, declaration_id: int) -> None:
    """A declaration was published, revised or withdrawn: its outbox row, and a drain after this commit."""
    await service.listing_changed(declaration_id)


@job(service.REINDEX_JOB, transactional=False)
async def reindex_search() -> None:
    """Rebuild the index from the database (queued when a process finds the index created empty)."""
    await service.reindex()


# Each night the index is rebuilt: the years of protection left (a filter and a sort) move on with the calendar, and
# anything a lost job or a restore left behind is put right.
daily(service.REINDEX_JOB, hour=19, minute=30)  # 03:30 in China (UTC+8)
