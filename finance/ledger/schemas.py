from __future__ import annotations

from datetime import date

from market.kit.schema import Out


class LedgerLine(Out):
    month: str  # YYYY-MM
    licence_id: int
    licence_number: str
    licensee_name: str
    patent_number: str
    kind: str  # lump_sum, entry_fee, royalty
    received_on: date
    gross_minor: int
    platform_fee_bp: int  # the rate in force when the payment was received
    platform_fee_minor: int
    net_minor: int
    inventor_reward_bp: int  # the university's share in force when the payment was received
    inventor_reward_minor: int


class LedgerTotals(Out):
    gross_minor: int
    platform_fee_minor: int
    net_minor: int
    inventor_reward_minor: int


class LedgerOut(Out):
    currency: str
    inventor_reward_share_bp: int  # the university's setting today (for payments received from now on)
    article: str
    month: str | None
    lines: list[LedgerLine]
    totals: LedgerTotals
    months: list[str]
    issued_months: list[str]  # closed: their statement is issued and stays as issued
