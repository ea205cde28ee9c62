"""Bank queue benchmark: one bank with 10,000 pledge applications on the review desk; the served app's desk queue
page (``/desk``) and API (``GET /api/desk/cases``) timed from a client process. Prints p50 and p95 of each against
the target (p95 under 50 ms).

    .venv/bin/python -m tests.benchmarks.bench_bank_queue [--cases 10000] [--requests 200]
        [--database postgresql://postgres@127.0.0.1:5432/postgres]

A fresh PostgreSQL database is made (and dropped) for the run; `market serve` runs as a subprocess on it (production
settings). The cases are written straight into the desk's table in batches (far faster than through the pledge
journey), spread over the pledge machine's states, due dates, assignees and SLA breaches as a working bank's queue
is; the bank's officer signs in through the API and the session reads the queue as the pages do: the first page,
filtered by state, the breached ones, a reference search, and a page deep in the list. ``--database ''`` uses a
SQLite file instead. Not a pytest test (tests/benchmarks/test_benchmarks_run.py runs it at a tiny size).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from finance.desk.tables import DeskCase
from market import db, jobs
from market.accounts import passwords
from market.accounts import repository as accounts_repo
from market.orgs import repository as orgs_repo
from market.runtime import open_runtime
from market.settings import Settings
from market.worker import load_jobs

PASSWORD = "bench-bank-queue-password"
BANK = "基准银行股份有限公司"
TARGET_P95_MS = 50.0
KIND = "pledge_loan"
# The pledge machine's states (finance/pledges/machine.py), weighted as a bank's book might be: most cases open.
STATES = [
    ("submitted", 20), ("in_review", 30), ("more_info", 10), ("proposed", 8), ("approved", 4), ("offered", 6),
    ("accepted", 12), ("refused", 6), ("withdrawn", 3), ("offer_expired", 1),
]  # fmt: skip
CLOSED = {"accepted", "refused", "withdrawn", "offer_expired"}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else float("nan")


class NoJobs:
    """The set-up's queue: nothing is measured there, so no job runs."""

    backend = "none"

    async def send(self, name: str, job_id: str, kwargs: dict[str, Any]) -> None:
        return None

    async def health(self) -> dict[str, Any]:
        return {"backend": self.backend}

    async def close(self) -> None:
        return None


async def org_with_owner(kind: str, name: str, email: str, members: int = 0) -> tuple[int, list[int]]:
    """An approved organisation, its owner (the first user) and ``members`` officers."""
    users = []
    async with jobs.unit_of_work():
        org_id = await orgs_repo.create_org(name=name, kind=kind, region="330000", name_key=name, status="approved")
        for n in range(1 + members):
            user_id = await accounts_repo.create_user(
                email=email if n == 0 else f"officer{n}.{email}", password_hash=passwords.hash_password(PASSWORD),
                display_name=f"{name} {n}", locale="zh",
            )  # fmt: skip
            await orgs_repo.add_membership(user_id=user_id, org_id=org_id, role="owner" if n == 0 else "member")
            users.append(user_id)
    return org_id, users


def spread(n: int, states: list[tuple[str, int]] = STATES) -> str:
    """The n-th case's state, by the weights of ``states``."""
    total = sum(w for _, w in states)
    slot = (n * 7919) % total
    for state, weight in states:
        if slot < weight:
            return state
        slot -= weight
    return states[-1][0]


async def build(settings: Settings, cases: int) -> None:
    load_jobs()
    async with open_runtime(settings, queue=NoJobs(), with_search=False):
        bank, officers = await org_with_owner("bank", BANK, "bank@bench.cn", members=5)
        smes = [(await org_with_owner("sme", f"基准科技{n}有限公司", f"sme{n}@bench.cn"))[0] for n in range(50)]
        today = datetime.now(UTC).date()
        now = datetime.now(UTC)
        started = time.perf_counter()
        written = 0
        while written < cases:
            batch = []
            for _ in range(min(1000, cases - written)):
                n = written
                state = spread(n)
                opened = now - timedelta(days=n % 120, minutes=n % 1440)
                due: date | None = today + timedelta(days=(n % 40) - 10)
                breached = state not in CLOSED and due is not None and due < today and n % 3 == 0
                batch.append(
                    DeskCase(
                        kind=KIND, subject=n + 1, reference=f"PL-2026-{n + 1:06d}", reviewer_org=bank,
                        applicant_org=smes[n % len(smes)], state=state, version=1 + n % 7,
                        amount_minor=100_000_00 + (n * 104_729) % 50_000_000_00, currency="CNY",
                        assignee=officers[n % len(officers)] if n % 4 else None, sla_working_days=10,
                        sla_started_on=opened.date(), paused_since=now if state == "more_info" else None,
                        paused_working_days=n % 3, due_on=due, breached_at=now if breached else None,
                        opened_at=opened, updated_at=now - timedelta(minutes=n % 600),
                        closed_at=now if state in CLOSED else None,
                    )
                )  # fmt: skip
                written += 1
            async with jobs.unit_of_work():
                await DeskCase.insert(*batch)
        print(f"  desk cases: {written:,} ({written / (time.perf_counter() - started):,.0f}/s)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            sys.exit("the app did not start:\n" + log.read_text())
        time.sleep(0.3)


# What the bank's officers ask the queue for, as the page's filters do.
API_QUERIES: list[dict[str, str]] = [
    {},
    {"state": "in_review"},
    {"breached": "true"},
    {"q": "PL-2026-0042"},
    {"offset": "2000"},
]
PAGE_QUERIES: list[dict[str, str]] = [{}, {"state": "in_review"}, {"breached": "true"}, {"q": "PL-2026-0042"}]


def timed(http: httpx.Client, path: str, queries: list[dict[str, str]], requests: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for n in range(requests):
        params = queries[n % len(queries)]
        started = time.perf_counter()
        response = http.get(path, params=params)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"GET {path} {params} -> {response.status_code}: {response.text[:300]}")
        out.setdefault(path, []).append(elapsed)
        label = " ".join(f"{k}={v}" for k, v in params.items()) or "(first page, no filter)"
        out.setdefault(f"{path} {label}", []).append(elapsed)
    return out


def measure(env: dict[str, str], requests: int, tmp: Path) -> dict[str, list[float]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "market", "serve", "--port", str(port)], env=env,
                                  stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            wait_healthy(url, server, log)
            with httpx.Client(base_url=url, timeout=60) as http:
                http.get("/api/auth/csrf")
                signed = http.post("/api/auth/sign-in", json={"email": "bank@bench.cn", "password": PASSWORD},
                                   headers={"x-csrftoken": http.cookies["csrftoken"]})  # fmt: skip
                if signed.status_code != 200:
                    sys.exit(f"sign-in refused: {signed.status_code} {signed.text}")
                timed(http, "/api/desk/cases", API_QUERIES, max(10, requests // 10))  # warm-up
                api = timed(http, "/api/desk/cases", API_QUERIES, requests)
                baseline = timed(http, "/api/me", [{}], requests)  # the same session, no queue: the floor
                pages: dict[str, list[float]] = {}
                if http.get("/desk").status_code == 404:
                    print("  /desk: this build serves no desk page yet: only the API is measured")
                else:
                    timed(http, "/desk", PAGE_QUERIES, max(10, requests // 10))
                    pages = timed(http, "/desk", PAGE_QUERIES, requests)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {**api, **pages, "/api/me (baseline: sign-in check only)": baseline["/api/me"]}


async def make_database(admin_url: str, name: str) -> str:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def migrate(settings: Settings) -> None:
    engine = db.build_engine(settings)
    await db.start(engine, settings)
    try:
        await db.migrate(engine)
    finally:
        await db.stop(engine)


def report(times: dict[str, list[float]], caption: str) -> bool:
    """Print p50/p95 of each request; the headline ones (keys without a space) are held to the target."""
    width = max(len(k) for k in times) + 2
    print(f"\n  {'request':<{width}} {'n':>5} {'p50':>8} {'p95':>8}")
    ok = True
    for key in sorted(times, key=lambda k: (k.split(" ")[0], " " in k, k)):
        values = times[key]
        p95 = percentile(values, 95)
        headline = " " not in key
        if headline:
            ok = ok and p95 < TARGET_P95_MS
        print(f"  {key:<{width}} {len(values):>5} {percentile(values, 50):>6.1f}ms {p95:>6.1f}ms"
              + (f"   {'PASS' if p95 < TARGET_P95_MS else 'FAIL'} (p95 < {TARGET_P95_MS:.0f} ms)" if headline else ""))
    print(f"\n  {caption}; each request timed around the whole HTTP exchange from the client.")
    return ok


def run(
    argv: list[str] | None,
    *,
    name: str,
    what: str,
    build: Callable[[Settings, int], Coroutine[Any, Any, None]],
    measure: Callable[[dict[str, str], int, Path], dict[str, list[float]]],
) -> None:
    """A queue benchmark's run: a fresh database (PostgreSQL, or a SQLite file), ``build`` writes the cases, the app
    is served on it and ``measure`` times the requests; the figures are printed against the target."""
    parser = argparse.ArgumentParser(description=(sys.modules["__main__"].__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint (after a warm-up)")
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="admin URL of a PostgreSQL server; '' for a SQLite file")
    args = parser.parse_args(argv)
    database = f"{name}_{os.getpid()}"
    url = asyncio.run(make_database(args.database, database)) if args.database else ""
    try:
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp_name:
            tmp = Path(tmp_name)
            settings = Settings(env="test", data_dir=tmp, database_url=url)
            asyncio.run(migrate(settings))
            print(f"{name}: {args.cases:,} {what}, {args.requests} requests per endpoint, "
                  f"{'PostgreSQL' if url else 'SQLite'}")  # fmt: skip
            started = time.perf_counter()
            asyncio.run(build(settings, args.cases))
            print(f"  data written in {time.perf_counter() - started:.1f} s")
            env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET_")}
            env.update({"MARKET_DATA_DIR": str(tmp), "MARKET_DATABASE_URL": url, "MARKET_REDIS_URL": "",
                        "MARKET_ENV": "production", "MARKET_LOG_LEVEL": "WARNING",
                        "MARKET_SECRET_KEY": secrets.token_urlsafe(32)})  # fmt: skip
            times = measure(env, args.requests, tmp)
    finally:
        if url:
            asyncio.run(drop_database(args.database, database))
    ok = report(times, f"{args.cases:,} {what} of one reviewer")
    print(f"  {'PASS' if ok else 'FAIL'}: p95 of the queue pages and API under {TARGET_P95_MS:.0f} ms")


def main(argv: list[str] | None = None) -> None:
    run(argv, name="bench_bank_queue", what="pledge applications", build=build, measure=measure)


if __name__ == "__main__":
    main()
