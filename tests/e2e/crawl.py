"""A crawler of the pages, as each demo role sees them, in Chinese and in English (issue 16, the acceptance's crawl).

Signed in as a role (or not signed in: the visitor), it starts at the role's first pages and follows every
same-origin GET link breadth-first. URLs are grouped by pattern (runs of digits become ``N``, the query's keys and
values are kept, digits in them too) and at most ``PER_PATTERN`` URLs of a pattern are opened in the browser; every
other link found is still requested (GET, redirects followed) for its status. Downloads (PDF, CSV ...), the API and
static files are requested, never opened as pages; ``/sign-out`` and ``/lang/`` are left alone (the latter would
switch the crawl's language).

On each page opened, at 375 px wide:

- the status: 200 (after redirects; a link that lands on the sign-in page is a broken link for a signed-in role), and
  every file the page loads (scripts, styles, images) answers below 400; no script error, no refusal by the
  Content-Security-Policy;
- one language: on a Chinese page no English phrase of two or more words, on an English page no Han character (nor
  CJK punctuation), outside elements marked ``translate="no"`` (proper names, patent data, what users typed) and
  elements whose ``lang`` differs from the page's (the language switch); URLs, e-mail addresses, codes (tokens with a
  digit, ``_`` or ``.``: patent numbers, IPC classes, references) and a few abbreviations (``ABBREVIATIONS``) are not
  words. Text nodes, ``<title>`` and the attributes people read (``title``, ``alt``, ``placeholder``, ``aria-label``,
  a button's ``value``) are checked; the ``<title>`` may repeat a text the page marks (a patent's title in its
  ``<h1 translate="no">``); the page's ``<html lang>`` must be the language's;
- no horizontal overflow: the document is no wider than the screen (the elements that stick out are named);
- axe-core (npm, ``frontend/node_modules/axe-core``, injected by the test, never served by the app): no violation of
  serious or critical impact. axe runs once per pattern and language (on the pattern's first page).

``crawl_role`` returns a ``CrawlReport`` per language with every finding; ``CrawlReport.describe`` lists them page by
page. ``tests/e2e/test_crawl.py`` is the acceptance test; ``seed`` gives the demo roles something to show."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from playwright.async_api import Browser, BrowserContext, Page, Response
from playwright.async_api import Error as PlaywrightError

from tests.e2e.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "demo-password-2026"

# The roles crawled: the demo account each signs in with (the visitor does not sign in).
ROLES: dict[str, str | None] = {
    "visitor": None,
    "university": "university@demo.market",
    "sme": "sme@demo.market",
    "bank": "bank@demo.market",
    "insurer": "insurer@demo.market",
    "issuer": "vouchers@demo.market",
    "provider": "provider@demo.market",
    "admin": "admin@demo.market",
}
SIGNED_IN_STARTS = ["/dashboard", "/search", "/listings"]
VISITOR_STARTS = ["/search", "/listings", "/sign-in", "/sign-up"]
LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}

WIDTH, HEIGHT = 375, 812  # a phone
PER_PATTERN = 2  # URLs of one pattern opened in the browser (each language)
PAGES = 3  # browser tabs crawling at once (each language)
SERIOUS = {"serious", "critical"}

NOT_FOLLOWED = ("/sign-out", "/lang/")  # a POST form anyway; switching language would change the crawl's language
DOWNLOADS = re.compile(r"\.(pdf|csv|xlsx?|zip|json|txt|xml|png|jpe?g|svg|ofd)$", re.IGNORECASE)
NOT_PAGES = ("/static/", "/api/", "/schema")  # requested for their status, not opened as pages

# Abbreviations that a Chinese page may show as they are (they are not English words to a Chinese reader).
ABBREVIATIONS = {
    "API", "IPC", "CPC", "CNY", "USD", "EUR", "PDF", "CSV", "URL", "HTTP", "HTTPS", "JSON", "SLA", "CNIPA", "ID",
    "OFD", "XML", "HMAC", "SHA", "UTC",
}  # fmt: skip
URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# a code: a token with a digit, an underscore or an inner dot (CN108982325B, H01L, PL-2026-000001, in_review)
CODE_RE = re.compile(r"[A-Za-z0-9]*(?:\d|_|[A-Za-z]\.[A-Za-z])[\w./:#-]*")
WORD = r"[A-Za-z]+(?:['’-][A-Za-z]+)*"
PHRASE_RE = re.compile(rf"(?<![A-Za-z0-9_]){WORD}(?:\s+{WORD})+(?![A-Za-z0-9_])")
ABBREVIATION_RE = re.compile(
    r"(?<![A-Za-z0-9_])(?:" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")s?(?![A-Za-z0-9_])"
)
# Han ideographs, and CJK punctuation / full-width forms (，。：（）) that an English sentence does not use
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001-\u303f\uff01-\uff5e]")

# The text a reader gets from the page, outside translate="no" and other-language elements, with where it is.
TEXTS_JS = r"""
(pageLang) => {
  const ATTRS = ['title', 'alt', 'placeholder', 'aria-label', 'aria-description', 'aria-roledescription'];
  const SKIP_TAGS = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);
  const cache = new Map();
  const skipped = (el) => {
    if (cache.has(el)) return cache.get(el);
    let translate = null, lang = null;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      if (translate === null && e.hasAttribute('translate')) translate = e.getAttribute('translate').toLowerCase();
      if (lang === null && e.hasAttribute('lang')) lang = e.getAttribute('lang').toLowerCase();
      if (SKIP_TAGS.has(e.tagName)) { cache.set(el, true); return true; }
    }
    const out = translate === 'no' || (lang !== null && lang !== '' && !lang.startsWith(pageLang));
    cache.set(el, out);
    return out;
  };
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) { s += '#' + e.id; parts.unshift(s); break; }
      if (e.classList.length) s += '.' + [...e.classList].slice(0, 2).join('.');
      parts.unshift(s);
    }
    return parts.join(' > ');
  };
  const out = [];
  const marked = new Set();  // the texts of marked elements (proper names, data), which a <title> may repeat
  for (const el of document.body ? document.body.querySelectorAll('[translate], [lang]') : []) {
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim();
    if (text && skipped(el)) marked.add(text);
  }
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    let text = n.nodeValue.replace(/\s+/g, ' ').trim();
    if (n.parentElement && n.parentElement.tagName === 'TITLE') {
      for (const name of [...marked].sort((a, b) => b.length - a.length)) text = text.split(name).join(' ');
      text = text.trim();
    }
    if (text && !skipped(n.parentElement)) out.push([text, where(n.parentElement)]);
  }
  for (const el of document.querySelectorAll('*')) {
    if (skipped(el)) continue;
    for (const a of ATTRS) {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push([v.trim(), where(el) + '[' + a + ']']);
    }
    if (el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes((el.type || '').toLowerCase()) && el.value)
      out.push([el.value, where(el) + '[value]']);
  }
  return {lang: document.documentElement.getAttribute('lang') || '', texts: out};
}
"""

# The document's width against the screen's, and the elements that stick out (the outermost of each overflow).
OVERFLOW_JS = r"""
() => {
  const de = document.documentElement;
  const cw = de.clientWidth;
  const sw = Math.max(de.scrollWidth, document.body ? document.body.scrollWidth : 0);
  if (sw <= cw) return null;
  const clipped = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.classList.length ? '.' + [...e.classList].slice(0, 2).join('.') : '');
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= cw + 1) continue;
    const p = el.parentElement;
    if (p && p !== document.body && p.getBoundingClientRect().right > cw + 1) continue;  // its parent sticks out too
    if (clipped(el)) continue;
    const path = [];
    for (let e = el; e && e !== document.body && path.length < 4; e = e.parentElement) path.unshift(name(e));
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 40);
    found.push({element: path.join(' > '), right: Math.round(r.right), width: Math.round(r.width), text});
  }
  found.sort((a, b) => b.right - a.right);
  return {scrollWidth: sw, clientWidth: cw, widest: found.slice(0, 3)};
}
"""

AXE_RUN_JS = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')), count: v.nodes.length,
  }));
}
"""


@dataclass(frozen=True)
class Finding:
    page: str  # the page (path and query) where it was found
    kind: str  # status, language, overflow, axe, script
    detail: str


@dataclass
class CrawlReport:
    role: str
    lang: str
    pages: list[str] = field(default_factory=list)  # opened in the browser
    links: int = 0  # distinct links whose status was checked (pages opened included)
    patterns: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    phases: Counter[str] = field(default_factory=Counter)  # seconds spent per check, summed over the tabs

    def describe(self) -> str:
        """Every finding, page by page."""
        by_page: dict[str, list[Finding]] = {}
        for f in self.findings:
            by_page.setdefault(f.page, []).append(f)
        lines = [f"{self.role}/{self.lang}: {len(self.findings)} finding(s) on {len(by_page)} page(s)"]
        for page, found in sorted(by_page.items()):
            lines.append(f"  {page}")
            lines.extend(f"    [{f.kind}] {f.detail}" for f in found)
        return "\n".join(lines)

    def summary(self) -> str:
        return (
            f"{self.role}/{self.lang}: {len(self.pages)} pages opened, {self.patterns} patterns, {self.links} links "
            f"checked, {len(self.findings)} findings, {self.seconds:.1f} s ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in self.phases.most_common())
            + ")"
        )


# ------------------------------------------------------------------------------------------------- text checks


def english_phrases(text: str) -> list[str]:
    """English phrases (two or more words) in a text meant to be Chinese; URLs, e-mail addresses, codes and the
    allowed abbreviations are not words (and split phrases)."""
    text = URL_RE.sub(" ¤ ", text)
    text = EMAIL_RE.sub(" ¤ ", text)
    text = CODE_RE.sub(lambda m: " ¤ " if re.search(r"[\d_.]", m.group()) else m.group(), text)
    text = ABBREVIATION_RE.sub(" ¤ ", text)
    return [m.group() for m in PHRASE_RE.finditer(text)]


def han_characters(text: str) -> str:
    """The Han characters (and CJK punctuation) in a text meant to be English."""
    return "".join(HAN_RE.findall(text))


def language_findings(path: str, lang: str, html_lang: str, texts: Iterable[tuple[str, str]]) -> list[Finding]:
    found = []
    if html_lang.lower() != HTML_LANG[lang].lower():
        found.append(Finding(path, "language", f'<html lang="{html_lang}">, not "{HTML_LANG[lang]}"'))
    seen: set[tuple[str, str]] = set()
    for text, where in texts:
        if (text, where) in seen:
            continue
        seen.add((text, where))
        if lang == "zh":
            phrases = english_phrases(text)
            if phrases:
                found.append(Finding(path, "language", f"English {phrases[:3]} in {where}: {text[:120]!r}"))
        else:
            han = han_characters(text)
            if han:
                found.append(Finding(path, "language", f"Chinese {han[:20]!r} in {where}: {text[:120]!r}"))
    return found


# --------------------------------------------------------------------------------------------------- URLs


def pattern_of(url: str) -> str:
    """The URL's pattern: digits become N in the path and in the query (keys sorted); the fragment goes."""
    parts = urlsplit(url)
    query = sorted((k, re.sub(r"\d+", "N", v)) for k, v in parse_qsl(parts.query, keep_blank_values=True))
    path = re.sub(r"\d+", "N", parts.path)
    return path + ("?" + urlencode(query) if query else "")


def normalise(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def short(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def is_page(url: str) -> bool:
    path = urlsplit(url).path
    return not DOWNLOADS.search(path) and not path.startswith(NOT_PAGES)


# ---------------------------------------------------------------------------------------------- the crawl


class Crawl:
    """One role's crawl in one language, in one browser context (signed in already, language chosen)."""

    def __init__(self, context: BrowserContext, base_url: str, role: str, lang: str, *, signed_in: bool) -> None:
        self.context, self.base, self.signed_in = context, base_url.rstrip("/"), signed_in
        self.origin = urlsplit(self.base).netloc
        self.report = CrawlReport(role=role, lang=lang)
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.linked_from: dict[str, list[str]] = {}  # every link found -> the pages it was found on (first few)
        self.opened: set[str] = set()
        self.per_pattern: Counter[str] = Counter()
        self.axed: set[str] = set()
        self.axe = AXE_JS.read_text()

    def add(self, url: str, source: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != self.origin:
            return
        if parts.path.startswith(NOT_FOLLOWED):
            return
        url = normalise(url)
        sources = self.linked_from.setdefault(url, [])
        if len(sources) < 3 and source not in sources:
            sources.append(source)
        if url in self.opened or not is_page(url):
            return
        pattern = pattern_of(url)
        if self.per_pattern[pattern] >= PER_PATTERN:
            return
        self.per_pattern[pattern] += 1
        self.opened.add(url)
        self.queue.put_nowait(url)

    def find(self, page: str, kind: str, detail: str) -> None:
        self.report.findings.append(Finding(page, kind, detail))

    async def run(self, starts: Iterable[str]) -> CrawlReport:
        began = time.monotonic()
        for path in starts:
            self.add(self.base + path, "(start)")
        workers = [asyncio.create_task(self.worker()) for _ in range(PAGES)]
        try:
            await self.queue.join()
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        clock = time.monotonic()
        await self.check_statuses()
        self.lap("links", clock)
        self.report.patterns = len(self.per_pattern)
        self.report.links = len(self.linked_from)
        self.report.seconds = time.monotonic() - began
        return self.report

    async def worker(self) -> None:
        page = await self.context.new_page()
        page.set_default_timeout(30_000)
        current: list[str] = [""]
        page.on("response", lambda r: self.on_response(r, page, current[0]))
        page.on("pageerror", lambda e: self.find(current[0], "script", f"uncaught error: {e}"))
        page.on("console", lambda m: self.on_console(m.type, m.text, current[0]))
        try:
            while True:
                url = await self.queue.get()
                current[0] = short(url)
                try:
                    await self.visit(page, url)
                except PlaywrightError as exc:
                    self.find(short(url), "status", f"could not be opened: {str(exc).splitlines()[0]}")
                finally:
                    self.queue.task_done()
        finally:
            await page.close()

    def on_response(self, response: Response, page: Page, current: str) -> None:
        if response.request.is_navigation_request() and response.request.frame == page.main_frame:
            return  # the page's own status is checked by visit()
        if response.status >= 400:
            self.find(
                current, "status", f"{response.status} for {response.request.resource_type} {short(response.url)}"
            )

    def on_console(self, kind: str, text: str, current: str) -> None:
        if kind == "error" and "Content Security Policy" in text:
            self.find(current, "script", f"refused by the Content-Security-Policy: {text[:200]}")

    async def visit(self, page: Page, url: str) -> None:
        path = short(url)
        self.report.pages.append(path)
        clock = time.monotonic()
        try:
            response = await page.goto(url, wait_until="load")
        except PlaywrightError as exc:
            if "Download is starting" in str(exc) or "ERR_ABORTED" in str(exc):
                self.opened.discard(url)  # a download after all: its status is requested with the others
                return
            raise
        if response is None:
            self.find(path, "status", "no response")
            return
        final = short(page.url)
        if normalise(page.url) != url:  # redirected (/ to /dashboard): the page it lands on is checked once
            landed = normalise(page.url)
            if landed in self.opened:
                return
            self.opened.add(landed)
        if response.status != 200:
            self.find(path, "status", f"{response.status} (linked from {self.sources(url)})")
            return
        if self.signed_in and urlsplit(page.url).path == "/sign-in":
            self.find(path, "status", f"sends a signed-in user to {final} (linked from {self.sources(url)})")
            return
        if "html" not in (response.headers.get("content-type") or ""):
            return  # a document of another kind (a PDF shown inline, JSON): its status is all there is to check
        clock = self.lap("open", clock)
        for href in await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            self.add(href, path)
        found = await page.evaluate(TEXTS_JS, self.report.lang)
        self.report.findings.extend(
            language_findings(path, self.report.lang, found["lang"], [(t, w) for t, w in found["texts"]])
        )
        clock = self.lap("language", clock)
        overflow = await page.evaluate(OVERFLOW_JS)
        clock = self.lap("overflow", clock)
        if overflow:
            widest = "; ".join(
                f"{w['element']} reaches {w['right']} px ({w['width']} px wide, {w['text']!r})"
                for w in overflow["widest"]
            )
            self.find(
                path,
                "overflow",
                f"the page is {overflow['scrollWidth']} px wide on a {overflow['clientWidth']} px screen: "
                + (widest or "no single element named"),
            )
        pattern = pattern_of(url)
        if pattern not in self.axed:
            self.axed.add(pattern)
            await page.evaluate(self.axe)
            for v in await page.evaluate(AXE_RUN_JS):
                if v["impact"] in SERIOUS:
                    self.find(
                        path, "axe", f"{v['impact']} {v['id']}: {v['help']} ({v['count']} element(s): {v['nodes']})"
                    )
            self.lap("axe", clock)

    def lap(self, phase: str, since: float) -> float:
        now = time.monotonic()
        self.report.phases[phase] += now - since
        return now

    def sources(self, url: str) -> str:
        return ", ".join(self.linked_from.get(url, [])) or "?"

    async def check_statuses(self) -> None:
        """Every link found and not opened as a page: requested (GET, redirects followed), 200 expected."""
        todo = [url for url in self.linked_from if url not in self.opened]
        gate = asyncio.Semaphore(4)

        async def check(url: str) -> None:
            async with gate:
                try:
                    response = await self.context.request.get(url, timeout=60_000)
                except PlaywrightError as exc:
                    self.find(self.sources(url), "status", f"{short(url)} could not be requested: {exc}")
                    return
                if response.status != 200:
                    self.find(self.sources(url), "status", f"{response.status} for link {short(url)}")
                elif self.signed_in and urlsplit(response.url).path == "/sign-in" and is_page(url):
                    self.find(self.sources(url), "status", f"link {short(url)} sends a signed-in user to sign in")
                await response.dispose()

        await asyncio.gather(*(check(url) for url in todo))


# ------------------------------------------------------------------------------------------ roles and contexts


async def sign_in(page: Page, email: str) -> None:
    await page.goto("/sign-in")
    await page.locator("input[name=email]").fill(email)
    await page.locator("input[name=password]").fill(DEMO_PASSWORD)
    async with page.expect_navigation():
        await page.locator("input[name=password]").press("Enter")
    if urlsplit(page.url).path == "/sign-in":
        raise AssertionError(f"{email} could not sign in")


async def choose_language(page: Page, lang: str) -> None:
    """The language as a user chooses it: the switch link's address, /lang/<code>."""
    await page.goto(f"/lang/{lang}?next=/")


async def role_contexts(browser: Browser, base_url: str, role: str) -> dict[str, BrowserContext]:
    """A browser context per language for the role, signed in (one sign-in: the second context gets its cookies)."""
    options: dict[str, Any] = {"base_url": base_url, "viewport": {"width": WIDTH, "height": HEIGHT}}
    first = await browser.new_context(locale="zh-CN", **options)
    email = ROLES[role]
    if email is not None:
        page = await first.new_page()
        await sign_in(page, email)
        await page.close()
    state = await first.storage_state()
    second = await browser.new_context(locale="en-GB", storage_state=state, **options)
    contexts = {"zh": first, "en": second}
    for lang, context in contexts.items():
        page = await context.new_page()
        await choose_language(page, lang)
        await page.close()
    return contexts


async def crawl_role(browser: Browser, base_url: str, role: str) -> list[CrawlReport]:
    """The role's pages crawled in both languages at once; a report per language."""
    contexts = await role_contexts(browser, base_url, role)
    starts = VISITOR_STARTS if ROLES[role] is None else SIGNED_IN_STARTS
    try:
        crawls = [Crawl(c, base_url, role, lang, signed_in=ROLES[role] is not None) for lang, c in contexts.items()]
        return list(await asyncio.gather(*(c.run(starts) for c in crawls)))
    finally:
        for context in contexts.values():
            await context.close()


# --------------------------------------------------------------------------------------------------- the data


def run_module(server: LiveServer, module: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def seed(server: LiveServer, listings: int = 30) -> dict[str, Any]:
    """The demo (``market seed --demo``) with some listings, then what the browser journeys set up: a licence taken
    by the SME under a running royalty (insurance_setup), a lump-sum declaration (voucher_setup), the SME's own
    patents (pledge_setup). Returns the setups' facts."""
    run_module(server, "market", "seed", "--demo", "--listings", str(listings))
    facts: dict[str, Any] = {"insurance": json.loads(run_module(server, "tests.e2e.insurance_setup"))}
    facts["voucher"] = json.loads(run_module(server, "tests.e2e.voucher_setup"))
    facts["pledge"] = run_module(server, "tests.e2e.pledge_setup").split()
    return facts
