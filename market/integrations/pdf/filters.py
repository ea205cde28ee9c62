"""Jinja filters every document template may use: money, rates and dates, in Chinese and English.

Each is the product's one formatter (``market.kit.formatting``), so a contract says what the pages say ("3.50%").
Amounts arrive as ``{"minor": ..., "currency": ...}`` plain values, dates as dates or ISO strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from market.kit.formatting import format_date, format_money, format_percent_bp

ZH = "zh"
EN = "en"


def money(value: Mapping[str, Any], locale: str = ZH) -> str:
    """``{"minor": 1250000, "currency": "CNY"}`` -> ``¥12,500.00`` (zh) or ``CN¥12,500.00`` (en)."""
    return format_money(int(value["minor"]), str(value["currency"]), locale)


def percent_bp(basis_points: int) -> str:
    """350 basis points -> ``3.50%``, in both languages."""
    return format_percent_bp(int(basis_points))


def zh_date(value: date | str) -> str:
    """A date as Chinese text: 2026年11月22日."""
    return format_date(_as_date(value), ZH)


def en_date(value: date | str) -> str:
    """A date as English text: Nov 22, 2026."""
    return format_date(_as_date(value), EN)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


FILTERS: dict[str, Callable[..., str]] = {
    "money": money,
    "percent_bp": percent_bp,
    "zh_date": zh_date,
    "en_date": en_date,
}
