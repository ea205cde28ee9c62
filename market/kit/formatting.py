"""One formatter each for money, percentages and dates, used by pages, the API and PDFs alike.

Locales are the product's two: ``zh`` (zh_CN) and ``en`` (en_US); a full locale name (``zh_CN``, ``en-US``) works
too. Percentages of net sales are stored in basis points and always shown with two decimals ("3.50%"), so a
contract and a page never disagree about the same rate.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, get_currency_precision

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def language_of(locale: str | None) -> str:
    """``zh`` or ``en`` from any locale name (``en-GB`` -> ``en``); anything else is the default, Chinese."""
    head = (locale or "").replace("-", "_").split("_")[0].lower()
    return head if head in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=16)
def babel_locale(locale: str | None) -> Locale:
    """The CLDR locale for a product language (parsed once: Babel parses on every call otherwise)."""
    return Locale.parse("en_US" if language_of(locale) == "en" else "zh_CN")


def minor_to_decimal(amount_minor: int, currency: str) -> Decimal:
    return Decimal(amount_minor) / (Decimal(10) ** int(get_currency_precision(currency)))


def format_money(amount_minor: int, currency: str, locale: str | None) -> str:
    """¥1,234.50 / CN¥1,234.50 as CLDR writes the currency in each language."""
    return str(format_currency(minor_to_decimal(amount_minor, currency), currency, locale=babel_locale(locale)))


def format_percent_bp(bp: int, locale: str | None = None) -> str:
    """Basis points as a percentage with two decimals: 350 -> "3.50%" in both languages."""
    return f"{Decimal(bp) / 100:.2f}%"


def format_date(day: date | datetime | None, locale: str | None, *, missing: str = "—") -> str:
    """2026-11-29 -> "2026年11月29日" / "Nov 29, 2026"; ``missing`` for no date."""
    if day is None:
        return missing
    if isinstance(day, datetime):
        day = day.date()
    return str(
        babel_format_date(day, format="medium" if language_of(locale) == "en" else "long", locale=babel_locale(locale))
    )
