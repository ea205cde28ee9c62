"""Jinja filters every document template may use: money, rates and dates, in Chinese and English.

Why here and not in templates: amounts arrive as integer minor units with a currency, and formatting them is
``market.kit.money.Money.format`` (Babel/CLDR), the same everywhere in the product.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from market.kit.formatting import format_date
from market.kit.money import Money

ZH = "zh_CN"
EN = "en"
# Spelled out rather than strftime("%B"), which follows the process locale.
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def money(value: Mapping[str, Any], locale: str = ZH) -> str:
    """``{"minor": 1250000, "currency": "CNY"}`` -> ``¥12,500.00`` (zh_CN) or ``CN¥12,500.00`` (en)."""
    return Money(str(value["currency"]), int(value["minor"])).format(locale)


def percent_bp(basis_points: int) -> str:
    """350 basis points -> ``3.5%``; integers all the way, so no float ever reaches a contract."""
    text = format(Decimal(int(basis_points)) / Decimal(100), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def zh_date(value: date | str) -> str:
    """A date as a Chinese contract writes it: 2026年11月22日."""
    return format_date(_as_date(value), "zh")


def en_date(value: date | str) -> str:
    """A date as an English contract writes it, unambiguous across locales: 22 November 2026."""
    day = _as_date(value)
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


FILTERS: dict[str, Callable[..., str]] = {
    "money": money,
    "percent_bp": percent_bp,
    "zh_date": zh_date,
    "en_date": en_date,
}
