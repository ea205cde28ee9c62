"""Inputs and outputs of the pricing library: frozen dataclasses, cheap to build 100,000 times a second.

Money is always :class:`market.kit.money.Money` (integer minor units). Rates are :class:`~decimal.Decimal` percent
of net sales, never floats: a float rate would make the same patent price differently on two machines.
Every output speaks in codes with parameters (``Msg``): the catalogue ``pricing.po`` holds the words and the web
layer renders them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from enum import StrEnum

from market.kit.law import STATUTORY_TERM_YEARS, PatentKind, PaymentMode
from market.kit.messages import Msg, Param
from market.kit.money import Money


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class BandPosition(StrEnum):
    BELOW = "below"
    WITHIN = "within"
    ABOVE = "above"
    NO_BAND = "no_band"


def to_decimal(value: Decimal | int | str, name: str) -> Decimal:
    """A Decimal from an int, str or Decimal; a float is refused because its binary value is not the typed one."""
    if isinstance(value, (float, bool)):
        raise TypeError(f"{name} must be a Decimal, int or str, never a float")
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number")
    return number


# ----------------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Encumbrances:
    """What already burdens the patent. These do not change the price; they produce notes that cite the rule.

    - ``non_exclusive_licences``: ordinary licences already granted (Patent Law Art 51 allows them beside an
      open licence).
    - ``exclusive_or_sole_licence``: an exclusive (独占) or sole (排他) licence in force bars an open-licence
      declaration (Implementing Regulations Art 86).
    - ``pledged`` / ``pledgee_consents``: a pledged patent may be declared only with the pledgee's consent
      (Implementing Regulations Art 86).
    """

    non_exclusive_licences: int = 0
    exclusive_or_sole_licence: bool = False
    pledged: bool = False
    pledgee_consents: bool = False

    def __post_init__(self) -> None:
        if self.non_exclusive_licences < 0:
            raise ValueError("non_exclusive_licences cannot be negative")


NO_ENCUMBRANCES = Encumbrances()


@dataclass(frozen=True, slots=True)
class PatentFacts:
    """What the pricing needs to know about a granted patent.

    ``ipc_codes`` in any common spelling (``A61K 8/02``, ``A61K8/02``, ``A61K   8/02``); the first is taken as the
    main classification (主分类号), whose technology field decides the industry. Designs are classified under
    Locarno, not IPC, and usually have none: the cross-industry distribution applies then.
    ``remaining_years`` is the time left until expiry, in years (Decimal, e.g. ``Decimal("8.5")``).
    """

    kind: PatentKind
    ipc_codes: tuple[str, ...]
    remaining_years: Decimal
    claims_count: int
    encumbrances: Encumbrances = NO_ENCUMBRANCES

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PatentKind(self.kind))
        object.__setattr__(self, "ipc_codes", tuple(self.ipc_codes))
        years = to_decimal(self.remaining_years, "remaining_years")
        object.__setattr__(self, "remaining_years", years)
        if years <= 0:
            raise ValueError("remaining_years must be above 0: an expired patent cannot be licensed")
        limit = STATUTORY_TERM_YEARS[self.kind]
        if years > limit:
            raise ValueError(
                f"remaining_years {years} exceeds the {limit}-year term of a {self.kind.value} (Patent Law Art 42)"
            )
        if isinstance(self.claims_count, bool) or not isinstance(self.claims_count, int) or self.claims_count < 1:
            raise ValueError("claims_count must be a whole number of at least 1")


@dataclass(frozen=True, slots=True)
class LicenseeFacts:
    """What the pricing knows of a (typical) licensee: expected annual net sales of products using the patent.

    For an open licence, offered to anyone, the patentee may enter the sales of a typical licensee.
    """

    expected_annual_net_sales: Money

    def __post_init__(self) -> None:
        if self.expected_annual_net_sales.minor < 0:
            raise ValueError("expected annual net sales cannot be negative")


@dataclass(frozen=True, slots=True)
class Comparable:
    """A licence concluded on the platform, used as evidence for patents in the same technology field.

    ``field`` is the WIPO technology field number (1-35) of the licensed patent. ``rate_percent`` is the running
    royalty (percent of net sales), ``lump_sum`` the one-off amount, ``entry_fee`` the entry fee of an
    entry-plus-royalty licence.
    """

    field: int
    mode: PaymentMode
    rate_percent: Decimal | None = None
    lump_sum: Money | None = None
    entry_fee: Money | None = None
    reference: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", PaymentMode(self.mode))
        if self.rate_percent is not None:
            rate = to_decimal(self.rate_percent, "rate_percent")
            if not Decimal(0) <= rate <= Decimal(100):
                raise ValueError("rate_percent must lie in 0..100")
            object.__setattr__(self, "rate_percent", rate)
        needs = {
            PaymentMode.running_royalty: self.rate_percent is not None,
            PaymentMode.lump_sum: self.lump_sum is not None,
            PaymentMode.entry_plus_royalty: self.rate_percent is not None and self.entry_fee is not None,
        }
        if not needs[self.mode]:
            raise ValueError(f"a {self.mode.value} comparable needs its amounts")


@dataclass(frozen=True, slots=True)
class Offer:
    """A price a patentee proposes, to be checked against a suggestion.

    ``amount`` is the lump sum (mode ``lump_sum``) or the entry fee (mode ``entry_plus_royalty``).
    """

    mode: PaymentMode
    rate_percent: Decimal | None = None
    amount: Money | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", PaymentMode(self.mode))
        if self.rate_percent is not None:
            object.__setattr__(self, "rate_percent", to_decimal(self.rate_percent, "rate_percent"))
        if self.mode is not PaymentMode.lump_sum and self.rate_percent is None:
            raise ValueError(f"a {self.mode.value} offer needs rate_percent")
        if self.mode is not PaymentMode.running_royalty and self.amount is None:
            raise ValueError(f"a {self.mode.value} offer needs amount")


# ---------------------------------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class Note:
    """A message for the user (``pricing.note.<code>`` with ``params``) with the rule or source it rests on:
    ``citation`` is an article's catalogue code (``law.*``) or the name of a data file."""

    code: str
    params: Mapping[str, Param] = dc_field(default_factory=dict)
    citation: str = ""

    @property
    def msg(self) -> Msg:
        return Msg(f"pricing.note.{self.code}", self.params)


@dataclass(frozen=True, slots=True)
class Factor:
    """One step of the explanation: what was applied, its value, its source, and its ``message`` (a code).

    ``multiplier`` is set for factors that scale the royalty rate, and None for evidence and parameters.
    """

    key: str
    value: str
    source: str
    message: Msg
    multiplier: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RateBand:
    """Running royalty rates in percent of net sales, low <= mid <= high."""

    low: Decimal
    mid: Decimal
    high: Decimal


@dataclass(frozen=True, slots=True)
class MoneyBand:
    low: Money
    mid: Money
    high: Money


@dataclass(frozen=True, slots=True)
class EntryPlusRoyalty:
    """Entry fee (入门费) plus a reduced running royalty (提成). ``entry_fee`` is None without sales figures."""

    entry_fee: MoneyBand | None
    running_royalty: RateBand
    entry_share: Decimal


@dataclass(frozen=True, slots=True)
class IndustryRef:
    classification: str
    code: str
    name_en: str
    name_zh: str


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A WIPO technology field (1-35) with our Chinese name."""

    number: int
    name_en: str
    name_zh: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Suggested open-licence terms in all three payment modes, with the explanation that produced them."""

    industry: IndustryRef
    fields: tuple[FieldRef, ...]
    running_royalty: RateBand
    annual_royalty: MoneyBand | None
    entry_plus_royalty: EntryPlusRoyalty
    lump_sum: MoneyBand | None
    term_years: Decimal
    discount_rate: Decimal
    confidence: Confidence
    sample_size: int | None
    comparables_used: int
    capped: bool
    data_is_official: bool
    factors: tuple[Factor, ...]
    notes: tuple[Note, ...] = dc_field(default=())
    profit_share: RateBand | None = None  # the running royalty as a share of profit (at most 40%)


@dataclass(frozen=True, slots=True)
class BandCheck:
    """Where an offered price lies against a suggestion: for the university's warning and the listing's badge."""

    position: BandPosition
    rate_position: BandPosition | None
    amount_position: BandPosition | None
    over_legal_cap: bool
    messages: tuple[Msg, ...]  # one sentence per part (the rate, the amount, the legal cap)

    @property
    def within(self) -> bool:
        return self.position is BandPosition.WITHIN


@dataclass(frozen=True, slots=True)
class Valuation:
    """A relief-from-royalty value, with every input shown (``inputs``) so a lender can check each one."""

    value: Money
    annual_net_sales: Money
    royalty_rate: Decimal
    annual_royalty: Money
    after_tax_royalty: Money
    tax_rate: Decimal
    discount_rate: Decimal
    years: Decimal
    annuity_factor: Decimal
    inputs: tuple[Factor, ...]
    notes: tuple[Note, ...] = dc_field(default=())
