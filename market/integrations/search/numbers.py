"""Patent numbers as people type them: the forms a document is found by, and the key a typed number looks up.

A number is compacted (NFKC, upper-cased, everything but letters and digits dropped: "US 6,332,189 B1" ->
``US6332189B1``, "ZL 201510123456.7" -> ``ZL2015101234567``) and split into an office (two letters), a core and
a kind code (a letter and maybe a digit at the end: A, B1, U). Chinese application numbers (8 or 12 digits and a
check digit, which may be X) have no kind code; they are also found without their check digit and with ZL.

A document is indexed under every reduced form of its numbers (publication and application):
``office + core + kind``, ``core + kind``, ``office + core`` and ``core`` (plus the ZL and check-digit-less forms
of a Chinese application number, and the 10/11-digit spellings of a US pre-grant publication, 2010/0137733 =
2010137733).
A typed number must match ONE key: ``office + core`` when an office was typed, else ``core``; a kind code typed
only ranks the publication of that kind first, so "US6332189", "US 6,332,189", "6332189" and "US6332189A" all
find US-6332189-B1, while "EP6332189" does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Offices whose two letters start a number as typed (a query's "no 1234567" is not Norway's); ZL is CNIPA's
# prefix of a granted Chinese patent number.
OFFICES = frozenset(
    {"CN", "ZL", "US", "EP", "WO", "JP", "KR", "DE", "GB", "FR", "CA", "AU", "TW", "HK", "RU", "IN", "BR", "MX"}
    | {"ES", "IT", "NL", "SE", "CH", "AT", "DK", "FI", "NO", "SG", "NZ", "ZA", "IL", "BE", "PT", "PL", "TR", "EA"}
)
MIN_DIGITS = 7  # fewer digits are a year, a model or a quantity, not a patent number
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_KIND = re.compile(r"^(.*\d)([A-Z]\d?)$")
_CN_APPLICATION = re.compile(r"^(\d{8}|\d{12})([0-9X])$")
_OFFICE_ALT = "|".join(sorted(OFFICES))
# A number inside a query: an optional office, digit groups joined by , . / - or single spaces, an optional kind
# code (attached, or after a space or hyphen when upper-case). Office and attached kind code in any case.
NUMBER_SPAN = re.compile(
    rf"(?<![0-9A-Za-z])(?:(?i:{_OFFICE_ALT})[ \-]?)?\d(?:[\d,./\-]|[ ](?=\d))*[\dX]"
    r"(?:(?i:[A-Z])\d?|[ \-][A-Z]\d?)?(?![0-9A-Za-z])"
)


def compact(raw: str) -> str:
    """Upper-cased letters and digits of ``raw`` (full-width forms folded)."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", raw).upper())


def split(raw: str) -> tuple[str, str, str, bool]:
    """(office, core, kind code, is a Chinese application number) of a number as typed or stored."""
    text = compact(raw)
    office = text[:2] if len(text) > 2 and text[:2] in OFFICES else ""
    rest = text[len(office) :]
    if office in ("", "CN", "ZL") and _CN_APPLICATION.match(rest):
        return office, rest, "", True
    kind = _KIND.match(rest)
    if kind:
        return office, kind.group(1), kind.group(2), False
    return office, rest, "", False


def _us_publication_forms(core: str) -> list[str]:
    """A US pre-grant publication is written 2010/0137733 (11 digits) and 2010137733 (10 digits)."""
    if len(core) == 11 and core[:2] in ("19", "20") and core[4] == "0":
        return [core[:4] + core[5:]]
    if len(core) == 10 and core[:2] in ("19", "20"):
        return [core[:4] + "0" + core[4:]]
    return []


def number_forms(patent_number: str, application_number: str = "", *others: str) -> list[str]:
    """Every key a document with these numbers is found by (compact, upper-case), without duplicates."""
    forms: dict[str, None] = {}
    for raw in (patent_number, application_number, *others):
        if not raw or not compact(raw):
            continue
        office, core, kind, application = split(raw)
        cores = [core]
        if application:
            cores.append(core[:-1])  # without its check digit
            offices = ["CN", "ZL", ""]
        else:
            offices = [office, ""] if office else [""]
            if office == "US":
                cores += _us_publication_forms(core)
        if kind:
            forms[office + core + kind] = None
            forms[core + kind] = None
        for c in cores:
            for o in offices:
                forms[o + c] = None
    return list(forms)


def query_key(typed: str) -> str:
    """The one key a typed number looks up (see the module docstring)."""
    office, core, _, _ = split(typed)
    return office + core


def query_keys(typed: str) -> tuple[str, ...]:
    """The key a typed number must match, then the exact form typed (with its kind code), which ranks higher."""
    office, core, kind, _ = split(typed)
    key = office + core
    if not kind:
        return (key,)
    return (key, key + kind)


def digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def number_spans(text: str) -> Iterable[tuple[int, int]]:
    """Start and end offsets of the patent numbers typed in ``text`` (at least ``MIN_DIGITS`` digits)."""
    for m in NUMBER_SPAN.finditer(text):
        if digit_count(m.group(0)) >= MIN_DIGITS:
            yield m.start(), m.end()
