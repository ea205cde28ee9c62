"""The voucher programmes module's records: what its repository returns, frozen. A programme's terms are plain data
here, so that the pure arithmetic (``arithmetic``) and other modules read them without the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from market.i18n import Msg
from market.kit.money import Money

MODES = ("provider_redeems", "enterprise_reimbursed")  # 通兑, 通用
VALUE_KINDS = ("amount", "face_value")
CATEGORIES = (
    "tech_results",  # 科技成果购买: buying S&T results (a university's open licences)
    "testing",
    "rnd_design",
    "pilot",
    "evaluation",
    "novelty_search",
    "ip_services",
    "training",
    "financing_services",
)
PERIODS = ("year", "half_year", "programme")
SETTLEMENT_CYCLES = ("monthly", "quarterly", "half_yearly")  # at least every six months (Zhejiang, Art 22)
CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6}
DOCUMENTS = ("contract", "invoice", "copay_proof", "deliverable")  # redemption documents
STATUSES = ("draft", "open", "closed")


@dataclass(frozen=True, slots=True)
class CategoryTerms:
    """What the voucher pays in one category: a share of the price (basis points) and, optionally, at most this much
    per claim in this category (the programme's per-claim cap applies as well)."""

    code: str
    share_bp: int
    cap_minor: int | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """An application window, both days included."""

    opens_on: date
    closes_on: date


@dataclass(frozen=True, slots=True)
class ProgrammeTerms:
    """One version of a programme's terms, as written (never changed). Money in minor units of ``currency``."""

    programme_id: int
    version: int
    version_id: int
    name_zh: str
    name_en: str
    mode: str
    value_kind: str
    face_value_minor: int | None
    max_vouchers_per_use: int | None
    currency: str
    categories: tuple[CategoryTerms, ...]
    per_claim_minor: int | None
    per_period_minor: int | None
    period: str
    per_firm_minor: int | None
    validity_months: int
    windows: tuple[Window, ...]
    budget_minor: int | None
    regions: tuple[str, ...]
    required: tuple[str, ...]
    favoured: tuple[str, ...]
    review_tiers: tuple[str, ...]
    approval_thresholds: tuple[tuple[int, int], ...]
    refusal_needs_second: bool
    settlement_cycle: str
    documents: tuple[str, ...]
    notice_days: int
    declaration_zh: str
    declaration_en: str
    source: str
    reliability: str
    note: str
    created_by: int | None
    created_at: datetime

    def category(self, code: str) -> CategoryTerms | None:
        for c in self.categories:
            if c.code == code:
                return c
        return None

    @property
    def category_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)

    @property
    def budget(self) -> Money | None:
        return None if self.budget_minor is None else Money(self.currency, self.budget_minor)

    @property
    def mode_msg(self) -> Msg:
        return Msg(f"voucher.mode.{self.mode}")


@dataclass(frozen=True, slots=True)
class ProgrammeRecord:
    """A programme: the series (id, issuer, code, status, the version in force) and the terms of that version (or of
    the version asked for: ``terms.version`` may be below ``current_version``)."""

    id: int
    issuer: int
    code: str
    status: str  # draft, open, closed
    closed_reason: str
    current_version: int
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None
    terms: ProgrammeTerms
    issuer_name: str = ""

    @property
    def version(self) -> int:
        return self.terms.version

    @property
    def open(self) -> bool:
        return self.status == "open"

    @property
    def name_zh(self) -> str:
        return self.terms.name_zh

    @property
    def name_en(self) -> str:
        return self.terms.name_en

    @property
    def mode(self) -> str:
        return self.terms.mode

    @property
    def currency(self) -> str:
        return self.terms.currency


@dataclass(frozen=True, slots=True)
class VoucherPart:
    """What the voucher pays of a price in one category and why, line by line: the share of the price (``gross``),
    lowered by the category's cap and the programme's per-claim cap (and, for face-value vouchers, to whole vouchers
    within the most that may be used at once); ``copay`` is what the SME pays itself. ``limited_by``: "share",
    "category_cap", "per_claim", "face_value", "max_vouchers", or "not_eligible" (the category is not in the
    programme: the voucher pays nothing)."""

    category: str
    price: Money
    share_bp: int
    gross: Money
    cap: Money | None
    amount: Money
    copay: Money
    limited_by: str
    vouchers: int | None
    lines: tuple[Msg, ...]

    @property
    def eligible(self) -> bool:
        return self.limited_by != "not_eligible"
