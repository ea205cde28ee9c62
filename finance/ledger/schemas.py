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


class VoucherIncomeLine(Out):
    """A voucher payout received (the issuer paid the voucher part of a claim: finance.voucher_settlements)."""

    month: str
    received_on: date
    claim_reference: str
    batch_number: str
    licence_id: int | None
    licence_number: str
    licensee_name: str
    programme_name: str
    gross_minor: int
    inventor_reward_bp: int
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
    voucher_lines: list[VoucherIncomeLine] = []  # voucher payouts received (not in the monthly statement)
    voucher_total_minor: int = 0
