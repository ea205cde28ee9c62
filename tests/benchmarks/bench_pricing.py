"""Benchmark: price 100,000 patents and print suggestions per second.

Run from the repository root:

    .venv/bin/python -m tests.benchmarks.bench_pricing [--count 100000] [--seed 7]

Patents are varied and realistic: kinds in CNIPA's 2022 proportions (49.4% invention, 42.9% utility model, 7.7%
design), IPC codes drawn from the real records in ``../shared/data`` when that folder is present (Lens IPCR codes,
CNIPA 分类号) or generated from the concordance's patterns otherwise, remaining life within each kind's statutory
term, 1-30 claims, some encumbrances, expected sales for most licensees, and platform comparables for some.
Not a pytest test: it only measures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from market.kit.law import STATUTORY_TERM_YEARS, PatentKind, PaymentMode
from market.kit.money import Money
from pricing import Comparable, Encumbrances, LicenseeFacts, PatentFacts, default_engine, load_concordance

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("MARKET_SHARED_DIR", ROOT.parent / "shared")) / "data"
KIND_WEIGHTS = {PatentKind.invention: 494, PatentKind.utility_model: 429, PatentKind.design: 77}


@dataclass(frozen=True)
class Case:
    patent: PatentFacts
    licensee: LicenseeFacts | None
    comparables: tuple[Comparable, ...]


def real_ipc_codes() -> list[str]:
    """IPC codes as they occur in the shared patent records; empty when the folder is absent."""
    codes: list[str] = []
    lens = SHARED_DATA / "lens_coronavirus_patents_union.jsonl"
    if lens.is_file():
        with lens.open(encoding="utf-8") as f:
            for line in f:
                codes += json.loads(line).get("ipcrClassifications") or []
    cn = SHARED_DATA / "cn_patentsemantix_case_records.csv"
    if cn.is_file():
        with cn.open(encoding="utf-8-sig", newline="") as f:
            for rec in csv.DictReader(f):
                codes += [c for c in rec["分类号"].split(";") if c]
    return codes


def generated_ipc_codes(rng: random.Random, count: int = 20_000) -> list[str]:
    """Codes built from the concordance's own patterns, written the common unpadded way (``A61K8/02``)."""
    with (ROOT / "pricing/data/wipo_ipc_technology_concordance_35fields.csv").open(encoding="utf-8") as f:
        patterns = [r["ipc_pattern"] for r in csv.DictReader(f)]
    codes = []
    for _ in range(count):
        pattern = rng.choice(patterns).rstrip("%")
        group = pattern[4:].strip().rstrip("/") or str(rng.randint(1, 99))
        codes.append(f"{pattern[:4]}{group}/{rng.randint(0, 99):02d}")
    return codes


def make_cases(count: int, seed: int) -> tuple[list[Case], str]:
    rng = random.Random(seed)
    real = sorted(set(real_ipc_codes()))  # the records are COVID-heavy: add generated codes to reach every field
    generated = generated_ipc_codes(rng)
    codes = real + generated
    origin = (f"{len(real):,} distinct real IPC codes from {SHARED_DATA} + {len(generated):,} generated"
              if real else f"{len(generated):,} IPC codes generated from the concordance ({SHARED_DATA} absent)")
    concordance = load_concordance()
    pool = comparable_pool(rng)
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    cases = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        ipc = () if kind is PatentKind.design else tuple(rng.sample(codes, rng.randint(1, 4)))
        years = Decimal(rng.randint(1, STATUTORY_TERM_YEARS[kind] * 100)) / 100
        encumbrances = Encumbrances(
            non_exclusive_licences=rng.choice((0, 0, 0, 1, 3)),
            pledged=rng.random() < 0.05,
            pledgee_consents=rng.random() < 0.5,
        )
        patent = PatentFacts(kind=kind, ipc_codes=ipc, remaining_years=years,
                             claims_count=1 if kind is PatentKind.design else rng.randint(1, 30),
                             encumbrances=encumbrances)
        licensee = None
        if rng.random() < 0.7:  # sales from CNY 100,000 to CNY 500 million, log-uniform
            licensee = LicenseeFacts(Money("CNY", int(10 ** rng.uniform(7, 10.7))))
        comparables: tuple[Comparable, ...] = ()
        if ipc and rng.random() < 0.3:
            field = concordance.lookup(ipc[0]).fields
            comparables = (*rng.sample(pool, 8), *pool_for(pool, field))
        cases.append(Case(patent, licensee, comparables))
    return cases, origin


def comparable_pool(rng: random.Random) -> list[Comparable]:
    """Six concluded platform licences per technology field, in random payment modes."""
    pool = []
    for field in range(1, 36):
        for _ in range(6):
            mode = rng.choice(list(PaymentMode))
            pool.append(Comparable(
                field, mode,
                rate_percent=Decimal(rng.randint(50, 1200)) / 100,
                lump_sum=Money("CNY", rng.randint(1_000_000, 500_000_000)),
                entry_fee=Money("CNY", rng.randint(100_000, 50_000_000)),
            ))
    return pool


def pool_for(pool: list[Comparable], fields: tuple[int, ...]) -> list[Comparable]:
    return [c for c in pool if c.field in fields]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    engine = default_engine()
    built = time.perf_counter() - started
    cases, origin = make_cases(args.count, args.seed)
    print(f"pricing benchmark: {args.count:,} patents; {origin}")
    print(f"engine built from the shipped data in {built * 1000:.1f} ms")

    confidence: Counter[str] = Counter()
    industries: Counter[str] = Counter()
    capped = lump_sums = 0
    started = time.perf_counter()
    for case in cases:
        s = engine.suggest(case.patent, case.licensee, comparables=case.comparables)
        confidence[s.confidence.value] += 1
        industries[s.industry.code] += 1
        capped += s.capped
        lump_sums += s.lump_sum is not None
    total = time.perf_counter() - started

    print(f"total: {total:.3f} s")
    print(f"suggestions per second: {args.count / total:,.0f}")
    print(f"per suggestion: {total / args.count * 1e6:.1f} µs")
    print(f"with a lump sum: {lump_sums:,}; capped: {capped:,}; confidence: {dict(sorted(confidence.items()))}")
    print(f"industries: {dict(industries.most_common())}")


if __name__ == "__main__":
    main()
