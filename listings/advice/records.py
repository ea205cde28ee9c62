"""What the advice repository returns: frozen records, built from Piccolo's rows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConcludedTermsRecord:
    """An open licence granted on the platform (its reference), the declared terms it was granted on, and its
    patent's IPC codes: one comparable for the pricing."""

    reference: str
    ipc_codes: list[str]
    payment_mode: str
    currency: str
    lump_sum_minor: int | None
    entry_fee_minor: int | None
    royalty_rate_bp: int | None
    term_years: int | None
