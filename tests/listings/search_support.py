"""Helpers of the search, needs and relevance tests: listings published through the services, an index per test,
the index compared with the database, and a job queue that holds its jobs (a worker that is not running)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.search import repository as search_repo
from listings.search import service as search
from market import jobs
from market.accounts.principal import Principal
from market.integrations.search import SearchDocument, SearchIndex, build_search
from market.settings import Settings
from tests.listings.support import eligible, record

LUMP = TermsIn(payment_mode="lump_sum", lump_sum_minor=3_000_000)
ROYALTY = TermsIn(payment_mode="running_royalty", royalty_rate_bp=300)


@dataclass
class HeldQueue:
    """Takes jobs and runs none of them: the worker is stopped. ``sent`` keeps what it was given, in order."""

    backend: str = "held"
    sent: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    async def send(self, name: str, job_id: str, kwargs: dict[str, Any]) -> None:
        self.sent.append((name, job_id, kwargs))

    async def health(self) -> dict[str, Any]:
        return {"status": "ok", "backend": self.backend, "queued": len(self.sent)}

    async def close(self) -> None:
        return None


def make_index(settings: Settings, path: Path) -> SearchIndex:
    return build_search(settings, path=path)


async def using_index(settings: Settings, path: Path) -> AsyncIterator[SearchIndex]:
    index = make_index(settings, path)
    await index.ensure()
    search.use_index(index)
    try:
        yield index
    finally:
        search.use_index(None)
        await index.close()


async def publish(
    principal: Principal, number: str, *, terms: TermsIn = LUMP, publish: bool = True, **patent: Any
) -> int:
    """A patent recorded for ``principal``'s university and declared (published by default): the declaration id."""
    patent_id = await record(principal, eligible(number, **patent))
    async with jobs.unit_of_work():
        report = await declarations.declare(
            principal=principal, data=DeclareIn(patent_ids=[patent_id], terms=terms, publish=publish)
        )
    [result] = report.results
    assert result.declaration_id, result
    return result.declaration_id


async def expected_documents() -> dict[str, SearchDocument]:
    """The documents the database says the index must hold: every published declaration, built as it stands."""
    ids: list[int] = []
    after = 0
    while batch := await search_repo.published_after(after, 1000):
        ids += batch
        after = batch[-1]
    return {doc.id: doc for doc in (await search.documents_for(ids)).values()}


async def assert_index_equals_database(index: SearchIndex) -> dict[str, SearchDocument]:
    expected = await expected_documents()
    assert await index.all_ids() == set(expected), "the index holds other listings than the database publishes"
    stored = {d.id: d.model_dump(mode="json") for d in await index.fetch(sorted(expected))}
    assert stored == {k: v.model_dump(mode="json") for k, v in expected.items()}, "an indexed document is stale"
    return expected


def held(queue: HeldQueue, name: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [s for s in queue.sent if s[0] == name]


def skip_without(condition: bool, reason: str) -> None:
    if not condition:
        pytest.skip(reason)
