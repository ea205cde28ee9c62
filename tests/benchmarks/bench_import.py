"""Benchmark: import 100,000 patent rows (a CSV in our layout) and print rows per second.

    python -m tests.benchmarks.bench_import [--rows 100000] [--postgres]

Titles come from the real CNKI records in ../shared/data when present (else generated); numbers are valid Chinese
application numbers with check digits, so every row is checked as an import checks it. Runs on a fresh SQLite
file, and on PostgreSQL too with --postgres (MARKET_TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import tempfile
import time
from pathlib import Path

import asyncpg

from listings.patents.numbers import check_digit
from market import db, jobs
from market.settings import Settings

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "cn_cnki_company_patent_lists.csv"


def titles() -> list[str]:
    if SHARED.exists():
        with SHARED.open(encoding="utf-8") as f:
            return [row["title"] for row in csv.DictReader(f)]
    return [f"一种测试装置及方法 {n}" for n in range(1000)]


def write_csv(path: Path, rows: int) -> None:
    names = titles()
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["number", "title_zh", "patentees", "filing_date", "grant_date", "ipc_codes", "annual_fees_paid_through"]
        )
        for n in range(rows):
            digits = f"2020{1 + n % 2}{n:07d}"
            writer.writerow(
                [
                    f"{digits}.{check_digit(digits)}",
                    names[n % len(names)],
                    "基准大学",
                    "2020-03-15",
                    "2021-06-01",
                    "G06F 16/35;H04L 9/00",
                    "2027-03-14",
                ]
            )


async def run(settings: Settings, path: Path, rows: int) -> None:
    from listings.imports.service import import_file
    from market.accounts import passwords
    from market.accounts import repository as accounts_repo
    from market.orgs import repository as orgs_repo
    from market.worker import load_jobs

    engine = db.build_engine(settings)
    await db.start(engine, settings)
    await db.migrate(engine)
    db.use(engine)
    load_jobs()
    jobs.configure(jobs.InProcessQueue())
    async with jobs.unit_of_work():
        user = await accounts_repo.create_user(
            email=f"bench{time.time_ns()}@x.cn",
            password_hash=passwords.hash_password("x" * 12),
            display_name="bench",
            locale="zh",
        )
        org = await orgs_repo.create_org(
            name="基准大学", kind="university", region="", name_key="基准大学", status="approved"
        )
        await orgs_repo.add_membership(user_id=user, org_id=org, role="owner")
    for label in ("first import (inserts)", "second import (unchanged)"):
        started = time.perf_counter()
        report = await import_file(org_id=org, user_id=user, path=path)
        seconds = time.perf_counter() - started
        print(
            f"  {engine.engine_type:<9} {label:<27} {report.total_rows:>7} rows in {seconds:6.1f} s = "
            f"{report.total_rows / seconds:8.0f} rows/s  (accepted {report.accepted}, rejected {report.rejected})"
        )
    await db.stop(engine)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "patents.csv"
        write_csv(path, args.rows)
        print(f"import benchmark: {args.rows} rows, {path.stat().st_size / 1e6:.1f} MB CSV")
        await run(Settings(env="test", data_dir=Path(tmp) / "sqlite"), path, args.rows)
        if args.postgres:
            admin = os.environ.get("MARKET_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
            conn = await asyncpg.connect(admin)
            await conn.execute('DROP DATABASE IF EXISTS "market_bench" WITH (FORCE)')
            await conn.execute('CREATE DATABASE "market_bench"')
            await conn.close()
            url = admin.rsplit("/", 1)[0] + "/market_bench"
            await run(Settings(env="test", data_dir=Path(tmp) / "pg", database_url=url), path, args.rows)


if __name__ == "__main__":
    asyncio.run(main())
