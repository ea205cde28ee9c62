"""Charts on the pages: Apache ECharts from npm (scripts/setup.sh copies it to ``/static/vendor/``; never a CDN),
drawn by ``/static/charts.js`` from the table each chart figure holds, which stays on the page as the chart's text
alternative (and is the page's content without JavaScript or without the library). Templates include
``_charts_head.html`` in their head block and pass ``charts=charts_available()``."""

from __future__ import annotations

from pathlib import Path

ECHARTS = Path(__file__).parent / "static" / "vendor" / "echarts.min.js"


def charts_available() -> bool:
    """Whether setup installed Apache ECharts (without npm the pages show their tables alone)."""
    return ECHARTS.is_file()
