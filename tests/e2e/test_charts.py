"""Every chart page in the browser, offline (issue 16, point 3 and its acceptance): with every request that does not
go to the app itself refused, each chart figure that has figures to draw holds an <svg> (or <canvas>) drawn by
Apache ECharts from /static/vendor/ and /static/charts.js, and keeps its data table (the text alternative). Covers
the bank portfolio, the insurer's book, the issuer's programme report, the university's overview (funnel, income by
month), the price band at declaration, the match-score breakdown and the admin's platform overview."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import pytest

from frontend.charts import charts_available
from tests.e2e.conftest import LiveServer
from tests.support.services import need

pytestmark = pytest.mark.browser

PASSWORD = "demo-password-2026"
FIGURES = """figures => figures.map(f => ({
  id: f.id || f.querySelector('table') && f.querySelector('table').id || '',
  kind: f.getAttribute('data-chart'),
  table: !!f.querySelector('table tbody'),
  rows: f.querySelectorAll('tbody tr:not([data-chart-skip]) [data-value]:not([data-value=""])').length,
  drawn: !!f.querySelector('.chart svg, .chart canvas'),
  shown: !!f.querySelector('.chart:not([hidden])'),
  label: (f.querySelector('.chart') || f).getAttribute('aria-label') || '',
}))"""


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> dict[str, Any]:
    done = live_server.cli("seed", "--demo", "--listings", "30")
    assert done.returncode == 0, done.stderr
    made = subprocess.run(
        [sys.executable, "-m", "tests.e2e.charts_setup"], env=live_server.env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return dict(json.loads(made.stdout.strip().splitlines()[-1]))


async def offline(page: Any, server: LiveServer) -> list[str]:
    """Refuse every request that leaves the app; the list of what was refused, failed or answered 4xx/5xx."""
    trouble: list[str] = []

    async def only_the_app(route: Any) -> None:
        if route.request.url.startswith(server.url + "/"):
            await route.continue_()
        else:
            trouble.append(f"offsite {route.request.url}")
            await route.abort()

    await page.route("**/*", only_the_app)
    page.on("console", lambda m: trouble.append(f"console {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: trouble.append(f"script {e}"))
    page.on("response", lambda r: trouble.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url
            else None)  # fmt: skip
    return trouble


async def sign_in(page: Any, email: str) -> None:
    await page.context.clear_cookies()
    await page.goto("/sign-in")
    await page.get_by_label("电子邮箱").fill(email)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_label("密码").press("Enter")
    await page.wait_for_url(re.compile(r"/dashboard"))


async def charts_of(page: Any, path: str, *, at_least: int) -> list[dict[str, Any]]:
    """Open ``path``; every figure with figures to draw is drawn (an svg or canvas in its chart box) beside its
    table; at least ``at_least`` of them."""
    response = await page.goto(path)
    assert response is not None and response.status == 200, path
    await page.wait_for_load_state("load")
    figures = await page.eval_on_selector_all("figure.chart-figure", FIGURES)
    if any(f["rows"] for f in figures):
        await page.locator("figure.chart-figure .chart svg, figure.chart-figure .chart canvas").first.wait_for()
        figures = await page.eval_on_selector_all("figure.chart-figure", FIGURES)
    assert all(f["table"] for f in figures), (path, figures)  # each chart keeps its table
    undrawn = [f for f in figures if f["rows"] and not (f["drawn"] and f["shown"])]
    assert not undrawn, (path, undrawn)
    drawn = [f for f in figures if f["drawn"]]
    assert len(drawn) >= at_least, (path, figures)
    # each chart keeps the name the page gave it (the library's own description not written over it)
    served = await (await page.request.get(path)).text()
    named = [html.unescape(n) for n in re.findall(r'<div class="chart" role="img" aria-label="([^"]*)"', served)]
    assert [f["label"] for f in figures] == named, (path, figures, named)
    scripts = await page.eval_on_selector_all("script[src]", "els => els.map(e => e.getAttribute('src'))")
    assert "/static/vendor/echarts.min.js" in scripts and "/static/charts.js" in scripts, scripts
    return figures


async def test_every_chart_page_draws_offline_beside_its_tables(
    live_server: LiveServer, seeded: dict[str, Any], browser_page: Any
) -> None:
    need(charts_available(), "Apache ECharts is not in frontend/static/vendor (scripts/setup.sh installs it with npm)")
    page = browser_page
    trouble = await offline(page, live_server)

    await sign_in(page, "bank@demo.market")
    await charts_of(page, "/bank/portfolio", at_least=2)  # amounts by state, ageing

    await sign_in(page, "insurer@demo.market")
    await charts_of(page, "/insurer/book", at_least=1)  # policies by state (every state, even at nought)

    await sign_in(page, "vouchers@demo.market")
    report = await charts_of(page, "/issuer/voucher-reports", at_least=1)  # by region: what was issued
    assert any(f["kind"] == "bar" and f["drawn"] for f in report)

    await sign_in(page, "university@demo.market")
    overview = await charts_of(page, "/university/overview", at_least=2)
    assert {f["kind"] for f in overview if f["drawn"]} == {"funnel", "bar"}  # the funnel, income by month
    assert await page.locator("#funnel tbody tr").count() == 5
    assert await page.locator("#months tbody tr").count() >= 1
    band = await charts_of(page, f"/declarations/new?patent_id={seeded['patent']}", at_least=1)
    assert [f["kind"] for f in band if f["drawn"]] == ["band"]
    assert await page.locator("#price-band-table tr[data-role='cap']").count() == 1
    assert await page.locator("#price-band-table tr[data-role='chosen']").count() == 1

    await sign_in(page, "sme@demo.market")
    await page.goto("/search")
    title = (await page.locator("#hits li.hit h2 a").first.inner_text()).strip()
    await page.goto("/needs/new")
    await page.locator("#need-title").fill(title)
    await page.locator("#need-description").fill(title)
    await page.locator("#need-deadline").fill((date.today() + timedelta(days=30)).isoformat())
    await page.locator("#need-form button[type=submit]").click()
    await page.wait_for_url(re.compile(r"/needs/\d+$"))
    scores = await charts_of(page, page.url.removeprefix(live_server.url), at_least=1)
    assert [f["kind"] for f in scores if f["drawn"]] == ["stacked"]
    assert await page.locator("#score-table tbody tr").count() == await page.locator("#matches > li").count()

    await sign_in(page, "admin@demo.market")
    admin = await charts_of(page, "/admin/overview", at_least=1)
    assert [f["kind"] for f in admin if f["drawn"]] == ["stacked"]  # the ageing of pending work
    assert await page.locator("#sla-breaches").get_attribute("data-count") == "2"

    # on a phone the charts fit the screen
    await page.set_viewport_size({"width": 375, "height": 800})
    await page.reload()
    await page.locator("figure.chart-figure .chart svg").first.wait_for()
    box = await page.locator("figure.chart-figure .chart").first.bounding_box()
    assert box is not None and box["width"] <= 375
    assert trouble == [], trouble
