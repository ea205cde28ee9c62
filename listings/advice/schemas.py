"""Pricing suggestions as the API and pages show them: money in integer minor units, rates in basis points."""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr

from market.kit.law import PatentKind
from market.kit.schema import MinorUnits, Out, Schema
from market.kit.words import MsgOut, Renderer


class BandOut(Out):
    low: int
    mid: int
    high: int


class FactorOut(MsgOut):
    """One step of the explanation: ``key``, ``value`` and ``source`` (data), and its message (``code``,
    ``params``, ``message`` in the reader's language)."""

    key: str
    value: str
    source: str


class NoteOut(MsgOut):
    """A note: ``code`` (``starting_default``), its ``params`` and ``message``; ``citation`` is an article's code
    (``law.*``) or a data file, ``citation_text`` how the reader sees it."""

    citation: str = ""
    citation_text: str = ""

    @property
    def catalogue_code(self) -> str:
        return f"pricing.note.{self.code}"

    def rendered(self, render: Renderer) -> NoteOut:
        cited = render(self.citation, {}) if self.citation.startswith("law.") else self.citation
        return self.model_copy(update={"message": render(self.catalogue_code, self.params), "citation_text": cited})


class SuggestionOut(Out):
    """Suggested terms in all three payment modes. Rates in basis points of net sales, amounts in minor units."""

    currency: str
    industry_zh: str
    industry_en: str
    fields_zh: list[str]
    fields_en: list[str]
    running_royalty_bp: BandOut
    profit_share_bp: BandOut | None = None  # the running royalty as a share of profit, at most 40% (2024 notice)
    entry_fee_minor: BandOut | None
    entry_royalty_bp: BandOut
    lump_sum_minor: BandOut | None
    annual_royalty_minor: BandOut | None
    term_years: str
    discount_rate_pct: str
    confidence: str
    sample_size: int | None
    comparables_used: int
    capped: bool
    data_is_official: bool
    factors: list[FactorOut]
    notes: list[NoteOut]
    _source: Any = PrivateAttr(default=None)

    def attach(self, source: Any) -> None:
        """Keep the calculation this was made from, so a price can be checked against it in the same process."""
        self._source = source

    def source(self) -> Any:
        if self._source is None:
            raise ValueError("this suggestion was not computed here: compute it again to check a price")
        return self._source


class PriceCheckOut(Out):
    position: str  # below, within, above, no_band
    over_legal_cap: bool
    messages: list[MsgOut]  # one sentence per part: the rate, the amount, the legal cap


class SuggestFactsIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "kind": "invention",
                "ipc_codes": ["G06N 3/08"],
                "remaining_years": "12.5",
                "claims_count": 10,
                "expected_annual_net_sales_minor": 500_000_000,
            }
        ]
    },
):
    """Facts given directly (for a patent not recorded here)."""

    kind: PatentKind
    ipc_codes: list[str] = Field(default_factory=list, max_length=50)
    remaining_years: str = Field(pattern=r"^\d{1,2}(\.\d{1,2})?$", description="years left, e.g. 12.5")
    claims_count: int | None = Field(default=None, ge=1, le=10_000)
    expected_annual_net_sales_minor: MinorUnits | None = Field(default=None)
    term_years: int | None = Field(default=None, ge=1, le=20)
    exclusive_or_sole_licence: bool = False
    pledged: bool = False
