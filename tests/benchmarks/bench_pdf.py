"""Benchmark: render the 3-page licence contract through our code, beside WeasyPrint alone on the same HTML.

    cd /work/main && .venv/bin/python -m tests.benchmarks.bench_pdf [--runs 20]

Rows:
- ``render_document``: what a job calls (plain-value check, Jinja2, restricted fetcher, WeasyPrint, SHA-256);
- ``html_to_pdf``: our WeasyPrint call alone (restricted fetcher, render lock), on the final HTML;
- ``weasyprint``: ``weasyprint.HTML(string=html).write_pdf(stylesheets=[CSS(string=css)])``, nothing of ours.

The gap between the first and the last is the cost of our code around WeasyPrint. Without libharfbuzz-subset0
WeasyPrint subsets the Noto CJK fonts with fontTools and every row takes seconds instead of a fraction of one.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import weasyprint
from weasyprint.text.ffi import harfbuzz, harfbuzz_subset, pango

from market.integrations.pdf import DocumentFolder, html_to_pdf, render_document, render_html

FOLDER = Path(__file__).resolve().parents[2] / "finance" / "documents" / "licence_contract"


def timed(fns: dict[str, Callable[[], object]], runs: int, warmup: int = 2) -> dict[str, list[float]]:
    """Interleaved: each round runs every contender once, so a busy machine slows them all alike."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - started)
    return samples


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile: with 20 runs, the 19th fastest."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    folder = DocumentFolder.load(FOLDER)
    values = folder.sample()
    html = render_html(folder, values)
    css = folder.css()
    rendered = render_document(folder, values)

    def ours() -> object:
        return render_document(folder, values)

    def ours_weasyprint_only() -> object:
        return html_to_pdf(html, css, document_root=folder.path)

    def weasyprint_alone() -> object:
        return weasyprint.HTML(string=html).write_pdf(stylesheets=[weasyprint.CSS(string=css)])

    has_subset = bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))
    print(f"licence contract {folder.version}: {rendered.pages} pages, {len(rendered.pdf) / 1024:.0f} KiB PDF")
    print(f"WeasyPrint {weasyprint.__version__}, Pango {pango.pango_version()}, "
          f"HarfBuzz subsetting: {'yes' if has_subset else 'NO (fontTools fallback: slow)'}; {args.runs} runs each")
    print(f"{'':<18}{'median':>10}{'p95':>10}{'min':>10}")
    results = timed(
        {"render_document": ours, "html_to_pdf": ours_weasyprint_only, "weasyprint": weasyprint_alone}, args.runs
    )
    for name, samples in results.items():
        print(f"{name:<18}{statistics.median(samples):>9.3f}s{p95(samples):>9.3f}s{min(samples):>9.3f}s")


if __name__ == "__main__":
    main()
