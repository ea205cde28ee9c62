"""The valuation's inputs and result, frozen: what ``relief.value`` takes and gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from finance.desk.reasons import Reason
from market.kit.law import PatentKind
from market.kit.money import Money
from pricing import Factor


class Method(StrEnum):
    """Who valued the patent (GB/T 42748-2023 allows each for financing): an external appraiser's report, the
    bank's internal valuation, or a value the parties agreed."""

    external = "external"
    internal = "internal"
    agreed = "agreed"


@dataclass(frozen=True, slots=True)
class ValuationInputs:
    """Everything a relief-from-royalty value rests on.

    ``projected_revenue``: annual net sales of products using the patent, year 1, 2, ...; years beyond the list
    keep the last figure. ``economic_life_years``: how long the technology earns (None: as long as the patent
    lasts); the legal term caps it. ``royalty_rate_bp``: a rate given (the declared open-licence rate, an
    appraiser's), else the pricing module's benchmark for the patent's field. Rates in basis points."""

    kind: PatentKind
    ipc_codes: tuple[str, ...]
    claims_count: int
    expiry_date: date
    today: date
    projected_revenue: tuple[Money, ...]
    discount_rate_bp: int
    method: Method
    economic_life_years: Decimal | None = None
    tax_rate_bp: int | None = None
    royalty_rate_bp: int | None = None
    open_licence_declared: bool = False
    appraiser: str = ""
    report_document: int | None = None  # the appraisal report, a dossier document (external)


@dataclass(frozen=True, slots=True)
class Valuation:
    """The value and how it was reached: each input and each year a line (``Factor``: key, value, source, message),
    the reasons (a method not allowed at this amount), the method."""

    amount: Money
    method: Method
    royalty_rate_bp: int
    years: Decimal
    lines: tuple[Factor, ...]
    reasons: tuple[Reason, ...] = field(default=())
    threshold: Money | None = None
