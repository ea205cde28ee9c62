"""Whether a proposed price lies within a suggestion's band.

Used twice: the declaration form warns a university whose own price lies outside the band (it may still declare
it), and a public listing shows a badge when the declared price is within the band. A price above the legal caps
of the 2024 CNIPA notice is flagged separately, with the citation.
"""

from __future__ import annotations

from decimal import Decimal

from market.kit.law import CAP_CITATION, PaymentMode
from market.kit.messages import Msg, Param
from market.kit.money import Money
from pricing import caps
from pricing.params import format_percent
from pricing.schemas import BandCheck, BandPosition, MoneyBand, Offer, RateBand, Suggestion


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
    """Where ``offer`` lies against ``suggestion``, in the offer's payment mode: one message per part."""
    rate_pos = amount_pos = None
    messages: list[Msg] = []
    over_cap = False
    if offer.rate_percent is not None and offer.mode is not PaymentMode.lump_sum:
        band = (suggestion.running_royalty if offer.mode is PaymentMode.running_royalty
                else suggestion.entry_plus_royalty.running_royalty)
        rate_pos = rate_position(offer.rate_percent, band)
        over_cap |= caps.rate_over_cap(offer.rate_percent)
        messages.append(Msg("pricing.check.rate", {
            "rate": format_percent(offer.rate_percent),
            "position": _position(rate_pos),
            "low": format_percent(band.low),
            "high": format_percent(band.high),
        }))
    if offer.amount is not None and offer.mode is not PaymentMode.running_royalty:
        lump = offer.mode is PaymentMode.lump_sum
        money_band = suggestion.lump_sum if lump else suggestion.entry_plus_royalty.entry_fee
        amount_pos = amount_position(offer.amount, money_band)
        over_cap |= caps.fixed_fee_over_cap(offer.amount)
        what = Msg("pricing.check.lump_sum" if lump else "pricing.check.entry_fee")
        params: dict[str, Param] = {"what": what, "amount": offer.amount, "position": _position(amount_pos)}
        if money_band is None:
            messages.append(Msg("pricing.check.amount_no_band", params))
        else:
            messages.append(Msg("pricing.check.amount", {**params, "low": money_band.low, "high": money_band.high}))
    position = _overall(rate_pos, amount_pos)
    if over_cap:
        messages.append(Msg("pricing.check.over_legal_cap", {"notice": Msg(CAP_CITATION)}))
    return BandCheck(position, rate_pos, amount_pos, over_cap, tuple(messages))


def _position(position: BandPosition) -> Msg:
    return Msg(f"pricing.position.{position.value}")


def _overall(*positions: BandPosition | None) -> BandPosition:
    """Within only if every part is within; any part above makes it above, else any below makes it below."""
    present = [p for p in positions if p is not None]
    for decisive in (BandPosition.ABOVE, BandPosition.BELOW, BandPosition.NO_BAND):
        if decisive in present:
            return decisive
    return BandPosition.WITHIN
