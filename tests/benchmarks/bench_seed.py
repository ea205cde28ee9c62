"""Benchmark: the demo seed (`market seed --demo`), 2,400 listings published through the declaration service and
indexed through the outbox, on a fresh SQLite file (the embedded default). Prints listings per second.

    python -m tests.benchmarks.bench_seed [--listings 2400]

The browser journey seeds 400 listings; this measures the full demo seed the README's start command runs.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(listings: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
        env = {**os.environ, "MARKET_DATA_DIR": tmp, "MARKET_DATABASE_URL": "", "MARKET_REDIS_URL": ""}
        subprocess.run([sys.executable, "-m", "market", "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "market", "seed", "--demo", "--listings", str(listings)],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
    published = re.search(r"Demo listings: (\d+) published", done.stdout)
    count = int(published.group(1)) if published else 0
    print(f"demo seed: {count} listings published and indexed in {seconds:.1f} s ({count / seconds:,.0f}/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=2400)
    run(parser.parse_args().listings)


if __name__ == "__main__":
    main()
