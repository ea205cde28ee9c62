"""Voucher redemption benchmark: holds placed on voucher entitlements per second on PostgreSQL, 50 clients at once,
each hold one transaction through ``finance.voucher_entitlements.service.hold`` (the call every redemption makes:
the licence checkout, a catalogued order, a reimbursed claim), then the ledger checked.

    .venv/bin/python -m tests.benchmarks.bench_voucher_redemptions [--clients 50] [--holds 10000]
        [--entitlements 50] [--hot 2000] [--solo 500] [--processes 1]
        [--database postgresql://postgres@127.0.0.1:5432/postgres]

A fresh PostgreSQL database is made (and dropped) for the run and migrated. Three phases, each timed from the first
transaction to the last commit (before them, ``--solo`` holds by a single client: the latency floor):

1. spread: ``--clients`` clients place ``--holds`` holds over ``--entitlements`` entitlements (one per SME, each
   granted enough for every hold it gets): holds per second, p50/p95 of one hold's transaction;
2. one hot entitlement: the clients race ``--hot`` holds against a single entitlement whose balance covers only
   half of them, so the row's conditional update decides every one: holds per second, how many passed and were
   refused (``voucher.insufficient_balance``), and never more taken than the balance;
3. settle: every hold of phase 1 captured or released (alternately), the clients again at once: per second.

After each phase the ledger is checked: for every entitlement the balance summed from its entries equals the row's
guard (``available_minor``) and what the phase's successful calls say (granted − held − captured + released), no
hold's amount counted twice, and nothing available below zero. ``--processes N`` splits the clients over N
processes (one event loop each) when a single Python process, not the database, is what limits the rate. Not a
pytest test (tests/benchmarks/test_benchmarks_run.py runs it at a tiny size).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from finance.voucher_entitlements import service as entitlements
from market import jobs
from market.audit.service import Actor
from market.errors import Conflict
from market.i18n import Msg
from market.kit.money import Money
from market.orgs import repository as orgs_repo
from market.runtime import open_runtime
from market.settings import Settings
from market.worker import load_jobs
from tests.benchmarks.bench_bank_queue import NoJobs, drop_database, make_database, migrate, percentile

AMOUNT_MINOR = 10_000  # 100 yuan a hold
PROGRAMME = 1  # the entitlements' programme id (the ledger does not read the programme's terms)


@dataclass
class Phase:
    """What one client (or all of them, merged) did in a phase."""

    done: int = 0
    refused: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    held: list[tuple[int, int, int]] = field(default_factory=list)  # (entitlement, hold id, amount)

    def merge(self, other: Phase) -> None:
        self.done += other.done
        self.refused += other.refused
        self.latencies_ms += other.latencies_ms
        self.held += other.held


def settings_for(url: str, data_dir: Path, pool: int) -> Settings:
    return Settings(env="test", data_dir=data_dir, database_url=url, db_pool_min=1, db_pool_max=pool)


async def build(settings: Settings, count: int, grant_each: int, hot_grant: int, solo_grant: int) -> dict[str, Any]:
    """An issuer, ``count`` SMEs with an entitlement each, one SME more with the hot entitlement and one with the
    single client's."""
    load_jobs()
    async with open_runtime(settings, queue=NoJobs(), with_search=False), jobs.unit_of_work():
        name = "基准创新券发放机构"  # words: data
        issuer = await orgs_repo.create_org(name=name, kind="voucher_issuer", region="330100", name_key=name,
                                            status="approved")  # fmt: skip
        smes = []
        for n in range(count + 2):
            name = f"基准券用科技{n}有限公司"  # words: data
            smes.append(await orgs_repo.create_org(name=name, kind="sme", region="330100", name_key=name,
                                                   status="approved"))  # fmt: skip
        spread = []
        for sme in smes[:count]:
            made = await issue(issuer, sme, grant_each)
            spread.append((sme, made))
        hot = await issue(issuer, smes[count], hot_grant)
        solo = await issue(issuer, smes[count + 1], solo_grant)
    return {"issuer": issuer, "spread": spread, "hot": (smes[count], hot), "solo": (smes[count + 1], solo)}


async def issue(issuer: int, sme: int, amount_minor: int) -> int:
    made = await entitlements.issue(
        holder=sme, issuer=issuer, programme_id=PROGRAMME, programme_version=1, amount=Money("CNY", amount_minor),
        issued_on=date.today(), validity_months=12, actor=Actor.system(),
    )  # fmt: skip
    return made.id


async def run_clients(
    settings: Settings, clients: int, work: list[Callable[[], Awaitable[Any]]]
) -> tuple[Phase, float]:
    """``clients`` tasks take the calls of ``work`` one by one, each call in its own transaction; the phase's
    wall time from the first start to the last commit."""
    load_jobs()
    merged = Phase()
    async with open_runtime(settings, queue=NoJobs(), with_search=False):
        queue: asyncio.Queue[Callable[[], Awaitable[Any]]] = asyncio.Queue()
        for call in work:
            queue.put_nowait(call)

        async def client() -> Phase:
            mine = Phase()
            while True:
                try:
                    call = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return mine
                started = time.perf_counter()
                try:
                    async with jobs.unit_of_work():
                        result = await call()
                except Conflict as refused:
                    if not isinstance(refused.message, Msg) or refused.message.code != "voucher.insufficient_balance":
                        raise
                    mine.refused += 1
                else:
                    mine.done += 1
                    if result is not None:
                        mine.held.append(result)
                mine.latencies_ms.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        for phase in await asyncio.gather(*(client() for _ in range(clients))):
            merged.merge(phase)
        elapsed = time.perf_counter() - started
    return merged, elapsed


def hold_call(entitlement_id: int, sme: int, ref: str) -> Callable[[], Awaitable[tuple[int, int, int]]]:
    async def call() -> tuple[int, int, int]:
        held = await entitlements.hold(
            entitlement_id=entitlement_id, amount_minor=AMOUNT_MINOR, ref=ref, on=datetime.now(UTC),
            actor=Actor(user_id=None, org_id=sme),
        )  # fmt: skip
        return (entitlement_id, held.id, held.amount_minor)

    return call


def settle_call(hold_id: int, capture: bool) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        if capture:
            await entitlements.capture(hold_id=hold_id, actor=Actor.system())
        else:
            await entitlements.release(hold_id=hold_id, actor=Actor.system())

    return call


def phase_in_processes(
    url: str, data_dir: str, clients: int, processes: int, kind: str, items: list[tuple[Any, ...]]
) -> tuple[Phase, float]:
    """Run a phase's calls (``kind``: hold or settle; ``items`` their arguments) with the clients split over
    ``processes`` processes that start together; the wall time is the slowest one's."""
    if processes <= 1:
        return asyncio.run(_phase(url, data_dir, clients, kind, items))
    share = [items[n::processes] for n in range(processes)]
    each = max(1, clients // processes)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        results = pool.starmap(_phase_sync, [(url, data_dir, each, kind, part) for part in share])
    merged = Phase()
    for phase, _ in results:
        merged.merge(phase)
    return merged, max(elapsed for _, elapsed in results)


def _phase_sync(url: str, data_dir: str, clients: int, kind: str, items: list[tuple[Any, ...]]) -> tuple[Phase, float]:
    return asyncio.run(_phase(url, data_dir, clients, kind, items))


async def _phase(url: str, data_dir: str, clients: int, kind: str, items: list[tuple[Any, ...]]) -> tuple[Phase, float]:
    settings = settings_for(url, Path(data_dir), clients + 2)
    work: list[Callable[[], Awaitable[Any]]] = []
    if kind == "hold":
        work += [hold_call(e, sme, ref) for e, sme, ref in items]
    else:
        work += [settle_call(h, capture) for h, capture in items]
    return await run_clients(settings, clients, work)


async def check_ledger(settings: Settings, expected: dict[int, tuple[int, int, int, int]]) -> list[str]:
    """For every entitlement: the balance summed from its entries against the guard column and against what the
    phases' successful calls say (``expected``: granted, held, captured, released). Problems, if any."""
    problems = []
    async with open_runtime(settings, queue=NoJobs(), with_search=False), jobs.unit_of_work():
        for entitlement_id, (granted, held, captured, released) in expected.items():
            balance = await entitlements.balance(entitlement_id)
            row = await entitlements.entitlement(entitlement_id)
            available = granted - held - captured
            want = (granted, held, captured, released, available)
            got = (balance.granted_minor, balance.held_minor, balance.captured_minor, balance.released_minor,
                   balance.available_minor)  # fmt: skip
            if got != want:
                problems.append(f"entitlement {entitlement_id}: entries give {got}, the calls {want}")
            if row.available_minor != balance.available_minor:
                problems.append(f"entitlement {entitlement_id}: guard {row.available_minor} != entries "
                                f"{balance.available_minor}")  # fmt: skip
            if balance.available_minor < 0:
                problems.append(f"entitlement {entitlement_id}: available below zero ({balance.available_minor})")
            holds = await entitlements.holds(entitlement_id)
            if len({h.ref for h in holds}) != len(holds):
                problems.append(f"entitlement {entitlement_id}: a ref held twice")
    return problems


def show(name: str, phase: Phase, elapsed: float, clients: int) -> None:
    calls = phase.done + phase.refused
    lat = phase.latencies_ms
    print(f"  {name:<34} {calls:>7,} calls in {elapsed:6.2f} s  {calls / elapsed:>8,.0f}/s   "
          f"p50 {percentile(lat, 50):6.1f} ms  p95 {percentile(lat, 95):6.1f} ms  "
          f"({phase.done:,} done, {phase.refused:,} refused; {clients} clients)")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--holds", type=int, default=10_000, help="holds of the spread phase")
    parser.add_argument("--entitlements", type=int, default=50, help="entitlements (SMEs) of the spread phase")
    parser.add_argument("--hot", type=int, default=2_000, help="holds raced against the one hot entitlement")
    parser.add_argument("--solo", type=int, default=500, help="holds placed by one client alone first (the floor)")
    parser.add_argument("--processes", type=int, default=1, help="split the clients over this many processes")
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="admin URL of a PostgreSQL server")  # fmt: skip
    args = parser.parse_args(argv)
    if not args.database.startswith("postgresql"):
        sys.exit("PostgreSQL only: the figure is the database's row-lock race")
    name = f"bench_voucher_redemptions_{os.getpid()}"
    url = asyncio.run(make_database(args.database, name))
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="bench_voucher_redemptions-") as tmp:
            settings = settings_for(url, Path(tmp), args.clients + 2)
            asyncio.run(migrate(settings))
            per_entitlement = -(-args.holds // args.entitlements)
            hot_fits = args.hot // 2
            built = asyncio.run(build(settings, args.entitlements, per_entitlement * AMOUNT_MINOR,
                                      hot_fits * AMOUNT_MINOR, args.solo * AMOUNT_MINOR))  # fmt: skip
            print(f"bench_voucher_redemptions: PostgreSQL, {args.clients} clients over {args.processes} "
                  f"process(es), {AMOUNT_MINOR / 100:.0f} yuan a hold, each call one transaction")  # fmt: skip

            solo_sme, solo_id = built["solo"]
            items = [(solo_id, solo_sme, f"bench:solo:{n}") for n in range(args.solo)]
            solo, elapsed = phase_in_processes(url, tmp, 1, 1, "hold", items)
            show("0. holds, one client (the floor)", solo, elapsed, 1)
            ok &= solo.done == args.solo

            spread = built["spread"]
            items = [(spread[n % len(spread)][1], spread[n % len(spread)][0], f"bench:spread:{n}")
                     for n in range(args.holds)]  # fmt: skip
            held, elapsed = phase_in_processes(url, tmp, args.clients, args.processes, "hold", items)
            show("1. holds, spread entitlements", held, elapsed, args.clients)
            expected = {e: (per_entitlement * AMOUNT_MINOR, 0, 0, 0) for _, e in spread}
            for e, _, amount in held.held:
                g, h, c, r = expected[e]
                expected[e] = (g, h + amount, c, r)
            ok &= held.refused == 0 and held.done == args.holds

            hot_sme, hot_id = built["hot"]
            items = [(hot_id, hot_sme, f"bench:hot:{n}") for n in range(args.hot)]
            hot, elapsed = phase_in_processes(url, tmp, args.clients, args.processes, "hold", items)
            show("2. holds, one hot entitlement", hot, elapsed, args.clients)
            taken = sum(amount for _, _, amount in hot.held)
            print(f"     the hot entitlement: {hot.done:,} holds passed, {hot.refused:,} refused; taken "
                  f"{taken / 100:,.2f} of {hot_fits * AMOUNT_MINOR / 100:,.2f} yuan")  # fmt: skip
            ok &= hot.done == hot_fits and taken == hot_fits * AMOUNT_MINOR
            expected[hot_id] = (hot_fits * AMOUNT_MINOR, taken, 0, 0)
            expected[solo_id] = (args.solo * AMOUNT_MINOR, args.solo * AMOUNT_MINOR, 0, 0)

            settle = [(h, n % 2 == 0) for n, (_, h, _) in enumerate(held.held)]
            settled, elapsed = phase_in_processes(url, tmp, args.clients, args.processes, "settle", settle)
            show("3. capture or release, spread", settled, elapsed, args.clients)
            for n, (e, _, amount) in enumerate(held.held):
                g, h, c, r = expected[e]
                expected[e] = (g, h - amount, c + amount, r) if n % 2 == 0 else (g, h - amount, c, r + amount)
            ok &= settled.done == len(settle)

            problems = asyncio.run(check_ledger(settings, expected))
            for problem in problems[:20]:
                print(f"     LEDGER: {problem}")
            print(f"  ledger checked: {len(expected)} entitlements, entries = guard = calls"
                  if not problems else f"  ledger: {len(problems)} problems")  # fmt: skip
            ok &= not problems
    finally:
        asyncio.run(drop_database(args.database, name))
    print(f"  {'PASS' if ok else 'FAIL'}: every hold that fit passed, none beyond a balance, the ledger sums")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
