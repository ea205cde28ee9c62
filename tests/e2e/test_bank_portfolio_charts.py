"""The bank portfolio in the browser: the charts are drawn by Apache ECharts served by the app itself (under the
page's Content-Security-Policy, no CDN), each beside its table; the tables are the page without the library."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from frontend.charts import charts_available
from tests.e2e.conftest import LiveServer
from tests.support.services import need

pytestmark = pytest.mark.browser

EMAIL = "officer@portfolio-bank.example.cn"
PASSWORD = "a long enough passphrase"
BANK = "测试银行杭州分行"


def bank_with_cases(server: LiveServer) -> None:
    """A bank signed up through the API, and its book written straight into the live server's database."""
    with httpx.Client(base_url=server.url) as http:
        http.get("/api/auth/csrf")
        r = http.post(
            "/api/auth/sign-up",
            json={"email": EMAIL, "password": PASSWORD, "display_name": "王经理", "org_name": BANK,
                  "org_kind": "bank", "region": "330100", "credit_code": "91330100MA27XL0E2G",
                  "address": "浙江省杭州市上城区测试路 1 号"},
            headers={"x-csrftoken": http.cookies["csrftoken"]},
        )  # fmt: skip
        assert r.status_code in (200, 201, 202), r.text
    db = sqlite3.connect(server.data_dir / "market.sqlite3")
    try:
        (bank,) = db.execute("SELECT id FROM market_organisation WHERE name = ?", (BANK,)).fetchone()
        now = datetime.now(UTC)
        rows = []
        for n, state in enumerate(["submitted", "in_review", "in_review", "more_info", "offered", "accepted"]):
            opened = now - timedelta(days=n * 25)
            rows.append((
                "pledge_loan", n + 1, f"PL-2026-{n + 1:06d}", bank, bank, state, 1, (n + 1) * 100_000_00, "CNY",
                10, opened.date().isoformat(), (now.date() - timedelta(days=1)).isoformat(),
                now.isoformat() if n == 1 else None, opened.isoformat(), now.isoformat(),
                now.isoformat() if state == "accepted" else None,
            ))  # fmt: skip
        db.executemany(
            "INSERT INTO finance_desk_case (kind, subject, reference, reviewer_org, applicant_org, state, version, "
            "amount_minor, currency, sla_working_days, sla_started_on, due_on, breached_at, opened_at, updated_at, "
            "closed_at, paused_working_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            rows,
        )
        db.commit()
    finally:
        db.close()


async def test_the_portfolio_draws_its_charts_beside_their_tables(live_server: LiveServer, browser_page: Any) -> None:
    need(charts_available(), "Apache ECharts is not in frontend/static/vendor (scripts/setup.sh installs it with npm)")
    bank_with_cases(live_server)
    page = browser_page
    refused: list[str] = []
    # a CSP refusal or a script error is a console error; a missing file a 4xx (the browser's own favicon aside)
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" and "Failed to load" not in m.text
            else None)  # fmt: skip
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url
            else None)  # fmt: skip
    page.on("requestfailed", lambda r: refused.append(r.url))
    await page.goto("/sign-in")
    await page.get_by_label("电子邮箱").fill(EMAIL)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_label("密码").press("Enter")
    await page.wait_for_url(re.compile(r"/dashboard"))
    await page.goto("/bank/portfolio")
    await page.locator("#states-CNY").wait_for()
    charts = page.locator("figure.chart-figure .chart svg")
    await charts.first.wait_for()
    assert await charts.count() == 2  # amounts by state, ageing: each drawn
    assert await page.locator("figure.chart-figure table").count() == 2  # each with its table, still on the page
    assert await page.locator("#states-CNY tbody tr").count() == 5
    assert await page.locator("#breaches").get_by_text("PL-2026-000002").count() == 1
    scripts = await page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert scripts and all(s.startswith(live_server.url + "/static/") for s in scripts)  # served by the app only
    assert refused == [], refused

    # on a phone: the charts fit the screen
    await page.set_viewport_size({"width": 390, "height": 800})
    await page.reload()
    await charts.first.wait_for()
    box = await page.locator("figure.chart-figure .chart").first.bounding_box()
    assert box is not None and box["width"] <= 390

