"""The licences module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class LicenceRecord:
    """A licence row. ``declaration``, ``patent``, ``licensor`` and ``licensee`` are ids."""

    id: int
    number: str
    declaration: int
    declaration_version: int
    declaration_version_id: int
    patent: int
    licensor: int
    licensee: int
    requested_by: int | None
    status: str
    payment_mode: str
    currency: str
    lump_sum_minor: int | None
    entry_fee_minor: int | None
    royalty_rate_bp: int | None
    term_years: int | None
    amount_due_minor: int
    licensee_name: str
    licensee_credit_code: str
    licensee_address: str
    starts_on: date | None
    ends_on: date | None
    first_report_due: date | None
    activated_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    contract_sha256: str  # set by finance.contracts when the contract is rendered; "" before
    royalty_base: str = "net_sales"  # what the running royalty is a share of: net_sales or profit
    voucher_cover_minor: int = 0  # what a service voucher pays of the amount due (finance.voucher_redemptions)

    @property
    def amount_to_pay_minor(self) -> int:
        """What the licensee pays itself now: the amount due less the voucher's cover."""
        return max(0, self.amount_due_minor - self.voucher_cover_minor)
