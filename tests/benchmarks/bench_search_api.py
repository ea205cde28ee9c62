"""Search API benchmark: 100,000 published listings, the app served by `market serve` in a subprocess, the queries
sent over HTTP from a separate client process. Prints p50 and p95 of the API's response time beside the engine's
own query time (``took_ms`` of the same responses) for the same queries.

    cd /work/main && .venv/bin/python -m tests.benchmarks.bench_search_api [--listings 100000] [--queries 300]

The listings are the real records of ../shared/data (every one, then varied copies under other demo universities),
written straight into a fresh SQLite database as published declarations (far faster than declaring them one by
one), then indexed by the real document builder (``listings.search.service.reindex``, as `market reindex` does).
Queries: the mix of ``bench_search_engine`` (Chinese substrings, English words, English with typos, mixed scripts,
filtered, browsing), with its filters turned into this index's codes. The API time includes reading each page of
hits back from the database (current terms, university names) and the price badge of every hit. Not a pytest test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.benchmarks.bench_search_engine import percentile, query_mix
from tests.integrations.search import realdata

UNIVERSITIES = [
    "清华大学（基准）",
    "浙江大学（基准）",
    "上海交通大学（基准）",
    "华中科技大学（基准）",
    "中山大学（基准）",
]
REGIONS = ["110000", "330000", "310000", "420000", "440000"]
CONCURRENT_ROUNDS = 3  # the concurrent clients send the query mix this many times in all
IPC_CYCLE = ["G06N 3/08", "H04L 9/00", "A61K 39/215", "C02F 1/44", "H01M 10/0525", "G01N 21/00", "B60R 16/00"]


def api_params(kind: str, query: Any) -> list[tuple[str, str]]:
    """A query of the engine benchmark as the search API's parameters (its field names become WIPO field codes)."""
    from listings.search.labels import field_names

    codes = {en: f"f{n}" for n, (_, en) in field_names().items()}
    params: list[tuple[str, str]] = [("q", query.text)] if query.text else []
    for facet, values in query.filters.items():
        for value in values:
            params.append((facet, codes.get(value, value) if facet == "tech_fields" else value))
    remaining = query.ranges.get("remaining_years")
    if remaining is not None and remaining.gte is not None:
        params.append(("remaining_min_years", str(remaining.gte)))
    if query.sort != "relevance":
        params.append(("sort", query.sort))
    return params


# ---------------------------------------------------------------------------------------------- the data


async def build(data_dir: Path, listings: int, *, reuse: bool, changes: int) -> None:
    """The database (unless ``reuse``), then the index rebuilt by ``market reindex``'s path (its rate printed), then
    ``changes`` outbox changes drained (the drain's rate printed)."""
    from listings.search import service as search
    from market import db, jobs, runtime
    from market.integrations.search import build_search
    from market.settings import Settings
    from market.worker import load_jobs

    settings = Settings(env="test", data_dir=data_dir)
    engine = db.build_engine(settings)
    await db.start(engine, settings)
    await db.migrate(engine)
    db.use(engine)
    load_jobs()
    jobs.configure(jobs.InProcessQueue())
    if reuse:
        print(f"  database: reused ({data_dir})")
    else:
        await _write_listings(listings)
    index = build_search(settings)
    runtime.install(
        runtime.Runtime(
            settings=settings,
            engine=engine,
            queue=jobs.queue(),
            search=index,
            payments=runtime.PaymentGateways.from_settings(settings),
            mail=runtime.Mailer.from_settings(settings),
        )
    )
    await index.ensure()
    await index.clear()
    started = time.perf_counter()
    report = await search.reindex(
        batch=2000, on_progress=lambda done, total: print(f"\r  index: {done:>7}/{total}", end="", flush=True)
    )
    seconds = time.perf_counter() - started
    print(
        f"\n  reindex: {report.indexed} listings in {seconds:.1f} s, {report.indexed / seconds:,.0f} listings/s"
        " (market reindex's path: read from the database, build the documents, write the index)"
    )
    queue = jobs.queue()
    if isinstance(queue, jobs.InProcessQueue):
        await queue.drain()
    if changes:
        await _measure_drain(changes)
    await index.close()
    await db.stop(engine)


async def _measure_drain(changes: int) -> None:
    """``changes`` declarations changed (an outbox row each, as ``listing_changed`` writes in the change's own
    transaction), then the drain carries them into the index: how fast indexing keeps up with writes."""
    from listings.search import repository
    from listings.search import service as search
    from market import jobs

    ids = await repository.published_after(0, changes)
    async with jobs.unit_of_work():
        for declaration_id in ids:
            await repository.add_outbox(declaration_id)
    started = time.perf_counter()
    report = await search.drain()
    seconds = time.perf_counter() - started
    print(
        f"  drain: {report.processed} outbox changes in {seconds:.2f} s, {report.processed / seconds:,.0f} docs/s"
        f" (upserted {report.upserted}, batches of {search.DRAIN_BATCH})"
    )


async def _write_listings(listings: int) -> None:
    from listings.declarations.tables import Declaration, DeclarationVersion
    from listings.demo import ipc_from_title
    from listings.patents.tables import Patent
    from market import jobs
    from market.accounts import passwords
    from market.accounts import repository as accounts_repo
    from market.orgs import repository as orgs_repo

    orgs = []
    async with jobs.unit_of_work():
        for n, (name, region) in enumerate(zip(UNIVERSITIES, REGIONS, strict=True)):
            user = await accounts_repo.create_user(
                email=f"bench{n}@bench.cn", password_hash=passwords.hash_password("x" * 12), display_name=name,
                locale="zh",
            )  # fmt: skip
            org = await orgs_repo.create_org(
                name=name, kind="university", region=region, name_key=name, status="approved"
            )
            await orgs_repo.add_membership(user_id=user, org_id=org, role="owner")
            orgs.append(org)
    records = [*realdata.chinese_records(), *realdata.english_records()]
    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    started = time.perf_counter()
    written = 0
    while written < listings:
        batch: list[Any] = []
        for _ in range(min(1000, listings - written)):
            rec = records[written % len(records)]
            copy = written // len(records)
            title_zh, title_en = rec.get("title_zh", ""), rec.get("title_en", "")
            ipc = ipc_from_title(title_zh) or [IPC_CYCLE[written % len(IPC_CYCLE)]]
            published = realdata._date(rec.get("date", ""))
            batch.append(
                Patent(
                    organisation=orgs[copy % len(orgs)],
                    number=rec["number"] + (f"-{copy}" if copy >= len(orgs) else ""),
                    number_type="publication", jurisdiction=rec["number"][:2], kind=realdata._kind(rec["number"]),
                    title_zh=title_zh, title_en=title_en,
                    abstract=rec.get("abstract_zh") or rec.get("abstract_en") or "", claims=rec.get("claims", ""),
                    ipc_codes=ipc, patentees=[UNIVERSITIES[copy % len(orgs)]], inventors=[],
                    filing_date=published - timedelta(days=400), publication_date=published,
                    grant_date=published, expiry_date=today + timedelta(days=365 * (1 + written % 19)),
                    legal_status="granted", source="benchmark",
                )
            )  # fmt: skip
            written += 1
        async with jobs.unit_of_work():
            patents = await Patent.insert(*batch).returning(Patent.id, Patent.organisation)
            declarations = await Declaration.insert(
                *[Declaration(organisation=p["organisation"], patent=p["id"], status="published", published_at=now)
                  for p in patents]
            ).returning(Declaration.id)  # fmt: skip
            versions = []
            for n, d in enumerate(declarations):
                mode = ("lump_sum", "running_royalty", "entry_plus_royalty")[n % 3]
                price = 500_000 + (d["id"] * 7919) % 200_000_000
                versions.append(
                    DeclarationVersion(
                        declaration=d["id"], version=1, payment_mode=mode, currency="CNY", published_at=now,
                        lump_sum_minor=price if mode == "lump_sum" else None,
                        entry_fee_minor=price if mode == "entry_plus_royalty" else None,
                        royalty_rate_bp=None if mode == "lump_sum" else 50 + d["id"] % 900,
                    )
                )  # fmt: skip
            await DeclarationVersion.insert(*versions)
        print(f"\r  database: {written:>7} listings ({written / (time.perf_counter() - started):,.0f}/s)", end="")
    print()


# ---------------------------------------------------------------------------------------------- the client


def client(url: str, queries_file: Path, out_file: Path, warmup: int, concurrency: int) -> None:
    """The separate client process: every query over HTTP, timed around the whole request. ``concurrency`` 1: each
    query once, in order; N: N clients at once (asyncio), so N requests are always in flight (the throughput is what
    the server sustains under that load)."""
    cases = json.loads(queries_file.read_text("utf-8"))
    if concurrency <= 1:
        results = []
        with httpx.Client(base_url=url, timeout=60) as http:
            for case in cases[:warmup]:
                http.get("/api/search", params=case["params"]).raise_for_status()
            started = time.perf_counter()
            for case in cases:
                sent = time.perf_counter()
                results.append(_timed(http.get("/api/search", params=case["params"]), case, started=sent))
            wall = time.perf_counter() - started
    else:
        results, wall = asyncio.run(_concurrent(url, cases, concurrency))
    out_file.write_text(json.dumps({"results": results, "wall_s": wall}), "utf-8")


def _timed(response: httpx.Response, case: dict[str, Any], *, started: float) -> dict[str, Any]:
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    body = response.json()
    return {"kind": case["kind"], "api_ms": elapsed, "took_ms": body["took_ms"], "total": body["total"]}


async def _concurrent(url: str, cases: list[dict[str, Any]], concurrency: int) -> tuple[list[dict[str, Any]], float]:
    """``concurrency`` clients, each sending the next query of the mix as soon as its previous answer came, until
    the mix has been sent ``CONCURRENT_ROUNDS`` times in all."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    todo = iter(cases * CONCURRENT_ROUNDS)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await asyncio.gather(*[http.get("/api/search", params=c["params"]) for c in cases[:concurrency]])

        async def one_client() -> list[dict[str, Any]]:
            out = []
            for case in todo:
                sent = time.perf_counter()
                response = await http.get("/api/search", params=case["params"])
                out.append(_timed(response, case, started=sent))
            return out

        started = time.perf_counter()
        per_client = await asyncio.gather(*[one_client() for _ in range(concurrency)])
        wall = time.perf_counter() - started
    return [r for rows in per_client for r in rows], wall


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_and_measure(
    data_dir: Path, queries: list[dict[str, Any]], *, concurrency: list[int], warmup: int
) -> dict[int, dict[str, Any]]:
    """The app as ``market serve`` runs it (its default server settings), measured by a client process per
    concurrency level."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET_")}
    env.update({"MARKET_DATA_DIR": str(data_dir), "MARKET_ENV": "production", "MARKET_LOG_LEVEL": "WARNING",
                "MARKET_SECRET_KEY": secrets.token_urlsafe(32)})  # fmt: skip
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "market", "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    out: dict[int, dict[str, Any]] = {}
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("the server did not start:\n" + (data_dir / "server.log").read_text())
            time.sleep(0.3)
        queries_file = data_dir / "queries.json"
        queries_file.write_text(json.dumps(queries, ensure_ascii=False), "utf-8")
        for level in concurrency:
            out_file = data_dir / f"results-{level}.json"
            subprocess.run(
                [sys.executable, "-m", "tests.benchmarks.bench_search_api", "--client", url, "--in", str(queries_file),
                 "--out", str(out_file), "--concurrency", str(level), "--warmup", str(warmup)],
                check=True, env={**os.environ},
            )  # fmt: skip
            out[level] = json.loads(out_file.read_text("utf-8"))
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def report(level: int, measured: dict[str, Any]) -> None:
    results, wall = measured["results"], measured["wall_s"]
    title = "single requests (one client, one at a time)" if level == 1 else f"{level} concurrent clients"
    print(f"\n  {title}: {len(results)} requests in {wall:.1f} s, throughput {len(results) / wall:,.0f} requests/s")
    print(
        f"  {'queries':<10} {'n':>5} {'hits avg':>9}   {'API p50':>8} {'API p95':>8}   "
        f"{'engine p50':>10} {'engine p95':>10}   {'p95 ratio':>9}"
    )
    kinds = sorted({r["kind"] for r in results})
    for kind in [*kinds, "all"]:
        rows = [r for r in results if kind in ("all", r["kind"])]
        api = [r["api_ms"] for r in rows]
        took = [r["took_ms"] for r in rows]
        hits = statistics.mean(r["total"] for r in rows)
        ratio = percentile(api, 95) / max(percentile(took, 95), 0.001)
        print(
            f"  {kind:<10} {len(rows):>5} {hits:>9.0f}   {percentile(api, 50):>6.1f}ms {percentile(api, 95):>6.1f}ms"
            f"   {percentile(took, 50):>8.2f}ms {percentile(took, 95):>8.2f}ms   {ratio:>8.1f}x"
        )
    api = [r["api_ms"] for r in results]
    took = [r["took_ms"] for r in results]
    print(
        f"  => {title}: API p50 {percentile(api, 50):.1f} ms, p95 {percentile(api, 95):.1f} ms; engine p50 "
        f"{percentile(took, 50):.2f} ms, p95 {percentile(took, 95):.2f} ms; ratio p50 "
        f"{percentile(api, 50) / max(percentile(took, 50), 0.001):.1f}x, p95 "
        f"{percentile(api, 95) / max(percentile(took, 95), 0.001):.1f}x; throughput {len(results) / wall:,.0f}/s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32], help="client levels to measure")
    parser.add_argument("--changes", type=int, default=5000, help="outbox changes drained (the drain's rate)")
    parser.add_argument(
        "--data-dir", type=Path, help="keep the database and index here; an existing one is reused (not rebuilt)"
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--in", dest="queries_file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        client(args.client, args.queries_file, args.out, args.warmup, args.concurrency[0])
        return
    if not realdata.available():
        sys.exit(f"the real records are not at {realdata.DATA_DIR}")
    with tempfile.TemporaryDirectory(prefix="bench-search-api-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        marker = data_dir / "bench-listings.txt"
        reuse = marker.exists() and marker.read_text().strip() == str(args.listings)
        print(f"search API benchmark: {args.listings} listings, {args.queries} queries (embedded engine, SQLite)")
        asyncio.run(build(data_dir, args.listings, reuse=reuse, changes=args.changes))
        marker.write_text(str(args.listings))
        queries = [{"kind": kind, "params": api_params(kind, q)} for kind, q in query_mix(args.queries)]
        measured = serve_and_measure(data_dir, queries, concurrency=args.concurrency, warmup=args.warmup)
        for level, result in measured.items():
            report(level, result)
        print("\n  API: the whole HTTP request from the client process (search, the page's hits with their current")
        print("  terms and price badges, JSON). engine: took_ms, the engine's own time for the same query.")


if __name__ == "__main__":
    main()
