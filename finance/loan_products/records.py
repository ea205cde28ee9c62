"""The loan products module's records: what its repository returns, frozen. Products' terms are plain data here
(the checklist too), so that the pure rules and other modules read them without the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from market.kit.money import Money


@dataclass(frozen=True, slots=True)
class DocumentRequirement:
    """One line of a product's document checklist, in the shape of ``finance.dossiers`` Requirement: a code, whether
    it is required, the accepted MIME types, the maximum age in days (None: any age) and its label in both
    languages (a bank writes its own labels, so they are data, not catalogue entries)."""

    code: str
    required: bool
    accepted_types: tuple[str, ...]
    max_age_days: int | None
    label_zh: str
    label_en: str = ""


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    """How many approvers a proposal needs: ``thresholds`` are (above this amount in minor units, approvals), the
    highest threshold the amount exceeds wins (1 approver when none applies); a refusal may need a second approver
    too. The same shape as ``finance.desk`` ApprovalPolicy."""

    thresholds: tuple[tuple[int, int], ...] = ()
    refusal_needs_second: bool = True

    def approvals_for(self, amount_minor: int) -> int:
        needed = [n for above, n in self.thresholds if amount_minor > above]
        return max(needed, default=1)


@dataclass(frozen=True, slots=True)
class PoolRecord:
    """A risk-compensation pool: loss split in basis points per party (the rest stays with the bank), per-loan caps
    (first year, later years), pure-IP only, size, and the source of its figures with their reliability."""

    id: int
    code: str
    name_zh: str
    name_en: str
    issuer: str
    loss_split_bp: Mapping[str, int]
    cap_first_year: Money | None
    cap_later: Money | None
    pure_ip_only: bool
    size: Money | None
    scope: str
    source: str
    reliability: str
    recorded_by_org: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """A product at one version: the series (id, bank, code, status, the version in force) and that version's
    terms. ``version`` is the version these terms are; ``current_version`` the one in force now."""

    id: int
    bank: int
    code: str
    status: str
    version: int
    current_version: int
    name_zh: str
    name_en: str
    kinds: tuple[str, ...]
    ltv_bp: Mapping[str, int]
    min_remaining_years: Mapping[str, int]
    max_amount: Money
    max_term_months: int
    rate_min_bp: int | None
    rate_max_bp: int | None
    documents: tuple[DocumentRequirement, ...]
    approval: ApprovalPolicy
    pools: tuple[int, ...]
    source: str
    reliability: str
    note: str
    created_by: int | None
    created_at: datetime
    version_created_at: datetime
    published_at: datetime | None
    bank_name: str = ""
    pool_records: tuple[PoolRecord, ...] = field(default=())

    @property
    def published(self) -> bool:
        return self.status == "published"
