"""Where words live: gettext catalogues (Babel) for zh_CN and en, keyed by code.

The domain never builds a sentence: it returns a code with parameters (``Msg``), and whoever shows it (a page, the
API, a PDF, an e-mail) renders it here in the reader's language. Catalogues are ``.po`` files under
``market/i18n/locale/<locale>/LC_MESSAGES/``; every file there is one gettext domain (``pages.po``, ``rules.po``,
``errors.po`` ...) and all of a language's files are merged into one catalogue at start. ``.po`` files are
compiled in memory when first used, so nothing compiled is committed; the test command also compiles them with
``pybabel compile --check`` and fails on a message missing in either language.

- Message ids are codes (``declaration.not_granted``), the same in both catalogues; ``msgctxt`` separates a word
  used in two senses; plural forms come from ``ngettext`` (Chinese has one form, English two).
- Parameters use Python's ``%(name)s`` format. ``localize`` formats typed parameters for the language: ``Money``
  as money, ``Bp`` as a percentage, dates as dates; everything else as ``str``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from market.kit.formatting import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    format_date,
    format_money,
    format_percent_bp,
    language_of,
)
from market.kit.messages import Bp, Msg, Param
from market.kit.money import Money

LOCALE_DIR = Path(__file__).parent / "locale"
CATALOGUE_LOCALES = {"zh": "zh_CN", "en": "en"}

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Bp",
    "Msg",
    "Param",
    "catalogue",
    "gettext",
    "language_of",
    "localize",
    "negotiate",
    "ngettext",
    "pgettext",
    "render",
]


def _compiled(po_path: Path, locale: str) -> Translations:
    with po_path.open("rb") as fh:
        cat = read_po(fh, locale=locale, domain=po_path.stem)
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain=po_path.stem)


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> Translations:
    """Every catalogue file of ``lang`` merged into one (codes are unique across files)."""
    locale = CATALOGUE_LOCALES[language_of(lang)]
    parts = [_compiled(po, locale) for po in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po"))]
    merged = parts[0]  # the first file's header gives the plural rule (all files of a language share it)
    for part in parts[1:]:
        merged.merge(part)
    return merged


def localize(value: Param, lang: str) -> str:
    if isinstance(value, Money):
        return format_money(value.minor, value.currency, lang)
    if isinstance(value, Bp):
        return format_percent_bp(value.value, lang)
    if isinstance(value, date | datetime):
        return format_date(value, lang)
    if isinstance(value, Msg):
        return gettext(lang, value.code, **dict(value.params))
    if isinstance(value, tuple):  # names (data) or messages (a kind's name), joined as the language joins them
        return ("、" if language_of(lang) == "zh" else ", ").join(localize(item, lang) for item in value)
    if value is None:
        return "—"
    return str(value)


def _fill(text: str, params: Mapping[str, Param], lang: str) -> str:
    if not params or "%(" not in text:
        return text
    return text % {name: localize(value, lang) for name, value in params.items()}


# The parameters that count something, in the order one is chosen to pick a plural form ("1 year", "2 years").
COUNTS = ("n", "count", "years", "days", "months")


def _count(params: Mapping[str, Param]) -> int:
    """The number a message's plural form follows: its first counting parameter (a whole number; one with
    decimals, or none, takes the "other" form, as CLDR says: "1.0 years")."""
    for name in COUNTS:
        value = params.get(name)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            return value
        if isinstance(value, Decimal | str) and str(value).isdigit():
            return int(str(value))
        if value is not None:
            return 2
    return 2


def gettext(lang: str, code: str, **params: Param) -> str:
    """The catalogue text of ``code`` in ``lang`` with ``params`` filled in; an unknown code comes back as itself
    (a test makes sure none is unknown). A code with plural forms (``msgid_plural``) takes the form its counting
    parameter asks for, so a service's ``Msg("...", {"years": 1})`` reads "1 year", never "1 years"."""
    found = catalogue(lang)
    text = found.ngettext(code, code, _count(params)) if params else code  # the code itself: no plural forms
    if text == code:
        text = found.gettext(code)
    return _fill(text, params, lang)


def pgettext(lang: str, context: str, code: str, **params: Param) -> str:
    return _fill(str(catalogue(lang).pgettext(context, code)), params, lang)


def ngettext(lang: str, singular: str, plural: str, n: int | Decimal | float, /, **params: Param) -> str:
    """Plural forms: ``n`` chooses the form (and is a parameter, ``%(n)s``, too, unless the caller passes ``n=``
    as shown, e.g. ``"12.5"``). A number with decimals takes the "other" form, as CLDR says ("1.0 years")."""
    count = n if isinstance(n, int) else 2
    shown: Param = n if isinstance(n, int | Decimal) else str(n)
    return _fill(catalogue(lang).ngettext(singular, plural, count), {"n": shown, **params}, lang)


def render(message: Msg, lang: str) -> str:
    return gettext(lang, message.code, **dict(message.params))


def negotiate(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The product language best matching an ``Accept-Language`` header (q-values honoured)."""
    best_quality, best = 0.0, default
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        head = tag.strip().replace("_", "-").split("-")[0].lower()
        if head not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > best_quality:  # the first of equal qualities wins, as the header lists them by preference
            best_quality, best = quality, head
    return best
