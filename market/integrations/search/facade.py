"""The async face of the port, and the factory that picks the adapter from settings.

Why a synchronous core: tantivy is a synchronous library answering in about a millisecond, and the official
Meilisearch client is blocking HTTP (``requests``). Rather than block the event loop of the Litestar app or of an
arq worker, ``SearchIndex`` runs every call in a worker thread (``asyncio.to_thread``); scripts, the reindex
command and benchmarks may use the synchronous backend directly (``SearchIndex.backend``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from market.integrations.search.analysis import Synonyms, synonyms_with
from market.integrations.search.embedded import EmbeddedSearch
from market.integrations.search.meili import MeiliSearch
from market.integrations.search.port import (
    FacetValue,
    IndexInfo,
    SearchBackend,
    SearchDocument,
    SearchQuery,
    SearchResult,
    TermFacet,
)
from market.settings import Settings

DEFAULT_INDEX = "listings"


class SearchIndex:
    """Async access to one search index (listings by default). Create one per process (``build_search``)."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend

    @property
    def name(self) -> str:
        return self.backend.name

    async def ensure(self) -> IndexInfo:
        return await asyncio.to_thread(self.backend.ensure)

    async def upsert(self, documents: Iterable[SearchDocument]) -> int:
        docs = list(documents)
        return await asyncio.to_thread(self.backend.upsert, docs)

    async def delete(self, ids: Iterable[str]) -> None:
        await asyncio.to_thread(self.backend.delete, list(ids))

    async def search(self, query: SearchQuery) -> SearchResult:
        return await asyncio.to_thread(self.backend.search, query)

    async def facet_search(
        self, facet: TermFacet, text: str, query: SearchQuery | None = None, *, limit: int = 10
    ) -> list[FacetValue]:
        return await asyncio.to_thread(self.backend.facet_search, facet, text, query, limit=limit)

    async def fetch(self, ids: Sequence[str]) -> list[SearchDocument]:
        return await asyncio.to_thread(self.backend.fetch, list(ids))

    async def all_ids(self) -> set[str]:
        return await asyncio.to_thread(self.backend.all_ids)

    async def count(self) -> int:
        return await asyncio.to_thread(self.backend.count)

    async def clear(self) -> None:
        await asyncio.to_thread(self.backend.clear)

    async def health(self) -> dict[str, Any]:
        return await asyncio.to_thread(self.backend.health)

    async def close(self) -> None:
        await asyncio.to_thread(self.backend.close)


def build_backend(
    settings: Settings,
    *,
    index: str = DEFAULT_INDEX,
    path: Path | None = None,
    synonyms: Synonyms | None = None,
) -> SearchBackend:
    """The synchronous adapter chosen by ``settings.search_backend``: the embedded index at
    ``path`` (default ``<data_dir>/search/<index>``) or the Meilisearch index ``index`` at ``meili_url``. Synonyms:
    the curated file merged with ``settings.search_synonyms_file`` unless ``synonyms`` are given."""
    if synonyms is None:
        synonyms = synonyms_with(settings.search_synonyms_file)
    if settings.search_backend == "meilisearch":
        if not settings.meili_url:
            raise ValueError("MARKET_SEARCH_BACKEND=meilisearch needs MARKET_MEILI_URL")
        return MeiliSearch(
            settings.meili_url, settings.meili_key.get_secret_value(), index_uid=index, synonyms=synonyms
        )
    return EmbeddedSearch(path or settings.data_dir / "search" / index, synonyms=synonyms)


def build_search(
    settings: Settings,
    *,
    index: str = DEFAULT_INDEX,
    path: Path | None = None,
    synonyms: Synonyms | None = None,
) -> SearchIndex:
    """The async search index for the app and jobs. Nothing is opened or contacted until the first call; call
    ``await idx.ensure()`` at start-up (it creates the index and applies settings)."""
    return SearchIndex(build_backend(settings, index=index, path=path, synonyms=synonyms))
