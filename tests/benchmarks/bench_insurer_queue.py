"""Insurer queue benchmark: one insurer with 10,000 IP insurance applications on the review desk; the served app's
queue pages (``/desk?kind=insurance``, ``/insurer/applications``) and API (``GET /api/desk/cases?kind=insurance``,
``GET /api/insurance/applications``) timed from a client process. Prints p50 and p95 of each against the target
(p95 under 50 ms).

    .venv/bin/python -m tests.benchmarks.bench_insurer_queue [--cases 10000] [--requests 200]
        [--database postgresql://postgres@127.0.0.1:5432/postgres]

A fresh PostgreSQL database is made (and dropped) for the run; `market serve` runs as a subprocess on it (production
settings). The applications (answered, their quote frozen, submitted) and their desk cases are written straight into
their tables in batches (far faster than through the underwriting journey), spread over the insurance machine's
states, due dates, assignees and SLA breaches as a working insurer's queue is; the insurer's underwriter signs in
through the API and the session reads the queue as the pages do: the first page, filtered by state, the breached
ones, a reference search, and a page deep in the list. ``--database ''`` uses a SQLite file instead. Not a pytest
test (tests/benchmarks/test_benchmarks_run.py runs it at a tiny size). The helpers are the bank queue benchmark's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from finance.desk.tables import DeskCase
from finance.insurance.tables import InsuranceApplication
from market import jobs
from market.runtime import open_runtime
from market.settings import Settings
from market.worker import load_jobs
from tests.benchmarks.bench_bank_queue import (
    PASSWORD,
    NoJobs,
    free_port,
    org_with_owner,
    run,
    spread,
    timed,
    wait_healthy,
)

INSURER = "基准财产保险股份有限公司"  # words: data
TARGET_P95_MS = 50.0
KIND = "insurance"
# The insurance machine's states (finance/insurance/machine.py), weighted as an insurer's book might be.
STATES = [
    ("submitted", 20), ("in_review", 30), ("more_info", 10), ("proposed", 6), ("accepted", 10), ("bound", 14),
    ("declined", 6), ("withdrawn", 3), ("lapsed", 1),
]  # fmt: skip
CLOSED = {"bound", "declined", "withdrawn", "lapsed"}
WAITING = {"more_info", "accepted"}


async def build(settings: Settings, cases: int) -> None:
    load_jobs()
    async with open_runtime(settings, queue=NoJobs(), with_search=False):
        insurer, underwriters = await org_with_owner("insurer", INSURER, "insurer@bench.cn", members=5)
        smes = [(await org_with_owner("sme", f"基准科技{n}有限公司", f"sme{n}@bench.cn"))[0] for n in range(50)]
        today = datetime.now(UTC).date()
        now = datetime.now(UTC)
        started = time.perf_counter()
        written = 0
        while written < cases:
            size = min(1000, cases - written)
            applications = []
            for k in range(size):
                n = written + k
                patents = 1 + n % 12
                premium = 200_000 + patents * 20_000
                applications.append(
                    InsuranceApplication(
                        applicant=smes[n % len(smes)], insurer=insurer, product=1, product_version=1,
                        kind="enforcement", firm_tier="sme", currency="CNY",
                        questionnaire_version=1, answers=json.dumps({"known_disputes": False}),
                        answered_at=now, disclosure_ack_at=now, premium_minor=premium,
                        aggregate_limit_minor=premium * 15, quote_valid_until=today + timedelta(days=30),
                        quote=json.dumps({"premium_minor": premium, "aggregate_limit_minor": premium * 15}),
                        submitted_at=now - timedelta(days=n % 120),
                    )
                )  # fmt: skip
            async with jobs.unit_of_work():
                made = await InsuranceApplication.insert(*applications).returning(InsuranceApplication.id)
            batch = []
            for k, row in enumerate(made):
                n = written + k
                state = spread(n, STATES)
                opened = now - timedelta(days=n % 120, minutes=n % 1440)
                due: date | None = today + timedelta(days=(n % 40) - 10)
                breached = state not in CLOSED and due is not None and due < today and n % 3 == 0
                batch.append(
                    DeskCase(
                        kind=KIND, subject=row["id"], reference=f"IN-2026-{row['id']:06d}", reviewer_org=insurer,
                        applicant_org=smes[n % len(smes)], state=state, version=2 + n % 7,
                        amount_minor=applications[k].aggregate_limit_minor, currency="CNY",
                        assignee=underwriters[n % len(underwriters)] if n % 4 else None, sla_working_days=10,
                        sla_started_on=opened.date(), paused_since=now if state in WAITING else None,
                        paused_working_days=n % 3, due_on=due, breached_at=now if breached else None,
                        opened_at=opened, updated_at=now - timedelta(minutes=n % 600),
                        closed_at=now if state in CLOSED else None,
                    )
                )  # fmt: skip
            async with jobs.unit_of_work():
                await DeskCase.insert(*batch)
            written += size
        async with jobs.unit_of_work():  # each application names its case
            await InsuranceApplication.raw(
                'UPDATE finance_insurance_application SET "case" = c.id FROM finance_desk_case c '
                "WHERE c.kind = 'insurance' AND c.subject = finance_insurance_application.id"
            )
        print(f"  desk cases: {written:,} insurance applications ({written / (time.perf_counter() - started):,.0f}/s)")


DESK_QUERIES: list[dict[str, str]] = [
    {"kind": KIND},
    {"kind": KIND, "state": "in_review"},
    {"kind": KIND, "breached": "true"},
    {"kind": KIND, "q": "IN-2026-0042"},
    {"kind": KIND, "offset": "2000"},
]
DESK_PAGES: list[dict[str, str]] = [
    {"kind": KIND}, {"kind": KIND, "state": "in_review"}, {"kind": KIND, "breached": "true"},
    {"kind": KIND, "q": "IN-2026-0042"},
]  # fmt: skip
OWN_API: list[dict[str, str]] = [{}, {"state": "in_review"}, {"q": "IN-2026-0042"}, {"offset": "2000"}]
OWN_PAGES: list[dict[str, str]] = [{}, {"state": "in_review"}, {"q": "IN-2026-0042"}, {"page": "40", "all": "1"}]


def measure(env: dict[str, str], requests: int, tmp: Path) -> dict[str, list[float]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "server.log"
    times: dict[str, list[float]] = {}
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "market", "serve", "--port", str(port)], env=env,
                                  stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            wait_healthy(url, server, log)
            with httpx.Client(base_url=url, timeout=60) as http:
                http.get("/api/auth/csrf")
                signed = http.post("/api/auth/sign-in", json={"email": "insurer@bench.cn", "password": PASSWORD},
                                   headers={"x-csrftoken": http.cookies["csrftoken"]})  # fmt: skip
                if signed.status_code != 200:
                    sys.exit(f"sign-in refused: {signed.status_code} {signed.text}")
                for path, queries in (
                    ("/api/desk/cases", DESK_QUERIES),
                    ("/api/insurance/applications", OWN_API),
                    ("/desk", DESK_PAGES),
                    ("/insurer/applications", OWN_PAGES),
                ):
                    timed(http, path, queries, max(10, requests // 10))  # warm-up
                    times.update(timed(http, path, queries, requests))
                baseline = timed(http, "/api/me", [{}], requests)  # the same session, no queue: the floor
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {**times, "/api/me (baseline: sign-in check only)": baseline["/api/me"]}


def main(argv: list[str] | None = None) -> None:
    run(argv, name="bench_insurer_queue", what="insurance applications", build=build, measure=measure)


if __name__ == "__main__":
    main()
