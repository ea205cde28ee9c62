"""Charts on the pages: Apache ECharts from npm (scripts/setup.sh copies it to ``/static/vendor/``; never a CDN),
drawn by ``/static/charts.js`` from the table each chart figure holds, which stays on the page as the chart's text
alternative (and is the page's content without JavaScript or without the library). Templates include
``_charts_head.html`` in their head block and pass ``charts=charts_available()``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from frontend.forms import FieldProblem, TermsForm, hundredths
from listings.advice.schemas import BandOut, SuggestionOut
from market.kit.law import FIXED_FEE_CAP, ROYALTY_CAP_BP

ECHARTS = Path(__file__).parent / "static" / "vendor" / "echarts.min.js"


def charts_available() -> bool:
    """Whether setup installed Apache ECharts (without npm the pages show their tables alone)."""
    return ECHARTS.is_file()


# ------------------------------------------------------------------------------ the price band at declaration


@dataclass(frozen=True)
class BandRow:
    role: str  # low, mid, high (the suggested band), chosen (what the form says), cap (the legal cap)
    value: int  # hundredths: basis points of a rate, or fen of an amount


@dataclass(frozen=True)
class PriceBand:
    """The chart of the price being declared: the suggested band (low, median, high), the chosen price and the
    legal cap, in the payment mode the form has chosen. ``unit``: ``rate`` (percent of net sales) or ``money``."""

    mode: str
    unit: str
    rows: list[BandRow]

    def value(self, role: str) -> int | None:
        return next((r.value for r in self.rows if r.role == role), None)


def price_band(suggestion: SuggestionOut | None, form: TermsForm) -> PriceBand | None:
    """The price band to draw for the form's payment mode (None without a suggestion or a band for that mode); the
    chosen price is left out while what was typed is not a number."""
    if suggestion is None:
        return None
    band: BandOut | None
    if form.payment_mode == "lump_sum":
        band, typed, unit, cap = suggestion.lump_sum_minor, form.lump_sum_yuan, "money", FIXED_FEE_CAP.minor
    elif form.payment_mode == "entry_plus_royalty":
        band, typed, unit, cap = suggestion.entry_royalty_bp, form.entry_royalty_pct, "rate", ROYALTY_CAP_BP
    else:
        band, typed, unit, cap = suggestion.running_royalty_bp, form.royalty_pct, "rate", ROYALTY_CAP_BP
    if band is None:
        return None
    try:
        chosen = hundredths(typed, "chosen")
    except FieldProblem:
        chosen = None
    rows = [BandRow("low", band.low), BandRow("mid", band.mid), BandRow("high", band.high)]
    if chosen is not None:
        rows.append(BandRow("chosen", chosen))
    rows.append(BandRow("cap", cap))
    return PriceBand(mode=form.payment_mode, unit=unit, rows=rows)
