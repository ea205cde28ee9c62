"""Search engine benchmark: index 100,000 listings built from the real records in ../shared/data (every record,
then varied copies), run a mix of 200 queries, print the indexing rate and the engine's query times.

    cd /work/main && .venv/bin/python -m tests.benchmarks.bench_search_engine [--docs 100000] [--queries 200]
        [--backend embedded|meilisearch] [--path DIR]

The engine time is ``SearchResult.took_ms`` (what the engine spent, summed over the requests one search makes:
the page of hits, one count per selected facet, suggestion counts); the call time adds the Python around it
(query parsing, highlighting, building the result). Not a pytest test.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from market.integrations.search import SearchDocument, SearchQuery
from market.integrations.search.embedded import EmbeddedSearch
from market.integrations.search.engine import SearchEngine
from market.integrations.search.meili import MeiliSearch
from tests.integrations.search import realdata

FACETS = ["kind", "tech_fields", "region", "payment_mode", "price_band"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _typo(word: str) -> str:
    return word[:2] + word[3] + word[2] + word[4:] if len(word) > 4 else word


def query_mix(n: int, seed: int = 7) -> list[tuple[str, SearchQuery]]:
    """``n`` queries in six kinds: Chinese substrings, English words, English with two typos, mixed scripts,
    any of those with filters and facets, and browsing (no text) with facets and a sort."""
    rng = random.Random(seed)
    chinese = [r["title_zh"] for r in realdata.chinese_records() if len(r["title_zh"]) >= 4]
    latin_in_chinese = [t for t in chinese if re.search(r"[A-Za-z]{2,}", t)]
    english = [r["title_en"] for r in realdata.english_records() if r["title_en"]]

    def han_substring() -> str:
        title = rng.choice(chinese)
        runs = [r for r in re.findall(r"[\u4e00-\u9fff]+", title) if len(r) >= 2]
        run = rng.choice(runs) if runs else title[:2]
        size = rng.choice([2, 2, 3, 4])
        start = rng.randrange(max(1, len(run) - size + 1))
        return run[start : start + size]

    def english_words(k: int) -> list[str]:
        words = [w for w in re.findall(r"[A-Za-z]{5,}", rng.choice(english))]
        return rng.sample(words, min(k, len(words))) if words else ["network"]

    def mixed() -> str:
        title = rng.choice(latin_in_chinese)
        latin = rng.choice(re.findall(r"[A-Za-z]{2,}", title))
        runs = [r for r in re.findall(r"[\u4e00-\u9fff]+", title) if len(r) >= 2] or ["装置"]
        return f"{latin} {rng.choice(runs)[:2]}"

    def filters() -> dict[str, object]:
        chosen: dict[str, object] = {}
        if rng.random() < 0.6:
            chosen["kind"] = rng.sample(["invention", "utility_model", "design"], rng.choice([1, 2]))
        if rng.random() < 0.5:
            chosen["region"] = rng.sample(realdata.REGIONS, rng.choice([1, 2, 3]))
        if rng.random() < 0.4:
            chosen["tech_fields"] = rng.sample(realdata.TECH_FIELDS, 1)
        return chosen

    out: list[tuple[str, SearchQuery]] = []
    kinds = ["chinese", "english", "typos", "mixed", "filtered", "browse"]
    weights = [0.3, 0.2, 0.15, 0.1, 0.2, 0.05]
    for _ in range(n):
        kind = rng.choices(kinds, weights)[0]
        if kind == "chinese":
            q = SearchQuery(text=han_substring())
        elif kind == "english":
            q = SearchQuery(text=" ".join(english_words(rng.choice([1, 2, 3]))))
        elif kind == "typos":
            q = SearchQuery(text=" ".join(_typo(w.lower()) for w in english_words(2)))
        elif kind == "mixed":
            q = SearchQuery(text=mixed())
        elif kind == "filtered":
            text = rng.choice([han_substring(), " ".join(english_words(1)), mixed()])
            ranges = {"remaining_years": {"gte": rng.choice([3, 5, 10])}} if rng.random() < 0.4 else {}
            q = SearchQuery.model_validate(
                {"text": text, "filters": filters(), "ranges": ranges, "facets": FACETS,
                 "sort": rng.choice(["relevance", "relevance", "price_asc", "remaining_years_desc"])}
            )  # fmt: skip
        else:
            q = SearchQuery.model_validate(
                {"filters": filters(), "facets": FACETS, "sort": rng.choice(["price_asc", "publication_date_desc"])}
            )
        out.append((kind, q))
    return out


def build_engine(backend: str, path: Path) -> SearchEngine:
    if backend == "meilisearch":
        url = os.environ.get("MARKET_MEILI_URL", "")
        if not url:
            sys.exit("--backend meilisearch needs MARKET_MEILI_URL (and MARKET_MEILI_KEY)")
        return MeiliSearch(url, os.environ.get("MARKET_MEILI_KEY", ""), index_uid="bench_listings")
    return EmbeddedSearch(path)


def counted(docs: Iterator[SearchDocument], sink: list[int]) -> Iterator[SearchDocument]:
    for doc in docs:
        sink[0] += 1
        yield doc


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backend", choices=["embedded", "meilisearch"], default="embedded")
    parser.add_argument("--path", type=Path, default=None, help="embedded index directory (default: a temp dir)")
    args = parser.parse_args(argv)
    if not realdata.available():
        sys.exit(f"the real records are not at {realdata.DATA_DIR}")

    tmp = Path(tempfile.mkdtemp(prefix="bench-search-"))
    path = args.path or tmp / "listings"
    engine = build_engine(args.backend, path)
    try:
        engine.ensure()
        engine.clear()
        print(f"backend: {engine.name}; building {args.docs:,} documents from {realdata.DATA_DIR}")
        docs = list(realdata.corpus(args.docs))
        n = [0]
        started = time.perf_counter()
        engine.upsert(counted(iter(docs), n))
        elapsed = time.perf_counter() - started
        print(f"indexed {n[0]:,} documents in {elapsed:.1f} s: {n[0] / elapsed:,.0f} documents/s")
        if isinstance(engine, EmbeddedSearch):
            size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            print(f"index size on disk: {size / 1e6:.0f} MB ({path})")

        single = []
        for doc in docs[:20]:
            t = time.perf_counter()
            engine.upsert([doc.model_copy(update={"price_minor": doc.price_minor + 1})])
            single.append((time.perf_counter() - t) * 1000)
        print(f"single-document upsert (an outbox job): p50 {percentile(single, 50):.1f} ms, "
              f"p95 {percentile(single, 95):.1f} ms")  # fmt: skip

        mix = query_mix(args.queries)
        for _, q in mix[:20]:  # warm the caches
            engine.search(q)
        by_kind: dict[str, list[tuple[float, float, int]]] = {}
        for kind, q in mix:
            t = time.perf_counter()
            result = engine.search(q)
            call_ms = (time.perf_counter() - t) * 1000
            by_kind.setdefault(kind, []).append((result.took_ms, call_ms, result.total))
        engine_ms = [e for rows in by_kind.values() for e, _, _ in rows]
        call_ms_all = [c for rows in by_kind.values() for _, c, _ in rows]
        print(f"\n{len(mix)} queries on {engine.count():,} documents (after 20 warm-up queries)")
        header = ("kind", "n", "engine p50", "engine p95", "call p50", "call p95", "median hits")
        print("{:<10} {:>4} {:>11} {:>11} {:>10} {:>10} {:>12}".format(*header))
        rows_out = [(kind, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
                    for kind, rows in sorted(by_kind.items())]  # fmt: skip
        rows_out.append(("all", engine_ms, call_ms_all, [r[2] for rows in by_kind.values() for r in rows]))
        for kind, e, c, hits in rows_out:
            cells = [percentile(e, 50), percentile(e, 95), percentile(c, 50), percentile(c, 95)]
            print(
                f"{kind:<10} {len(e):>4} {cells[0]:>9.2f}ms {cells[1]:>9.2f}ms {cells[2]:>8.2f}ms {cells[3]:>8.2f}ms"
                f" {statistics.median(hits):>12,.0f}"
            )
        print(f"\nengine query time: p50 {percentile(engine_ms, 50):.2f} ms, p95 {percentile(engine_ms, 95):.2f} ms")
    finally:
        if isinstance(engine, MeiliSearch):
            for uid in (engine.uid, engine.words_uid):
                engine.client.delete_index(uid)
        engine.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
