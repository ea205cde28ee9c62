"""One language per page, read as a reader reads it: the visible words of a page (text, and the attributes a
reader meets: title, placeholder, aria-label, alt, a button's value) outside proper names and patent data (elements
marked ``translate="no"``, or whose ``lang`` differs from the page's, like the language switch). A Chinese page has
no English phrase (two English words or more) there; an English page has no Han character there.

Allowed in a Chinese page: abbreviations in capitals (API, IPC, CNY, PDF), e-mail addresses, addresses (URLs),
codes (words with digits, underscores or dots, like ``CN108982325B`` or ``import.bad_number``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import html as lxml_html
from lxml.html import HtmlElement

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# an English word: a letter then lowercase letters (or an apostrophe), e.g. "Only", "don't"; capitals (API) are not one
WORD = r"[A-Za-z][a-z]+(?:'[a-z]+)?"
ENGLISH_PHRASE = re.compile(rf"(?<![\w.@/\-])({WORD}(?:[ \-]+{WORD})+)(?![\w@/])")
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|\b[\w.\-]*[\d_][\w.\-]*\b")  # e-mails, URLs, codes
SKIPPED = {"script", "style", "template", "noscript"}
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


def _texts(element: HtmlElement, lang: str) -> Iterator[str]:
    if not isinstance(element.tag, str) or element.tag in SKIPPED:
        return
    own_lang = element.get("lang")
    if element.get("translate") == "no" or (own_lang and not own_lang.lower().startswith(lang)):
        return
    for name in ATTRIBUTES:
        if element.get(name):
            yield element.get(name, "")
    if element.tag in ("input", "button") and element.get("type") in ("submit", "button", "reset"):
        yield element.get("value") or ""
    if element.text:
        yield element.text
    for child in element:
        yield from _texts(child, lang)
        if child.tail:
            yield child.tail


def visible_words(html: str, lang: str, *, within: str = "//body") -> list[str]:
    """Every visible piece of text of the page (or of the elements ``within`` selects) in the page's language
    domain, outside proper names and patent data."""
    document = lxml_html.fromstring(html)
    out = []
    for root in document.xpath(within):
        for text in _texts(root, lang):
            squeezed = " ".join(text.split())
            if squeezed:
                out.append(squeezed)
    return out


def other_language(html: str, lang: str, *, within: str = "//body") -> list[str]:
    """The pieces of text that are in the other language: empty when the page speaks one language."""
    found = []
    for text in visible_words(html, lang, within=within):
        if lang == "en":
            if HAN.search(text):
                found.append(text)
        elif ENGLISH_PHRASE.search(NOT_WORDS.sub(" ", text)):
            found.append(text)
    return found
