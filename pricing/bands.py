"""Whether a proposed price lies within a suggestion's band.

Used twice: the declaration form warns a university whose own price lies outside the band (it may still declare
it), and a public listing shows a badge when the declared price is within the band. A price above the legal caps
of the 2024 CNIPA notice is flagged separately, with the citation.
"""

from __future__ import annotations

from decimal import Decimal

from market.kit.law import CAP_INSTRUMENT_EN, CAP_INSTRUMENT_ZH, PaymentMode
from market.kit.money import Money
from pricing import caps
from pricing.params import format_cny, format_percent
from pricing.schemas import BandCheck, BandPosition, MoneyBand, Offer, RateBand, Suggestion

POSITION_TEXT = {
    BandPosition.WITHIN: ("在建议区间内", "within the suggested band"),
    BandPosition.BELOW: ("低于建议区间", "below the suggested band"),
    BandPosition.ABOVE: ("高于建议区间", "above the suggested band"),
    BandPosition.NO_BAND: (
        "暂无建议区间（需要预计年净销售额）",
        "without a suggested band (it needs expected annual net sales)",
    ),
}


def rate_position(rate: Decimal, band: RateBand) -> BandPosition:
    if rate < band.low:
        return BandPosition.BELOW
    if rate > band.high:
        return BandPosition.ABOVE
    return BandPosition.WITHIN


def amount_position(amount: Money, band: MoneyBand | None) -> BandPosition:
    if band is None:
        return BandPosition.NO_BAND
    if amount.currency != band.mid.currency:
        raise ValueError(f"cannot compare {amount.currency} with a {band.mid.currency} band")
    if amount.minor < band.low.minor:
        return BandPosition.BELOW
    if amount.minor > band.high.minor:
        return BandPosition.ABOVE
    return BandPosition.WITHIN


def within_band(suggestion: Suggestion, offer: Offer) -> BandCheck:
    """Where ``offer`` lies against ``suggestion``, in the offer's payment mode, with a bilingual message."""
    rate_pos = amount_pos = None
    parts_zh: list[str] = []
    parts_en: list[str] = []
    over_cap = False
    if offer.rate_percent is not None and offer.mode is not PaymentMode.lump_sum:
        band = (suggestion.running_royalty if offer.mode is PaymentMode.running_royalty
                else suggestion.entry_plus_royalty.running_royalty)
        rate_pos = rate_position(offer.rate_percent, band)
        over_cap |= caps.rate_over_cap(offer.rate_percent)
        zh, en = POSITION_TEXT[rate_pos]
        span = f"{format_percent(band.low)} – {format_percent(band.high)}"
        parts_zh.append(f"提成率{format_percent(offer.rate_percent)}{zh}（{span}）")
        parts_en.append(f"the running royalty of {format_percent(offer.rate_percent)} is {en} ({span})")
    if offer.amount is not None and offer.mode is not PaymentMode.running_royalty:
        lump = offer.mode is PaymentMode.lump_sum
        money_band = suggestion.lump_sum if lump else suggestion.entry_plus_royalty.entry_fee
        amount_pos = amount_position(offer.amount, money_band)
        over_cap |= caps.fixed_fee_over_cap(offer.amount)
        zh, en = POSITION_TEXT[amount_pos]
        what_zh, what_en = ("一次性付费", "lump sum") if lump else ("入门费", "entry fee")
        span = "" if money_band is None else f"{format_cny(money_band.low.minor)} – {format_cny(money_band.high.minor)}"
        amount = format_cny(offer.amount.minor)
        parts_zh.append(f"{what_zh}{amount}{zh}" + (f"（{span}）" if span else ""))
        parts_en.append(f"the {what_en} of {amount} is {en}" + (f" ({span})" if span else ""))
    position = _overall(rate_pos, amount_pos)
    text_zh = "；".join(parts_zh) + "。"
    text_en = "; ".join(parts_en) + "."
    text_en = text_en[0].upper() + text_en[1:]
    if over_cap:
        text_zh += f"报价超过法定上限（{CAP_INSTRUMENT_ZH}：提成不高于净销售额的20%，固定费用不高于2000万元）。"
        text_en += (f" The price exceeds the legal cap ({CAP_INSTRUMENT_EN}: running royalties at most 20% of "
                    "net sales, fixed fees at most CNY 20,000,000).")
    return BandCheck(position, rate_pos, amount_pos, over_cap, text_zh, text_en)


def _overall(*positions: BandPosition | None) -> BandPosition:
    """Within only if every part is within; any part above makes it above, else any below makes it below."""
    present = [p for p in positions if p is not None]
    for decisive in (BandPosition.ABOVE, BandPosition.BELOW, BandPosition.NO_BAND):
        if decisive in present:
            return decisive
    return BandPosition.WITHIN
