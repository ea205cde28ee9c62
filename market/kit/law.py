"""The law's numbers and names, in one place, each with its source. Everything that applies a fee cap, a patent
term, a kind of patent or a payment mode reads it from here (``pricing`` too: it may import ``market.kit``).

Sources:

- Patent Law of the PRC (2020 amendment, in force 2021-06-01), Art 2 (the three kinds), Art 42 (terms) and Art 50
  (an open licence declares how and how much the licence fee is paid).
- 国家知识产权局关于全面推进专利开放许可制度实施工作的通知 (CNIPA notice of July 2024): "许可使用费以固定费用标准
  支付的，一般不高于2000万元；以提成费支付的，一般不高于净销售额的20%或利润额的40%". In the project:
  ``shared/domain/cn_ip_finance_and_open_license_policy_params.json`` (``open_license.fee_caps_2024_notice``) and
  the CNIPA row of ``shared/data/royalty_rate_benchmarks.csv``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from market.kit.money import Money


class PatentKind(StrEnum):
    """The three kinds of Chinese patent: 发明、实用新型和外观设计 (Patent Law Art 2)."""

    invention = "invention"
    utility_model = "utility_model"
    design = "design"


class PaymentMode(StrEnum):
    """How an open licence's fee is paid (Patent Law Art 50: the declaration states the mode and the amount); the
    three modes of the 2024 CNIPA notice: 一次性付费, 提成支付, 入门费附加提成."""

    lump_sum = "lump_sum"  # 一次性付费 (0 = royalty-free)
    running_royalty = "running_royalty"  # 提成支付: a percentage of net sales
    entry_plus_royalty = "entry_plus_royalty"  # 入门费 + 提成


# ------------------------------------------------------------------------- fee caps (2024 CNIPA notice)

# The notice: 国家知识产权局关于全面推进专利开放许可制度实施工作的通知（2024年7月）. Its name, in both languages, is the
# catalogue entry of this code (market/i18n/locale/*/LC_MESSAGES/law.po); the code is what rules cite.
CAP_NOTICE = "law.cnipa.open_licensing_2024"
CAP_CITATION = CAP_NOTICE
# The rule as the notice words it (checked against ../shared/domain by tests/pricing/test_traceability.py):
# a quotation kept as data, not a message.
CAP_RULE_ZH = (  # words: data
    "许可使用费以固定费用标准支付的，一般不高于2000万元；以提成费支付的，一般不高于净销售额的20%或利润额的40%"
)

FIXED_FEE_CAP = Money("CNY", 20_000_000_00)
"""A fixed fee (lump sum, entry fee) is generally at most CNY 20,000,000 (2024 CNIPA notice). Compared in CNY only:
open-licence fees are declared to CNIPA in CNY."""
ROYALTY_CAP_BP = 2000
"""A running royalty is generally at most 20% of net sales, in basis points (2024 CNIPA notice)."""
PROFIT_SHARE_CAP_BP = 4000
"""Or at most 40% of profit (2024 CNIPA notice); the product prices and checks on net sales."""


# ------------------------------------------------------------------------------ terms (Patent Law Art 42)

TERM_ARTICLE = "law.patent.art42"  # Patent Law Art 42 (law.po)
STATUTORY_TERM_YEARS: dict[PatentKind, int] = {
    PatentKind.invention: 20,
    PatentKind.utility_model: 10,
    PatentKind.design: 15,
}
"""Patent Law Art 42 (2020 amendment): 发明专利权的期限为二十年，实用新型专利权的期限为十年，外观设计专利权的期限为
十五年，均自申请日起计算. The longest a patent of each kind lasts; remaining life never exceeds it."""
DESIGN_15_YEARS_FROM = date(2021, 6, 1)
"""The 2020 amendment came into force on 2021-06-01; a design filed before then keeps the old 10-year term
(Patent Law 2008, Art 42)."""
DESIGN_TERM_BEFORE_2021 = 10


def term_years(kind: PatentKind, filing_date: date) -> int:
    """The statutory term of a patent of ``kind`` filed on ``filing_date`` (Patent Law Art 42). Extensions and
    adjustments (Art 42(2)-(3)) are granted case by case and recorded as a changed expiry, not here."""
    if kind == PatentKind.design and filing_date < DESIGN_15_YEARS_FROM:
        return DESIGN_TERM_BEFORE_2021
    return STATUTORY_TERM_YEARS[kind]
