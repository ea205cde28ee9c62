"""The benchmark scripts still run against the current schema and services, at a tiny size (their figures are
not checked here: speed is what the scripts themselves print when run at full size)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.services import PG_ADMIN_URL, REDIS_URL, need, reachable


def run(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_import_memory_benchmark_runs() -> None:
    out = run("tests.benchmarks.bench_import_memory", "--rows", "2000")
    assert "2000 rows in" in out and "PASS" in out


def test_the_statement_benchmark_runs() -> None:
    need(reachable(PG_ADMIN_URL, 5432), "PostgreSQL is not reachable: the statement benchmark needs it")
    need(reachable(REDIS_URL, 6379), "Redis is not reachable: the statement benchmark's worker needs it")
    out = run(
        "tests.benchmarks.bench_statement",
        "--rows", "500", "--transfers", "5", "--database", PG_ADMIN_URL, "--redis", REDIS_URL,
    )  # fmt: skip
    assert "every row matched" in out and "errors 0" in out


def test_the_bank_queue_benchmark_runs() -> None:
    need(reachable(PG_ADMIN_URL, 5432), "PostgreSQL is not reachable: the bank queue benchmark needs it")
    out = run("tests.benchmarks.bench_bank_queue", "--cases", "300", "--requests", "10", "--database", PG_ADMIN_URL)
    assert "desk cases: 300" in out and "/api/desk/cases" in out and "p95 of the queue pages and API" in out


def test_the_insurer_queue_benchmark_runs() -> None:
    need(reachable(PG_ADMIN_URL, 5432), "PostgreSQL is not reachable: the insurer queue benchmark needs it")
    out = run("tests.benchmarks.bench_insurer_queue", "--cases", "300", "--requests", "10", "--database", PG_ADMIN_URL)
    assert "desk cases: 300" in out and "/insurer/applications" in out and "p95 of the queue pages and API" in out


def test_the_insurance_quote_benchmark_runs() -> None:
    out = run("tests.benchmarks.bench_insurance_quote", "--count", "200", "--schedule", "10000", "--runs", "5")
    assert "200 separate quotes" in out and "p95" in out and "one schedule of 10,000 patents" in out


def test_the_voucher_report_benchmark_runs() -> None:
    need(reachable(PG_ADMIN_URL, 5432), "PostgreSQL is not reachable: the voucher report benchmark needs it")
    out = run("tests.benchmarks.bench_voucher_report", "--redemptions", "600", "--requests", "5",
              "--database", PG_ADMIN_URL)  # fmt: skip
    assert "redemptions: 600" in out and "/api/voucher-reports/" in out and "p95 of the report" in out


def test_the_voucher_redemptions_benchmark_runs() -> None:
    need(reachable(PG_ADMIN_URL, 5432), "PostgreSQL is not reachable: the voucher redemptions benchmark needs it")
    out = run(
        "tests.benchmarks.bench_voucher_redemptions",
        "--clients", "8", "--holds", "120", "--entitlements", "6", "--hot", "40", "--solo", "10",
        "--database", PG_ADMIN_URL,
    )  # fmt: skip
    assert "holds, one hot entitlement" in out and "20 holds passed, 20 refused" in out
    assert "ledger checked: 8 entitlements" in out and "PASS" in out


def test_the_search_api_benchmark_runs() -> None:
    out = run(
        "tests.benchmarks.bench_search_api",
        "--listings", "300", "--queries", "30", "--changes", "50", "--warmup", "5", "--concurrency", "1", "4",
    )  # fmt: skip
    assert "reindex: 300 listings in" in out and "drain: 50 outbox changes in" in out
    assert "=> single requests (one client, one at a time): API p50" in out
    assert "=> 4 concurrent clients: API p50" in out and "throughput" in out and "ratio p50" in out
