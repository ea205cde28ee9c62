"""How long a patent lasts (Patent Law Art 42) and what is left of it.

Art 42 (2020 amendment, in force 2021-06-01): invention 20 years, utility model 10 years, design 15 years, counted
from the filing date. Design applications filed before 2021-06-01 keep the old 10-year term. Term extensions and
adjustments (Art 42(2)-(3)) are not modelled: they are granted case by case and recorded as a changed expiry.
Other jurisdictions get the same figures as an approximation, marked as such where shown.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from listings.patents.numbers import PatentKind

DESIGN_15_YEARS_FROM = date(2021, 6, 1)  # Patent Law (2020 amendment) in force
TERM_ARTICLE = "law.patent.art42"


def term_years(kind: PatentKind, filing_date: date) -> int:
    if kind is PatentKind.invention:
        return 20
    if kind is PatentKind.utility_model:
        return 10
    return 15 if filing_date >= DESIGN_15_YEARS_FROM else 10


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def expiry(kind: PatentKind, filing_date: date) -> date:
    """The day the patent ends: the same calendar day ``term_years`` after filing (it lapses at its start)."""
    return add_years(filing_date, term_years(kind, filing_date))


def remaining_years(expiry_date: date | None, today: date) -> Decimal:
    """Years left, to one decimal place, never negative; 0 when the expiry is unknown."""
    if expiry_date is None or expiry_date <= today:
        return Decimal(0)
    return (Decimal((expiry_date - today).days) / Decimal("365.25")).quantize(Decimal("0.1"))


def patent_year(filing_date: date, on: date) -> int:
    """The patent year ``on`` falls in (year 1 starts on the filing date); annual fees are due per patent year."""
    years = on.year - filing_date.year - ((on.month, on.day) < (filing_date.month, filing_date.day))
    return max(years, 0) + 1
