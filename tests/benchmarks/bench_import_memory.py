"""Benchmark: the peak memory of importing a large file (1,000,000 rows by default), and its rows per second.

    python -m tests.benchmarks.bench_import_memory [--rows 1000000] [--tracemalloc] [--postgres]

The file is a CSV in our layout written by ``bench_import`` (valid numbers with check digits, every row checked as
an import checks it), imported on a fresh SQLite file (or PostgreSQL with --postgres) as the import job does.

Printed:
- **RSS high-water** of the whole process (``VmHWM`` in ``/proc/self/status``, which starts afresh with the
  process image; ``ru_maxrss`` would carry over a larger parent's high-water across ``exec``): the acceptance figure,
  which must stay under 150 MB for 1,000,000 rows. It includes the interpreter and the modules the import needs
  (about 65 MB before the first row); the process loads nothing else, so the figure is the import's own. A worker
  process loads every job module besides (``market.worker.load_jobs``: about 120 MB before any job runs), which
  the import neither adds to nor depends on;
- the RSS before the import and the highest RSS sampled after each batch, so the growth during the import shows;
- with --tracemalloc, Python's own allocations during the import (``tracemalloc`` peak; slower, so rows/s is then
  not comparable).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

import asyncpg

from market import db, jobs
from market.settings import Settings
from tests.benchmarks.bench_import import write_csv

LIMIT_MB = 150
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 1e6


def high_water_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6  # in kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # no /proc: ru_maxrss (KiB on Linux)


async def run(settings: Settings, path: Path, trace: bool) -> bool:
    from listings.imports.service import import_file
    from market.accounts import repository as accounts_repo
    from market.orgs import repository as orgs_repo

    engine = db.build_engine(settings)
    await db.start(engine, settings)
    await db.migrate(engine)
    db.use(engine)
    # Only the import's own modules are loaded: the figure is the import's, not that of every module a worker
    # loads besides (``market.worker.load_jobs`` alone takes the RSS to about 120 MB before any job runs).
    jobs.configure(jobs.InProcessQueue())
    async with jobs.unit_of_work():
        user = await accounts_repo.create_user(
            email=f"bench{time.time_ns()}@x.cn",
            password_hash="bench: no password",  # hashing one (scrypt/argon2) alone takes 64 MB for a moment
            display_name="bench",
            locale="zh",
        )
        org = await orgs_repo.create_org(
            name="基准大学", kind="university", region="", name_key="基准大学", status="approved"
        )
        await orgs_repo.add_membership(user_id=user, org_id=org, role="owner")
    before = rss_mb()
    sampled = [before]

    def progress(done: int, total: int) -> None:
        sampled.append(rss_mb())

    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    report = await import_file(org_id=org, user_id=user, path=path, on_progress=progress)
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] / 1e6 if trace else None
    if trace:
        tracemalloc.stop()
    high_water = high_water_mb()
    rate = report.total_rows / seconds
    print(f"  {engine.engine_type:<9} {report.total_rows} rows in {seconds:6.1f} s = {rate:6.0f} rows/s "
          f"(accepted {report.accepted}, rejected {report.rejected})")  # fmt: skip
    print(f"  RSS before the import {before:6.1f} MB, highest after a batch {max(sampled):6.1f} MB "
          f"(growth {max(sampled) - before:+.1f} MB)")  # fmt: skip
    if traced_peak is not None:
        print(f"  tracemalloc peak during the import {traced_peak:6.1f} MB (Python allocations only)")
    ok = high_water < LIMIT_MB
    verdict = "PASS" if ok else "FAIL"
    print(f"  RSS high-water of the process {high_water:6.1f} MB  [acceptance: < {LIMIT_MB} MB: {verdict}]")
    await db.stop(engine)
    return ok


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python's allocations (slower)")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "patents.csv"
        write_csv(path, args.rows)
        print(f"import memory benchmark: {args.rows} rows, {path.stat().st_size / 1e6:.1f} MB CSV")
        if args.postgres:
            admin = os.environ.get("MARKET_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
            conn = await asyncpg.connect(admin)
            await conn.execute('DROP DATABASE IF EXISTS "market_bench_memory" WITH (FORCE)')
            await conn.execute('CREATE DATABASE "market_bench_memory"')
            await conn.close()
            url = admin.rsplit("/", 1)[0] + "/market_bench_memory"
            settings = Settings(env="test", data_dir=Path(tmp) / "pg", database_url=url)
        else:
            settings = Settings(env="test", data_dir=Path(tmp) / "sqlite")
        ok = await run(settings, path, args.tracemalloc)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
