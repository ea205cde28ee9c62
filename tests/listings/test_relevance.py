"""Relevance over the real records: every query of ``relevance_queries.yaml`` (Chinese, substrings of longer Chinese
words, mixed scripts, English, English with typos) returns its patents in the first 10 hits of the public search,
on the embedded engine, with the listings imported, published and indexed as the product does it
(``relevance_corpus``). Runs on SQLite and PostgreSQL; skipped, with the reason, where ../shared/data is absent
(never under CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from listings.search import service as search
from listings.search.schemas import SearchParams
from tests.conftest import Backend
from tests.listings import relevance_corpus
from tests.listings.search_support import using_index
from tests.support.services import need

QUERIES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "relevance_queries.yaml").read_text("utf-8"))
TOP = 10


def test_the_set_covers_every_kind_of_query() -> None:
    assert len(QUERIES) >= 30
    kinds = {q["kind"] for q in QUERIES}
    assert kinds == {
        "chinese",
        "substring",
        "mixed",
        "english",
        "typo",  # the first set
        "operator",
        "number",
        "precision",  # the query language
        "traditional",
        "pinyin",
        "synonym",  # Chinese as people type it
    }
    assert all(q["expect"] and isinstance(q["query"], str) for q in QUERIES)


async def test_every_query_finds_its_patents_in_the_top_ten(backend: Backend, tmp_path: Path) -> None:
    need(relevance_corpus.available(), f"the real records are not in {relevance_corpus.DATA_DIR}")
    async for _ in using_index(backend.settings, tmp_path / "index"):
        published = await relevance_corpus.build(tmp_path / "files")
        report = await search.reindex()
        assert report.indexed == published > 7000
        failures = []
        for case in QUERIES:
            result = await search.search(params=SearchParams(q=case["query"], per_page=TOP))
            found = [hit.patent_number for hit in result.hits]
            missing = [number for number in case["expect"] if number not in found]
            if missing:
                failures.append(f"{case['kind']:<9} {case['query']!r}: missing {missing}; top {TOP}: {found}")
        assert not failures, "\n".join(failures)
