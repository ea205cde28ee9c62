"""The legal caps on open-licence fees applied to suggestions (the caps and their citation: ``market.kit.law``).

Nothing the engine suggests exceeds them: fixed amounts (a lump sum, an entry fee) at most CNY 20,000,000, running
royalties at most 20% of net sales. The 40%-of-profit basis is not used because the engine prices on net sales.
"""

from __future__ import annotations

from decimal import Decimal

from market.kit.law import (
    CAP_CITATION,
    FIXED_FEE_CAP,
    PROFIT_SHARE_CAP_BP,
    ROYALTY_CAP_BP,
)
from market.kit.money import Money
from pricing.schemas import Note

MAX_RUNNING_ROYALTY_PERCENT = Decimal(ROYALTY_CAP_BP) / 100
"""Running royalty at most 20% of net sales, as the percent this library computes in (2024 CNIPA notice)."""
MAX_PROFIT_SHARE_PERCENT = Decimal(PROFIT_SHARE_CAP_BP) / 100
"""Or at most 40% of profit (2024 CNIPA notice): the cap of the suggested share of profit."""
PROFIT_SHARE_FACTOR = Decimal(4)
"""The suggested share of profit is the net-sales rate times this factor: a rate on sales equals a share of profit
times the licensee's operating margin, and 4 assumes a 25% margin on the licensed products (the margin behind the
25% rule of ``shared/data/royalty_rate_benchmarks.csv``: 25% of profit is about 5% of sales at 20% margin, the
RoyaltyStat median). A product setting, explained as a factor in every suggestion; capped at 40% of profit."""

CAP_NOTE = Note(code="legal_cap_applied", citation=CAP_CITATION)


def cap_rate(rate_percent: Decimal) -> tuple[Decimal, bool]:
    """The rate limited to 20% of net sales, and whether the cap bit (2024 CNIPA notice)."""
    if rate_percent > MAX_RUNNING_ROYALTY_PERCENT:
        return MAX_RUNNING_ROYALTY_PERCENT, True
    return rate_percent, False


def profit_share(rate_percent: Decimal) -> tuple[Decimal, bool]:
    """The share of profit matching a net-sales rate (``PROFIT_SHARE_FACTOR``), limited to 40% of profit, and
    whether the cap bit (2024 CNIPA notice)."""
    share = rate_percent * PROFIT_SHARE_FACTOR
    if share > MAX_PROFIT_SHARE_PERCENT:
        return MAX_PROFIT_SHARE_PERCENT, True
    return share, False


def cap_fixed_minor(amount_minor: int) -> tuple[int, bool]:
    """A CNY amount in fen limited to CNY 20,000,000, and whether the cap bit (2024 CNIPA notice)."""
    if amount_minor > FIXED_FEE_CAP.minor:
        return FIXED_FEE_CAP.minor, True
    return amount_minor, False


def rate_over_cap(rate_percent: Decimal) -> bool:
    return rate_percent > MAX_RUNNING_ROYALTY_PERCENT


def fixed_fee_over_cap(amount: Money) -> bool:
    """Whether a fixed fee exceeds CNY 20,000,000. Only CNY amounts can be compared: open-licence fees are
    declared to CNIPA in CNY, and this library converts no currency."""
    if amount.currency != FIXED_FEE_CAP.currency:
        raise ValueError("open-licence fees are compared with the legal cap in CNY only")
    return amount.minor > FIXED_FEE_CAP.minor
