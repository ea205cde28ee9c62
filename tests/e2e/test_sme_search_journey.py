"""An SME signs in, searches in Chinese, narrows by a facet, opens a listing, saves the search, posts a technology
need and sees ranked matches with their reasons. The listings are the demo seed's (real CNKI records published by
demo universities through the declaration service, indexed through the outbox by the CLI's jobs)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser

SME_EMAIL = "sme@demo.market"
DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> LiveServer:
    # 400 listings (about 30 mention 显示面板): the full 2,400-listing seed is timed by tests.benchmarks.bench_seed
    done = live_server.cli("seed", "--demo", "--listings", "400")
    assert done.returncode == 0, done.stderr
    assert "Demo listings: 400 published" in done.stdout or "already seeded" in done.stdout, done.stdout
    return live_server


async def test_an_sme_searches_saves_and_posts_a_need(seeded: LiveServer, browser_page: Any) -> None:
    page = browser_page
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)

    await page.goto("/sign-in")
    await page.get_by_label("电子邮箱").fill(SME_EMAIL)
    await page.get_by_label("密码").fill(DEMO_PASSWORD)
    await page.get_by_label("密码").press("Enter")
    await page.wait_for_url(re.compile(r"/dashboard"))

    # Search in Chinese, with the keyboard.
    await page.goto("/search")
    box = page.get_by_label("搜索词")
    await box.fill("显示面板")
    await box.press("Enter")
    await page.wait_for_url(re.compile(r"/search\?q="))
    total = int(await page.locator("#result-count").get_attribute("data-total"))
    assert total > 1
    assert await page.locator("#hits mark").count() > 0  # the matched words are marked
    assert "显示面板" in await page.locator("#hits li h2").first.inner_text()

    # Narrow by a facet: the first payment mode, with its count.
    option = page.locator("#facet-payment_mode input[type=checkbox]").first
    expected = int(await option.get_attribute("data-count"))
    await option.check()  # a facet applies on change: no button to press (the button stays for pages without JS)
    await page.wait_for_url(re.compile(r"payment_mode="))
    narrowed = int(await page.locator("#result-count").get_attribute("data-total"))
    assert narrowed == expected and narrowed <= total
    assert await page.locator("#facet-payment_mode input[type=checkbox]:checked").count() == 1

    # Open a listing, then come back.
    first = page.locator("#hits li").first
    number = await first.get_attribute("data-number")
    await first.locator("h2 a").click()
    await page.wait_for_url(re.compile(r"/listings/\d+$"))
    assert number in await page.content()
    await page.go_back()
    await page.wait_for_url(re.compile(r"payment_mode="))

    # Save the search.
    await page.get_by_label("名称", exact=True).fill("显示面板（一次性付费）")
    await page.get_by_role("button", name="保存此搜索").click()
    await page.wait_for_url(re.compile(r"saved=1"))
    assert await page.locator("#search-saved").is_visible()
    await page.locator("#search-saved").get_by_role("link", name="保存的搜索").click()
    await page.wait_for_url(re.compile(r"/saved-searches$"))
    assert "显示面板（一次性付费）" in await page.locator("#saved-searches").inner_text()

    # Post a need and see the ranked matches with their reasons.
    await page.goto("/needs/new")
    await page.get_by_label("需求名称").fill("液晶显示面板的驱动电路")
    await page.get_by_label("需求描述").fill("我们生产车载显示屏，寻找液晶显示面板、驱动电路和背光模组方面的专利。")
    await page.get_by_label("技术领域（可选）").select_option(label="视听技术")
    await page.get_by_label("首付预算上限（元，可选）").fill("200000")
    await page.get_by_label("截止日期（可选）").fill((date.today() + timedelta(days=60)).isoformat())
    await page.get_by_role("button", name="发布需求").click()
    await page.wait_for_url(re.compile(r"/needs/\d+$"))
    matches = page.locator("#matches > li")
    assert await matches.count() >= 3
    scores = [int(await m.get_attribute("data-score")) for m in await matches.all()]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    best = matches.first
    assert await best.locator('[data-reason="terms"]').count() == 1
    assert "需求中的词语出现在该专利中" in await best.locator('[data-reason="terms"]').inner_text()
    assert await best.locator('[data-reason="budget"]').count() == 1
    assert await best.locator(".terms-list li").count() >= 1

    # English on the switch.
    await page.locator("#lang-switch").click()
    assert "Matching open licences" in await page.content()
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors  # nothing inline
