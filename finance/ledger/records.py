"""The ledger's records: what its repository returns (frozen, typed; never a dict)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    payment: int
    licence: int
    university: int
    month: str
    received_at: datetime
    kind: str
    licence_number: str
    licensee_name: str
    patent_number: str
    currency: str
    gross_minor: int
    platform_fee_bp: int
    platform_fee_minor: int
    net_minor: int
    inventor_reward_bp: int
    inventor_reward_minor: int


@dataclass(frozen=True)
class NewEntry:
    """A ledger entry to make (the repository gives it an id)."""

    payment: int
    licence: int
    university: int
    month: str
    received_at: datetime
    kind: str
    licence_number: str
    licensee_name: str
    patent_number: str
    currency: str
    gross_minor: int
    platform_fee_bp: int
    platform_fee_minor: int
    net_minor: int
    inventor_reward_bp: int
    inventor_reward_minor: int


@dataclass(frozen=True)
class StatementRow:
    position: int
    entry: int
    licence: int
    licence_number: str
    licensee_name: str
    patent_number: str
    kind: str
    received_on: date
    gross_minor: int
    platform_fee_bp: int
    platform_fee_minor: int
    net_minor: int
    inventor_reward_bp: int
    inventor_reward_minor: int


@dataclass(frozen=True)
class NewStatement:
    number: str
    university: int
    month: str
    currency: str
    gross_minor: int
    platform_fee_minor: int
    net_minor: int
    inventor_reward_minor: int
    platform_fee_bp: int
    inventor_reward_bp: int
    template: str
    template_version: str
    sha256: str
    path: str
    pages: int
    issued_on: date


@dataclass(frozen=True)
class Statement:
    id: int
    number: str
    university: int
    month: str
    currency: str
    gross_minor: int
    platform_fee_minor: int
    net_minor: int
    inventor_reward_minor: int
    platform_fee_bp: int
    inventor_reward_bp: int
    template: str
    template_version: str
    sha256: str
    path: str
    pages: int
    issued_on: date
    issued_at: datetime


@dataclass(frozen=True)
class OpenMonth:
    """A university's month with entries and no statement yet."""

    university: int
    month: str
    currency: str


@dataclass(frozen=True)
class VoucherIncome:
    """A voucher payout received by a university (``finance.voucher_settlements``), as entered in its ledger."""

    id: int
    payout: int
    university: int
    month: str
    received_on: date
    claim_reference: str
    batch_number: str
    licence: int | None
    licence_number: str
    licensee_name: str
    programme_name: str
    currency: str
    gross_minor: int
    inventor_reward_bp: int
    inventor_reward_minor: int
