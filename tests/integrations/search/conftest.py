"""Fixtures of the search behavioural suite: each engine (embedded always; Meilisearch where MARKET_MEILI_URL
answers), handcrafted documents, and a reference implementation of filters and facet counts in plain Python
against which both engines are checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from market.integrations.search import SearchDocument
from market.integrations.search.engine import SearchEngine
from tests.integrations.search.engines import ENGINES, drop_engine, make_engine
from tests.integrations.search.reference import handcrafted


@pytest.fixture(scope="module", params=ENGINES)
def module_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    engine = make_engine(request.param, tmp_path_factory.mktemp("search"))
    yield engine
    drop_engine(engine)


@pytest.fixture(scope="module", params=ENGINES)
def real(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, records: list[SearchDocument]
) -> Iterator[SearchEngine]:
    """Each engine holding the real records the test module picks (its own module-scoped ``records`` fixture)."""
    engine = make_engine(request.param, tmp_path_factory.mktemp(request.module.__name__.rsplit("_", 1)[-1]))
    engine.upsert(records)
    yield engine
    drop_engine(engine)


@pytest.fixture
def engine(module_engine: SearchEngine) -> SearchEngine:
    """An empty index of each engine."""
    module_engine.clear()
    return module_engine


@pytest.fixture
def docs() -> list[SearchDocument]:
    return handcrafted()


@pytest.fixture
def loaded(engine: SearchEngine, docs: list[SearchDocument]) -> SearchEngine:
    engine.upsert(docs)
    return engine
