"""The pricing explanation in plain words (issue 16, point 4): factor by factor, one sentence each, in the page's
language; the formulas, data sources, file names and URLs one click away (a <details>), not inline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from market.i18n import catalogue
from tests.conftest import Backend, Client
from tests.frontend.test_listings_pages import eligible_patent, signed_in_university

HTML = {"accept": "text/html"}
ROOT = Path(__file__).resolve().parents[2]
HAN = re.compile(r"[\u4e00-\u9fff]")


def factor_codes() -> set[str]:
    """Every factor message the pricing library makes (``pricing.factor.<name>``; its sub-codes excluded)."""
    found: set[str] = set()
    for path in (ROOT / "pricing").rglob("*.py"):
        found |= set(re.findall(r'"(pricing\.factor\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_factor_has_a_plain_sentence(lang: str) -> None:
    codes = factor_codes()
    assert {"pricing.factor.patent_kind", "pricing.factor.legal_caps", "pricing.factor.comparables"} <= codes
    words = catalogue(lang)
    for code in sorted(codes):
        plain = code.replace("pricing.factor.", "pricing.plain.")
        text = words.gettext(plain)
        assert text != plain, f"{plain} missing in {lang}"
        assert "http" not in text and ".md" not in text and "=" not in text  # no URLs, files or formulas
        assert len(re.findall(r"[。.](?!\d)", text.rstrip("。.").replace("%%", ""))) <= 1  # one sentence


def section(html: str, start_marker: str, end_marker: str) -> str:
    start = html.index(start_marker)
    return html[start : html.index(end_marker, start)]


async def test_declaration_page_explains_factor_by_factor(backend: Backend, client: Client) -> None:
    account = await signed_in_university(client)
    patent = await eligible_patent(account)
    html = (await client.get(f"/declarations/new?patent_id={patent}", headers=HTML)).text
    plain = section(html, 'id="factors"', "</ol>")
    items = re.findall(r"<li[^>]*>(.*?)</li>", plain, re.S)
    assert len(items) >= 5 and 'data-key="industry_distribution"' in plain
    for item in items:
        assert HAN.search(item), item  # Chinese on the Chinese page
        assert not re.search(r"https?://|docs/|\.csv|\.json|\bw\s*=|a\(", item), item  # no sources, no formulas
        assert not re.search(r"[A-Za-z]{3,}", item), item  # no English words inline on the Chinese page
        assert "pricing.plain" not in item
    sources = section(html, 'id="factor-sources"', "</details>")
    assert "<summary>" in sources and "docs/pricing.md" in sources  # one click away: the working and its sources
    assert 'translate="no"' in sources

    await client.get("/lang/en")
    en = (await client.get(f"/declarations/new?patent_id={patent}", headers=HTML)).text
    items = re.findall(r"<li[^>]*>(.*?)</li>", section(en, 'id="factors"', "</ol>"), re.S)
    assert items and not any(HAN.search(i) for i in items)
    assert any("industry usually lie between" in i for i in items)
