"""The legal caps on open-licence fees, with their citation.

国家知识产权局关于全面推进专利开放许可制度实施工作的通知 (CNIPA notice of July 2024): "许可使用费以固定费用标准支付的，
一般不高于2000万元；以提成费支付的，一般不高于净销售额的20%或利润额的40%". Source in the project:
``shared/domain/cn_ip_finance_and_open_license_policy_params.json`` (``open_license.fee_caps_2024_notice``) and the
CNIPA row of ``shared/data/royalty_rate_benchmarks.csv``.

Nothing the engine suggests exceeds these: fixed amounts (a lump sum, an entry fee) at most CNY 20,000,000, running
royalties at most 20% of net sales. The 40%-of-profit basis is not used because the engine prices on net sales.
"""

from __future__ import annotations

from decimal import Decimal

from market.kit.money import Money
from pricing.schemas import Note

# The notice's catalogue code (law.po holds its name and the rule quoted above, in both languages).
CAP_CITATION = "law.cnipa.open_licensing_2024"
# The rule as the notice words it (checked against the shared policy file): a quotation, not a message.
CAP_RULE_ZH = (  # words: data
    "许可使用费以固定费用标准支付的，一般不高于2000万元；以提成费支付的，一般不高于净销售额的20%或利润额的40%"
)

MAX_RUNNING_ROYALTY_PERCENT = Decimal("20")
"""Running royalty at most 20% of net sales (2024 CNIPA notice)."""
MAX_PROFIT_SHARE_PERCENT = Decimal("40")
"""Or at most 40% of profit (2024 CNIPA notice); kept for completeness, the engine prices on net sales."""
MAX_FIXED_FEE = Money("CNY", 20_000_000_00)
"""Fixed fee (lump sum, entry fee) at most CNY 20,000,000 (2024 CNIPA notice)."""

CAP_NOTE = Note(code="legal_cap_applied", citation=CAP_CITATION)


def cap_rate(rate_percent: Decimal) -> tuple[Decimal, bool]:
    """The rate limited to 20% of net sales, and whether the cap bit (2024 CNIPA notice)."""
    if rate_percent > MAX_RUNNING_ROYALTY_PERCENT:
        return MAX_RUNNING_ROYALTY_PERCENT, True
    return rate_percent, False


def cap_fixed_minor(amount_minor: int) -> tuple[int, bool]:
    """A CNY amount in fen limited to CNY 20,000,000, and whether the cap bit (2024 CNIPA notice)."""
    if amount_minor > MAX_FIXED_FEE.minor:
        return MAX_FIXED_FEE.minor, True
    return amount_minor, False


def rate_over_cap(rate_percent: Decimal) -> bool:
    return rate_percent > MAX_RUNNING_ROYALTY_PERCENT


def fixed_fee_over_cap(amount: Money) -> bool:
    """Whether a fixed fee exceeds CNY 20,000,000. Only CNY amounts can be compared: open-licence fees are
    declared to CNIPA in CNY, and this library converts no currency."""
    if amount.currency != MAX_FIXED_FEE.currency:
        raise ValueError("open-licence fees are compared with the legal cap in CNY only")
    return amount.minor > MAX_FIXED_FEE.minor
