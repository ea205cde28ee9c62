"""Benchmark: insurance quotes for 10,000 patents, printing p50/p95.

Run from the repository root:

    .venv/bin/python -m tests.benchmarks.bench_insurance_quote [--count 10000] [--schedule 10000] [--seed 7]

Two measures over the demo products read from ``../shared/domain`` (PICC 2012 pilot tiers, Beijing 2020 per-patent
prices, the overseas and guarantee products): ``--count`` separate quotes (one per patent: a firm insuring 1 patent,
the tier drawn 90% SME / 10% champion, the product drawn at random), each timed; then one quote of a
``--schedule``-patent schedule (10,000 patents on one policy), timed over repeated runs. Pure computation: no
database. Not a pytest test: it only measures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from finance.insurance_products.quote import compute_quote
from finance.insurance_products.service import demo_versions


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=10_000, help="separate quotes (one patent each)")
    parser.add_argument("--schedule", type=int, default=10_000, help="patents on the one large schedule")
    parser.add_argument("--runs", type=int, default=200, help="timed runs of the large schedule")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    versions = demo_versions()
    if not versions:
        raise SystemExit("../shared/domain is not beside the project: no demo products to price")
    rng = random.Random(args.seed)
    cases = [(rng.choice(versions), "champion" if rng.random() < 0.1 else "sme") for _ in range(args.count)]
    print(f"insurance quote benchmark: {len(versions)} demo products ({', '.join(v.code for v in versions)})")

    times: list[float] = []
    premium = 0
    started = time.perf_counter()
    for version, tier in cases:
        t0 = time.perf_counter()
        quote = compute_quote(version, patents=1, firm_tier=tier)
        times.append(time.perf_counter() - t0)
        premium += quote.premium.minor
    total = time.perf_counter() - started
    print(f"{args.count:,} separate quotes: total {total * 1000:.1f} ms, {args.count / total:,.0f} quotes per second")
    print(f"  per quote p50 {percentile(times, 0.5) * 1e6:.1f} µs, p95 {percentile(times, 0.95) * 1e6:.1f} µs")
    print(f"  premium of all: CNY {premium / 100:,.2f}")

    for version in versions:
        runs: list[float] = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            quote = compute_quote(version, patents=args.schedule, firm_tier="sme")
            runs.append(time.perf_counter() - t0)
        print(
            f"one schedule of {args.schedule:,} patents, {version.code}: p50 {percentile(runs, 0.5) * 1e6:.1f} µs, "
            f"p95 {percentile(runs, 0.95) * 1e6:.1f} µs, mean {statistics.fmean(runs) * 1e6:.1f} µs; "
            f"premium CNY {quote.premium.minor / 100:,.2f}, "
            f"aggregate limit CNY {quote.aggregate_limit.minor / 100:,.2f}"
        )


if __name__ == "__main__":
    main()
