"""The catalogues of listings, pricing and the law: each message takes the same parameters in both languages, none
named like gettext's own arguments, and the articles a rule cites are all there with their source."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from market.i18n import LOCALE_DIR, gettext

FILES = ("listings.po", "pricing.po", "law.po")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _messages(locale: str, name: str) -> dict[str, tuple[str, ...]]:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / name).open("rb") as fh:
        catalogue = read_po(fh, locale=locale)
    out = {}
    for m in catalogue:
        if m.id:
            key = m.id if isinstance(m.id, str) else m.id[0]
            out[key] = (m.string,) if isinstance(m.string, str) else tuple(m.string)
    return out


@pytest.mark.parametrize("name", FILES)
def test_both_languages_take_the_same_parameters(name: str) -> None:
    zh, en = _messages("zh_CN", name), _messages("en", name)
    for code, texts in zh.items():
        # a name given in both languages as data (industry_zh, industry_en) is one parameter
        names_zh = {p.removesuffix("_zh") for t in texts for p in PLACEHOLDER.findall(t)}
        names_en = {p.removesuffix("_en") for t in en[code] for p in PLACEHOLDER.findall(t)}
        assert names_zh - {"n"} == names_en - {"n"}, code  # "n" (the count) may be left out in Chinese
        assert not names_zh & {"code", "lang", "context", "singular", "plural"}, code


def test_every_article_cited_by_a_rule_is_in_the_law_catalogue() -> None:
    law = _messages("en", "law.po")
    cited = set()
    for path in LOCALE_DIR.parent.parent.parent.glob("[lp]*/**/*.py"):
        cited.update(re.findall(r"\"(law\.[a-z0-9_.+]+)\"", path.read_text(encoding="utf-8")))
    assert cited, "rules cite articles by code"
    assert sorted(cited - set(law)) == []
    assert gettext("zh", "law.patent.art50") == "专利法第五十条"
    assert gettext("en", "law.patent.art50") == "Patent Law Art 50"
