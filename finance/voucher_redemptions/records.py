"""The voucher redemptions module's records: what its repository returns, frozen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from market.kit.money import Money


@dataclass(frozen=True, slots=True)
class RedemptionRecord:
    """A row of ``finance_voucher_redemption`` (JSON columns loaded). ``claim`` in the settlement interface is this
    row: its id is the claim's id."""

    id: int
    source: str
    programme: int
    programme_version: int
    entitlement: int
    hold: int | None
    hold_ref: str
    sme: int
    provider: int
    payee: int
    issuer: int
    category: str
    licence: int | None
    service: int | None
    live_key: str | None
    title: str
    price_minor: int
    currency: str
    share_bp: int
    voucher_minor: int
    captured_minor: int | None
    lines: Sequence[Mapping[str, Any]]
    caps: Sequence[str]
    region: str
    period_key: str
    status: str
    version: int
    case: int | None
    reference: str
    copay: Mapping[str, Any]
    refusal: Sequence[str]
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    held_at: datetime | None
    delivered_at: datetime | None
    accepted_at: datetime | None
    claimed_at: datetime | None
    captured_at: datetime | None
    closed_at: datetime | None
    settled_batch: int | None
    settled_at: datetime | None

    @property
    def price(self) -> Money:
        return Money(self.currency, self.price_minor)

    @property
    def voucher(self) -> Money:
        return Money(self.currency, self.voucher_minor)

    @property
    def copay_minor(self) -> int:
        """What the SME pays itself (in the reimbursed mode: all of it, the voucher's part paid back later)."""
        return self.price_minor - self.voucher_minor


@dataclass(frozen=True, slots=True)
class DeliverableRecord:
    id: int
    redemption: int
    filename: str
    content_type: str
    sha256: str
    uploaded_by: int | None
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class DeliverableContent:
    record: DeliverableRecord
    content: bytes


@dataclass(frozen=True, slots=True)
class CapNeed:
    """One cap a hold must fit under: the row's key and the limit it is checked against now."""

    key: str
    scope: str  # period, firm
    programme: int
    org: int
    period_key: str
    limit_minor: int


@dataclass(frozen=True, slots=True)
class CapRecord:
    id: int
    key: str
    scope: str
    programme: int
    org: int
    period_key: str
    limit_minor: int
    reserved_minor: int
    captured_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class CapturedClaim:
    """A captured claim for a settlement batch (``voucher_settlements``): who is paid (the provider, or the SME in
    the reimbursed mode), how much, when it was captured, and what the reports group it by."""

    claim_id: int
    reference: str  # the claim's desk reference (VC-...)
    payee_org: int
    amount_minor: int
    currency: str
    captured_at: datetime
    claimed_at: datetime | None
    category: str
    region: str
    provider_org: int
    sme_org: int
    source: str
    settled_batch: int | None = None
    hold_id: int | None = None  # the entitlement's hold it captured (the settlement's payout entry names it)

    @property
    def amount(self) -> Money:
        return Money(self.currency, self.amount_minor)


@dataclass(frozen=True, slots=True)
class CapturedGroup:
    """A programme's captured claims of one group (a category, a region, a provider): for the issuer's report."""

    key: str
    claims: int
    captured_minor: int


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One group of a programme's redemptions (SQL aggregate): by category, region, provider and status, how many,
    the voucher's part held or asked, and what was captured; with the first and last capture."""

    category: str
    region: str
    provider_org: int
    status: str
    count: int
    voucher_minor: int
    captured_minor: int
    currency: str
    settled_count: int


@dataclass(frozen=True, slots=True)
class ShareAlertRecord:
    id: int
    programme: int
    provider: int
    period_key: str
    provider_minor: int
    programme_minor: int
    share_bp: int
    threshold_bp: int
    raised_at: datetime


@dataclass(frozen=True, slots=True)
class Upload:
    """A document as posted (its type is read from the bytes by ``finance.dossiers``, never trusted)."""

    filename: str
    content_type: str
    content: bytes
    issued_on: date | None = None
