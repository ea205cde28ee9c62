"""Bank statement benchmark: a 100,000-row statement file uploaded to the served app and matched in the arq worker,
while a second client keeps reading a listing page. Prints the match time (upload to report) and the other client's
p50/p95 latency before the upload and while the job runs.

    .venv/bin/python -m tests.benchmarks.bench_statement [--rows 100000] [--transfers 100]
        [--database postgresql://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/3]

A fresh PostgreSQL database is made (and dropped) for the run; `market serve` and `market worker` run as
subprocesses on it. The data (a university with its payee account, ``--transfers`` licences each with a bank
transfer asked for) is made through the services. The file holds one row paying each open reference, a few with the
wrong amount, rows quoting references that are not open, and the rest without a reference. Without ``--redis``
("") the job runs inside the app's process (the embedded default). Not a pytest test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
from finance.payees import service as payees
from finance.payees.schemas import PayeeAccountIn
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.patents import service as patents
from listings.patents.schemas import PatentIn
from market import db, jobs
from market.accounts import passwords
from market.accounts import repository as accounts_repo
from market.accounts import service as accounts
from market.accounts.principal import Principal
from market.integrations.payments.bank_transfer import format_reference
from market.orgs import repository as orgs_repo
from market.runtime import open_runtime
from market.settings import Settings
from market.worker import load_jobs

PASSWORD = "bench-statement-password"
UNIVERSITY = "浙江大学（基准）"
PRICE_MINOR = 5_000_000


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else float("nan")


async def user(kind: str, org_name: str, email: str) -> Principal:
    async with jobs.unit_of_work():
        user_id = await accounts_repo.create_user(
            email=email, password_hash=passwords.hash_password(PASSWORD), display_name=org_name, locale="zh"
        )
        org_id = await orgs_repo.create_org(
            name=org_name, kind=kind, region="330000", name_key=org_name, status="approved"
        )
        await orgs_repo.add_membership(user_id=user_id, org_id=org_id, role="owner")
    principal = await accounts.principal_for(user_id=user_id, org_id=org_id)
    assert principal is not None
    return principal


class NoJobs:
    """The set-up's queue: its jobs (notifications, the search index) are not what is measured, so none run."""

    backend = "none"

    async def send(self, name: str, job_id: str, kwargs: dict[str, Any]) -> None:
        return None

    async def health(self) -> dict[str, Any]:
        return {"backend": self.backend}

    async def close(self) -> None:
        return None


async def build(settings: Settings, transfers: int) -> tuple[list[str], int]:
    """The open references (one per licence) and a listing's id."""
    load_jobs()
    async with open_runtime(settings, queue=NoJobs(), with_search=False):
        uni = await user("university", UNIVERSITY, "uni@bench.cn")
        await user("platform_admin", "平台运营（基准）", "admin@bench.cn")
        async with jobs.unit_of_work():
            await payees.record_account(
                principal=uni,
                data=PayeeAccountIn(
                    account_name=UNIVERSITY, bank_name="中国工商银行", account_number="1202021209900012345"
                ),
            )
        ids = []
        for n in range(transfers):
            async with jobs.unit_of_work():
                patent = await patents.create(
                    principal=uni,
                    data=PatentIn.model_validate(
                        {
                            "number": f"CN1{n:08d}B",
                            "title_zh": f"基准专利 {n}",
                            "patentees": [UNIVERSITY],
                            "filing_date": date(2018, 7, 30),
                            "grant_date": date(2020, 5, 12),
                            "ipc_codes": ["G01N 15/08"],
                            "annual_fees_paid_through": date(date.today().year + 1, 12, 31),
                            "claims_count": 8,
                        }
                    ),
                )
            ids.append(patent.id)
        terms = TermsIn(payment_mode="lump_sum", lump_sum_minor=PRICE_MINOR)
        async with jobs.unit_of_work():
            report = await declarations.declare(principal=uni, data=DeclareIn(patent_ids=ids, terms=terms))
        listing_ids = [r.declaration_id for r in report.results if r.declaration_id]
        references = []
        for n, declaration_id in enumerate(listing_ids):
            sme = await user("sme", f"基准企业{n}有限公司", f"sme{n}@bench.cn")
            async with jobs.unit_of_work():
                licence = await licences.request_licence(
                    principal=sme,
                    data=LicenceRequestIn(declaration_id=declaration_id, declaration_version=1, accept_terms=True),
                )
                payment = await payments.start(
                    principal=sme, licence_id=licence.id, data=PaymentStartIn(method="bank_transfer")
                )
            references.append(payment.reference)
    return references, listing_ids[0]


def statement(rows: int, references: list[str]) -> bytes:
    """A CSV statement: every open reference paid once (a tenth of them with a wrong amount), 1% of rows quoting
    references that are not open, the rest without a reference."""
    rng = random.Random(7)
    lines = ["交易日期,贷方发生额,付款人,摘要"]
    for n, ref in enumerate(references):
        amount = PRICE_MINOR if n % 10 else PRICE_MINOR - 100
        lines.append(f"2026-11-20,{amount // 100}.{amount % 100:02d},基准企业{n}有限公司,许可费 {ref}")
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    while len(lines) <= rows:
        n = len(lines)
        if n % 100 == 0:
            memo = "货款 " + format_reference(2026, "".join(rng.choice(alphabet) for _ in range(4)))
        else:
            memo = f"货款 第{n}笔"
        lines.append(f"2026-11-{1 + n % 28:02d},{rng.randint(1, 9_999_999)}.{n % 100:02d},客户{n % 5000}公司,{memo}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Reader(threading.Thread):
    """The second client: GET a listing page in a loop, timing each request, until told to stop."""

    def __init__(self, url: str, path: str) -> None:
        super().__init__(daemon=True)
        self.url, self.path = url, path
        self.times: list[float] = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as http:
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    ok = http.get(self.path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.times.append((time.perf_counter() - started) * 1000)
                self.errors += not ok


def read_for(url: str, path: str, seconds: float) -> Reader:
    reader = Reader(url, path)
    reader.start()
    time.sleep(seconds)
    reader.stop.set()
    reader.join()
    return reader


def wait_healthy(url: str, procs: list[subprocess.Popen[bytes]], log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            sys.exit("the app did not start:\n" + log.read_text())
        time.sleep(0.3)


def measure(env: dict[str, str], data: bytes, listing_id: int, with_worker: bool, tmp: Path) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "processes.log"
    with log.open("w") as out:
        procs = [subprocess.Popen([sys.executable, "-m", "market", "serve", "--port", str(port)], env=env,
                                  stdout=out, stderr=subprocess.STDOUT)]  # fmt: skip
        if with_worker:
            procs.append(subprocess.Popen([sys.executable, "-m", "market", "worker"], env=env, stdout=out,
                                          stderr=subprocess.STDOUT))  # fmt: skip
        try:
            wait_healthy(url, procs, log)
            path = f"/listings/{listing_id}"
            read_for(url, path, 3)  # warm-up: templates compiled, connections opened
            idle = read_for(url, path, 10)  # the other client alone: the baseline
            with httpx.Client(base_url=url, timeout=120) as admin:
                admin.get("/api/auth/csrf")
                csrf = {"x-csrftoken": admin.cookies["csrftoken"]}
                signed = admin.post("/api/auth/sign-in", json={"email": "admin@bench.cn", "password": PASSWORD},
                                    headers=csrf)  # fmt: skip
                signed.raise_for_status()
                csrf = {"x-csrftoken": admin.cookies["csrftoken"]}
                busy = Reader(url, path)
                busy.start()
                started = time.perf_counter()
                upload = admin.post("/api/admin/payments/statement", headers=csrf,
                                    files={"file": ("statement.csv", data, "text/csv")})  # fmt: skip
                upload_s = time.perf_counter() - started
                if upload.status_code != 202:
                    sys.exit(f"upload refused: {upload.status_code} {upload.text}")
                run_id = upload.json()["id"]
                polls, rows_s = [], 0.0
                while True:
                    run = admin.get(f"/api/admin/payments/statements/{run_id}").json()
                    polls.append(run["percent"])
                    if not rows_s and run["total_rows"] and run["processed_rows"] == run["total_rows"]:
                        rows_s = time.perf_counter() - started  # every row matched, written and confirmed
                    if run["status"] in ("done", "failed"):
                        break
                    time.sleep(0.25)
                match_s = time.perf_counter() - started
                busy.stop.set()
                busy.join()
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=30)
    return {
        "idle": idle,
        "busy": busy,
        "run": run,
        "upload_s": upload_s,
        "rows_s": rows_s or match_s,
        "match_s": match_s,
        "polls": polls,
    }


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--transfers", type=int, default=100)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3", help="empty: jobs in the app's process")
    args = parser.parse_args(argv)
    name = f"bench_statement_{os.getpid()}"
    url = asyncio.run(make_database(args.database, name))
    try:
        with tempfile.TemporaryDirectory(prefix="bench-statement-") as tmp_name:
            tmp = Path(tmp_name)
            settings = Settings(env="test", data_dir=tmp, database_url=url)
            asyncio.run(migrate(settings))
            print(f"statement benchmark: {args.rows:,} rows, {args.transfers} open transfers, PostgreSQL, "
                  f"jobs {'in the arq worker' if args.redis else 'in the app process'}")  # fmt: skip
            started = time.perf_counter()
            references, listing_id = asyncio.run(build(settings, args.transfers))
            print(f"  data made through the services in {time.perf_counter() - started:.1f} s")
            data = statement(args.rows, references)
            env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET_")}
            env.update({"MARKET_DATA_DIR": str(tmp), "MARKET_DATABASE_URL": url, "MARKET_REDIS_URL": args.redis,
                        "MARKET_ENV": "production", "MARKET_LOG_LEVEL": "WARNING",
                        "MARKET_JOB_QUEUE_NAME": f"arq:bench-statement-{os.getpid()}",
                        "MARKET_SECRET_KEY": secrets.token_urlsafe(32)})  # fmt: skip
            result = measure(env, data, listing_id, bool(args.redis), tmp)
    finally:
        asyncio.run(drop_database(args.database, name))
    report(result, len(data), args.rows)


def report(result: dict[str, Any], size: int, rows: int) -> None:
    run, idle, busy = result["run"], result["idle"], result["busy"]
    print(f"  file: {size / 1e6:.1f} MB, {rows:,} rows; run {run['status']}: {run['processed_rows']:,} rows, "
          f"{run['confirmed']} confirmed, {run['needs_review']:,} to review")  # fmt: skip
    print(f"  upload answered in {result['upload_s'] * 1000:.0f} ms (stored and queued)")
    print(
        f"  match time: every row matched, reported and confirmed {result['rows_s']:.1f} s after the upload "
        f"({run['processed_rows'] / result['rows_s']:,.0f} rows/s); run closed (audited) at {result['match_s']:.1f} s"
    )
    print(f"  progress polled {len(result['polls'])} times, percentages seen: {sorted(set(result['polls']))}")
    print("  (the run is closed with its audit event, which waits for the audit chain's lock: the contracts of the")
    print("   licences it activated are rendered meanwhile, in the worker, by the licence.activated handler)")
    for label, reader in (("alone", idle), ("during the match", busy)):
        times = reader.times
        print(f"  other client, {label:<17} {len(times):>5} GET /listings/{{id}}: p50 {percentile(times, 50):6.1f} ms, "
              f"p95 {percentile(times, 95):6.1f} ms, max {max(times):6.1f} ms, errors {reader.errors}"
              f" (mean {statistics.mean(times):.1f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
