"""The voucher entitlements module's records: what its repository returns, frozen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from market.kit.money import Money

ENTRY_KINDS = ("grant", "hold", "release", "capture", "expire", "revoke", "payout")


@dataclass(frozen=True, slots=True)
class EntitlementRecord:
    """An entitlement as issued: its holder, programme (and the version it was approved under), what was granted
    (an amount, or ``vouchers`` × ``face_value_minor``), when it expires and whether it was revoked. Its balance is
    read from the ledger (``Balance``); ``available_minor`` here is the database's guard, equal to it."""

    id: int
    application: int | None
    programme: int
    programme_version: int
    holder: int
    issuer: int
    currency: str
    granted_minor: int
    vouchers: int | None
    face_value_minor: int | None
    available_minor: int
    issued_on: date
    expires_at: datetime
    status: str  # active | revoked
    revoked_at: datetime | None
    revoked_reason: str
    revoked_by: int | None
    created_by: int | None
    created_at: datetime

    @property
    def granted(self) -> Money:
        return Money(self.currency, self.granted_minor)

    @property
    def revoked(self) -> bool:
        return self.status == "revoked"

    def expired(self, at: datetime) -> bool:
        """Whether it is past its expiry at ``at`` (the moment of use)."""
        return at >= self.expires_at

    def usable(self, at: datetime) -> bool:
        return not self.revoked and not self.expired(at)


@dataclass(frozen=True, slots=True)
class HoldRecord:
    """Money set aside from an entitlement for one use (``ref``): held, then captured (part or all; the rest
    released) or released."""

    id: int
    entitlement: int
    ref: str
    amount_minor: int
    captured_minor: int
    paid_minor: int
    currency: str
    status: str  # held | captured | released
    created_by: int | None
    created_at: datetime
    settled_at: datetime | None

    @property
    def amount(self) -> Money:
        return Money(self.currency, self.amount_minor)


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """One movement of the voucher ledger."""

    id: int
    entitlement: int
    kind: str
    amount_minor: int
    currency: str
    hold: int | None
    ref: str
    at: datetime
    by_user: int | None


@dataclass(frozen=True, slots=True)
class Balance:
    """An entitlement's balance, every figure summed from its ledger entries: granted; held now (holds less their
    releases and captures); captured; released; expired and revoked (written off what was available); available
    (granted − holds + releases − expired − revoked); paid out (of the captured, to the payee: a settlement)."""

    currency: str
    granted_minor: int
    held_minor: int
    captured_minor: int
    released_minor: int
    expired_minor: int
    revoked_minor: int
    available_minor: int
    paid_out_minor: int = 0

    @classmethod
    def of(cls, currency: str, sums: Mapping[str, int]) -> Balance:
        s = {k: int(sums.get(k, 0)) for k in ENTRY_KINDS}
        return cls(
            currency=currency,
            granted_minor=s["grant"],
            held_minor=s["hold"] - s["release"] - s["capture"],
            captured_minor=s["capture"],
            released_minor=s["release"],
            expired_minor=s["expire"],
            revoked_minor=s["revoke"],
            available_minor=s["grant"] - s["hold"] + s["release"] - s["expire"] - s["revoke"],
            paid_out_minor=s["payout"],
        )

    @property
    def available(self) -> Money:
        return Money(self.currency, self.available_minor)

    @property
    def held(self) -> Money:
        return Money(self.currency, self.held_minor)

    @property
    def captured(self) -> Money:
        return Money(self.currency, self.captured_minor)

    @property
    def granted(self) -> Money:
        return Money(self.currency, self.granted_minor)


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    """A row of ``finance_voucher_application`` (JSON columns loaded)."""

    id: int
    case: int | None
    programme: int
    programme_version: int
    applicant: int
    issuer: int
    value_kind: str
    requested_minor: int
    vouchers: int | None
    face_value_minor: int | None
    currency: str
    purpose: str
    declarations: Sequence[Mapping[str, Any]]
    precheck: Sequence[Mapping[str, Any]]
    qualifications: Mapping[str, Any]
    favoured: tuple[str, ...]
    priority: int
    tiers: tuple[str, ...]
    tier: int
    approved_minor: int | None
    entitlement: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def requested(self) -> Money:
        return Money(self.currency, self.requested_minor)

    @property
    def tier_name(self) -> str:
        return self.tiers[self.tier] if 0 <= self.tier < len(self.tiers) else ""

    @property
    def last_tier(self) -> bool:
        return self.tier >= len(self.tiers) - 1


@dataclass(frozen=True, slots=True)
class CapRecord:
    """A running total under one cap (``key``): what approved entitlements reserved."""

    id: int
    key: str
    scope: str
    programme: int | None
    org: int | None
    limit_minor: int
    reserved_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class CapNeed:
    """One cap an entitlement must fit under: the row's key and the limit it is checked against now."""

    key: str
    scope: str  # budget | firm
    limit_minor: int
    programme: int | None = None
    org: int | None = None


@dataclass(frozen=True, slots=True)
class GrantedTotal:
    """What a programme granted one holder (its entitlements, revoked ones included): for the issuer's report."""

    holder: int
    entitlements: int
    granted_minor: int
