"""The voucher providers module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from market.kit.money import Money


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    """An organisation's application to a programme's catalogue and its listing (a row of
    ``finance_voucher_provider``). ``state`` is its desk case's (read with it); the days say when the public
    notice ran and ends (listed from ``notice_ends_on``), when it was listed, suspended, delisted."""

    id: int
    case: int | None
    programme: int
    programme_version: int
    org: int
    issuer: int
    org_kind: str
    statement: str
    notice_days: int
    notice_from: date | None
    notice_ends_on: date | None
    listed_on: date | None
    suspended_on: date | None
    delisted_on: date | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    state: str = ""
    reference: str = ""
    case_version: int = 0
    org_name: str = ""

    @property
    def university(self) -> bool:
        return self.org_kind == "university"


@dataclass(frozen=True, slots=True)
class ObjectionRecord:
    id: int
    provider: int
    lodged_by: int | None
    lodged_by_org: int | None
    text: str
    status: str  # open, upheld, dismissed
    lodged_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    decision_text: str


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """A catalogued service (never edited: a change is a new row that supersedes it): the category, the price as
    published, what it is. ``declaration`` is set for a university's open licence (category ``tech_results``)."""

    id: int
    provider: int
    programme: int
    org: int
    category: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    unit: str
    price_minor: int
    currency: str
    status: str  # active, superseded, withdrawn
    supersedes: int | None
    declaration: int | None
    declaration_version: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def price(self) -> Money:
        return Money(self.currency, self.price_minor)

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def open_licence(self) -> bool:
        return self.declaration is not None


@dataclass(frozen=True, slots=True)
class Upload:
    """A document as posted (its type is read from the bytes by ``finance.dossiers``, never trusted)."""

    filename: str
    content_type: str
    content: bytes
    issued_on: date | None = None
