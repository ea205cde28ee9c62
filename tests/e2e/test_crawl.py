"""The acceptance crawl of issue 16: every page of every role, in Chinese and in English, has one language, no
horizontal overflow at 375 px, no serious or critical axe-core violation and no link that does not answer 200
(tests/e2e/crawl.py says exactly what is checked). One test per role, so a failure names the role; its message lists
every offending page with what was found there, in both languages. No page is exempt.

The crawler's own checks are tested first, on made-up pages, so that a crawl that passes means something."""

from __future__ import annotations

import struct
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, async_playwright

from tests.e2e.conftest import CHROMIUM_ARGS, LiveServer
from tests.e2e.crawl import (
    AXE_JS,
    ROLES,
    ROOT,
    WIDTH,
    Crawl,
    crawl_role,
    english_phrases,
    han_characters,
    pattern_of,
    seed,
)
from tests.support.services import CHROMIUM, need

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    """Seven roles sign in within a minute from one address: above the default sign-in rate limit (10 a minute per
    client), which the crawl is not about."""
    return {"MARKET_SIGN_IN_RATE_PER_MINUTE": "100"}


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> dict[str, Any]:
    began = time.monotonic()
    facts = seed(live_server)
    print(f"crawl: demo data seeded in {time.monotonic() - began:.1f} s")
    return facts


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    need(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    need(AXE_JS.exists(), f"axe-core is not installed at {AXE_JS} (scripts/setup.sh installs it with npm)")
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            await launched.close()


# ------------------------------------------------------------------------------------------- the checks alone


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("出错了 · Not allowed", ["Not allowed"]),
        ("只有 Only organisations of kind sme, university may do this",
         ["Only organisations of kind sme", "university may do this"]),
        ("下载PDF文件", []),
        ("导出 CSV 文件 · API 令牌", []),
        ("API token", []),  # an abbreviation and one word
        ("专利号 CN108982325B，IPC H01L 21/02", []),
        ("请联系 someone@example.cn 或访问 https://example.cn/a b", []),
        ("状态 in_review", []),
        ("1 years", []),  # one word (a plural mistake, not a phrase)
        ("审核 pending review", ["pending review"]),
        ("中文Sign in", ["Sign in"]),
        ("e-mail address", ["e-mail address"]),
    ],
)  # fmt: skip
def test_english_phrases_on_a_chinese_page(text: str, phrases: list[str]) -> None:
    assert english_phrases(text) == phrases


def test_han_on_an_english_page() -> None:
    assert han_characters("Signed in as Wang") == ""
    assert han_characters("出错了 · Not allowed") == "出错了"
    assert han_characters("Amount（yuan）：12") == "（）："


def test_patterns_group_urls_by_their_shape() -> None:
    assert pattern_of("http://h/listings/12") == pattern_of("http://h/listings/345") == "/listings/N"
    assert pattern_of("http://h/search?q=a&page=2") == pattern_of("http://h/search?page=3&q=a#x")
    assert pattern_of("http://h/patents?declared=published") != pattern_of("http://h/patents?declared=none")
    assert pattern_of("http://h/patents/CN108982325B") == "/patents/CNNB"


BAD_HOME = """<!doctype html><html lang="zh-CN"><head><title>Tsinghua University 清华大学 · 首页</title>
<link rel="stylesheet" href="/missing.css"></head><body><main>
<h1>首页</h1><p>出错了 · Not allowed</p><p translate="no">Tsinghua University 清华大学</p>
<a href="/wide">宽</a> <a href="/gone/1">一</a> <a href="/gone/2">二</a> <a href="/gone/3">三</a>
<a href="/report.pdf">报告</a> <a lang="en" href="/lang/en?next=/">Read in English</a>
<img src="/logo.png"></main></body></html>"""
WIDE = """<!doctype html><html lang="zh-CN"><head><title>Wide page · 宽</title></head><body><main><h1>宽页面</h1>
<div id="too-wide" style="width:800px">很宽</div><a href="/">首页</a></main></body></html>"""


class MadeUpSite(BaseHTTPRequestHandler):
    """The made-up pages: a home page with a fault of each kind, a page too wide for a phone, links that are gone."""

    pages = {"/": BAD_HOME, "/wide": WIDE}

    def do_GET(self) -> None:
        body, status, kind = self.pages.get(self.path, "<html lang=zh-CN></html>"), 200, "text/html; charset=utf-8"
        if self.path not in self.pages:
            status = 500 if self.path.endswith(".pdf") else 404
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


async def test_the_crawler_finds_each_kind_of_fault(browser: Browser) -> None:
    """Made-up pages with one fault of each kind: each is found, on the page where it is; the proper name marked
    translate="no" (and the <title> repeating it) and the other-language switch are not faults; a pattern's third URL
    is requested, not opened."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), MadeUpSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    context = await browser.new_context(base_url=base, viewport={"width": WIDTH, "height": 800})
    try:
        report = await Crawl(context, base, "test", "zh", signed_in=False).run(["/"])
    finally:
        await context.close()
        server.shutdown()
        server.server_close()
    text = report.describe()
    assert any(f.page == "/" and f.kind == "language" and "Not allowed" in f.detail for f in report.findings), text
    assert not any("Tsinghua" in f.detail or "Read in English" in f.detail for f in report.findings), text
    assert any(f.page == "/wide" and "Wide page" in f.detail and "title" in f.detail for f in report.findings), text
    assert any(f.page == "/wide" and f.kind == "overflow" and "div#too-wide" in f.detail for f in report.findings), text
    assert any(f.page == "/" and f.kind == "status" and "/missing.css" in f.detail for f in report.findings), text
    assert any(f.kind == "status" and "/report.pdf" in f.detail and f.page == "/" for f in report.findings), text
    assert any(f.kind == "axe" and "image-alt" in f.detail for f in report.findings), text
    # /gone/1 and /gone/2 opened (404 found on each), /gone/3 only requested, and still found
    gone = {f.page for f in report.findings if f.kind == "status" and f.detail.startswith("404")}
    assert gone >= {"/gone/1", "/gone/2"}, text
    assert any(f.page == "/" and f.detail == "404 for link /gone/3" for f in report.findings), text
    assert not any(p.startswith("/lang/") for p in report.pages)
    assert sorted(report.pages) == ["/", "/gone/1", "/gone/2", "/wide"]


# ------------------------------------------------------------------------------------------- the acceptance


@pytest.mark.parametrize("role", list(ROLES))
async def test_every_page_of_the_role_in_both_languages(
    role: str, live_server: LiveServer, seeded: dict[str, Any], browser: Browser
) -> None:
    began = time.monotonic()
    reports = await crawl_role(browser, live_server.url, role)
    timing = "\n".join(r.summary() for r in reports) + f"\n{role}: crawled in {time.monotonic() - began:.1f} s"
    print(timing)
    for report in reports:
        assert len(report.pages) > 1, f"{report.role}/{report.lang} opened {report.pages} only"
    problems = [r.describe() for r in reports if r.findings]
    assert not problems, timing + "\n\n" + "\n\n".join(problems)


def test_the_screenshot_command_photographs_a_dashboard(
    live_server: LiveServer, seeded: dict[str, Any], tmp_path: Path
) -> None:
    """``python -m tests.e2e.screenshots`` (scripts/screenshots.sh) for one role, on the seeded app: its dashboard at
    1280 and 375 px in both languages, as PNG files of those widths."""
    need(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    out = tmp_path / "screens"
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.screenshots", str(out), "--role", "sme", "--url", live_server.url],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    made = sorted(p.name for p in out.iterdir())
    assert made == ["sme-en-1280.png", "sme-en-375.png", "sme-zh-1280.png", "sme-zh-375.png"]
    for name in made:
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        width = struct.unpack(">I", data[16:20])[0]
        assert width == int(name.removesuffix(".png").rsplit("-", 1)[1]), (name, width)
