"""Annual fees (专利年费) and the open-licence reduction.

Patent Law Art 51(2): during an open licence the annual fee is reduced; 财税〔2024〕23号 sets the reduction at 15%
and says that where other reductions also apply, only the most favourable one is used (they do not stack).
The schedule is data: ``listings/data/annual_fees.csv`` (its source is in ``listings/data/README.md``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources

from listings.patents.lifetimes import patent_year
from market.kit.law import PatentKind
from market.kit.money import Money

OPEN_LICENCE_REDUCTION_PCT = 15
REDUCTION_ARTICLE = "law.patent.art51.2+caishui.2024.23"


@dataclass(frozen=True)
class FeeBand:
    kind: PatentKind
    from_year: int
    to_year: int
    fee: Money


@lru_cache(maxsize=1)
def schedule() -> tuple[FeeBand, ...]:
    text = resources.files("listings").joinpath("data/annual_fees.csv").read_text(encoding="utf-8")
    return tuple(
        FeeBand(
            kind=PatentKind(row["kind"]),
            from_year=int(row["from_year"]),
            to_year=int(row["to_year"]),
            fee=Money.of(row["fee_cny"], "CNY"),
        )
        for row in csv.DictReader(text.splitlines())
    )


def full_fee(kind: PatentKind, year: int) -> Money | None:
    """The annual fee for patent year ``year``; None beyond the schedule (past the term)."""
    for band in schedule():
        if band.kind is kind and band.from_year <= year <= band.to_year:
            return band.fee
    return None


@dataclass(frozen=True)
class AnnualFeeDue:
    patent_year: int
    full: Money
    reduction_pct: int
    reduction_source: str  # "open_licence", "other" or "none"
    due: Money

    @property
    def saved(self) -> Money:
        return self.full - self.due


def annual_fee_due(
    *, kind: PatentKind, filing_date: date, on: date, open_licence: bool, other_reduction_pct: int = 0
) -> AnnualFeeDue | None:
    """The next annual fee as of ``on``, with the best single reduction that applies (they do not stack)."""
    year = patent_year(filing_date, on)
    fee = full_fee(kind, year)
    if fee is None:
        return None
    candidates = [(other_reduction_pct, "other"), (OPEN_LICENCE_REDUCTION_PCT if open_licence else 0, "open_licence")]
    pct, source = max(candidates, key=lambda c: c[0])
    if pct == 0:
        source = "none"
    due = (Decimal(fee.minor) * (Decimal(100 - pct) / Decimal(100))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return AnnualFeeDue(
        patent_year=year, full=fee, reduction_pct=pct, reduction_source=source, due=Money(fee.currency, int(due))
    )
