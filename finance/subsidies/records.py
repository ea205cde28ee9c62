"""The subsidies module's records: what its repository returns, frozen. A programme's terms are plain data here, so
that the pure arithmetic (``arithmetic``) and other modules read them without the database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from market.kit.money import Money

FIRM_TIERS = ("sme", "champion")


@dataclass(frozen=True, slots=True)
class ProgrammeRecord:
    """A programme at one version: the series (id, issuer, code, status, the version in force) and that version's
    terms. Shares are basis points of the premium per firm tier, for the firm's first subsidised policy in the
    programme and for later ones; caps in minor units: per firm (any tier), per firm tier, per insurance kind; the
    budget (None: not limited here)."""

    id: int
    issuer: int
    code: str
    status: str  # draft, open, closed
    version: int
    current_version: int
    version_id: int
    name_zh: str
    name_en: str
    kinds: tuple[str, ...]
    share_first_bp: Mapping[str, int]
    share_later_bp: Mapping[str, int]
    cap_per_firm: Money | None
    tier_caps: Mapping[str, int]
    kind_caps: Mapping[str, int]
    budget: Money | None
    currency: str
    approval_thresholds: tuple[tuple[int, int], ...]
    refusal_needs_second: bool
    source: str
    reliability: str
    note: str
    created_at: datetime
    version_created_at: datetime
    opened_at: datetime | None
    issuer_name: str = ""

    @property
    def open(self) -> bool:
        return self.status == "open"

    def covers(self, kind: str) -> bool:
        return kind in self.kinds

    def share_bp(self, *, first_policy: bool, firm_tier: str) -> int | None:
        """The share for a firm of ``firm_tier`` (None: the programme does not subsidise that tier)."""
        shares = self.share_first_bp if first_policy else self.share_later_bp
        return shares.get(firm_tier)

    def firm_cap(self, firm_tier: str) -> Money | None:
        """The most the programme pays one firm of ``firm_tier`` over all its policies: the lower of the cap per
        firm and the tier's cap (None: neither is set)."""
        caps = [c for c in (self.cap_per_firm.minor if self.cap_per_firm else None, self.tier_caps.get(firm_tier))
                if c is not None]  # fmt: skip
        return Money(self.currency, min(caps)) if caps else None

    def kind_group(self, kind: str) -> str | None:
        """The key of the kind cap ``kind`` falls under: a kind, or kinds sharing one cap joined by "+"
        ("enforcement+infringement_loss")."""
        for group in self.kind_caps:
            if kind in group.split("+"):
                return group
        return None

    def kind_cap(self, kind: str) -> Money | None:
        group = self.kind_group(kind)
        return None if group is None else Money(self.currency, self.kind_caps[group])


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """A row of ``finance_subsidy_claim`` (JSON columns loaded)."""

    id: int
    case: int | None
    programme: int
    programme_version: int
    policy: int
    applicant: int
    issuer: int
    kind: str
    firm_tier: str
    first_policy: bool
    premium_minor: int
    currency: str
    requested_minor: int
    approved_minor: int | None
    paid_minor: int
    proof: Mapping[str, object]
    lines: Sequence[Mapping[str, object]]
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: int
    claim: int
    amount_minor: int
    currency: str
    paid_on: date
    reference: str
    recorded_by: int | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class CapRecord:
    """A running total under one cap (``key``): what is reserved (approved claims, paid or not) and paid."""

    id: int
    key: str
    scope: str
    programme: int | None
    org: int | None
    policy: int | None
    limit_minor: int
    reserved_minor: int
    paid_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class CapNeed:
    """One cap a claim's amount must fit under: the row's key and the limit it is checked against now."""

    key: str
    scope: str
    limit_minor: int
    programme: int | None = None
    org: int | None = None
    policy: int | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    """A document as posted (its type is read from the bytes by ``finance.dossiers``, never trusted)."""

    filename: str
    content_type: str
    content: bytes
    issued_on: date | None = None
