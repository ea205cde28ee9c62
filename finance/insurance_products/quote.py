"""A premium and limits from a product version's premium table, explained line by line. Pure: no database.

Shape ``base_plus_per_patent`` (PICC 2012 pilot): the tier is the first whose ``max_patents`` is at least the number
of patents (tiers in ascending order, the last open-ended); premium = base + patents x the tier's add-on; aggregate
limit = premium x the tier's multiple; the per-claim limit is the aggregate one.

Shape ``per_patent_by_tier`` (Beijing 2020): premium = patents x the firm tier's premium per patent; aggregate
limit = patents x its limit per patent; a claim (one patent) is limited to the limit per patent.

Then the version's own limits cap those from the table (when set), the per-claim limit never exceeds the aggregate,
and the deductible is the version's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finance.insurance_products.records import BaseTier, FirmTierPrice, InsuranceProductVersionRecord
from market.kit.messages import Msg
from market.kit.money import Money

MAX_PATENTS = 100_000


class QuoteError(ValueError):
    """Why no quote can be computed (a catalogue code with its parameters)."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(msg.code)
        self.msg = msg


@dataclass(frozen=True, slots=True)
class QuoteLine:
    label: Msg
    amount: Money


@dataclass(frozen=True, slots=True)
class Quote:
    premium: Money
    per_claim_limit: Money
    aggregate_limit: Money
    deductible: Money
    lines: tuple[QuoteLine, ...]
    table: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The quote as an application freezes it (minor units; each line's code, params and amount)."""
        return {
            "currency": self.premium.currency,
            "premium_minor": self.premium.minor,
            "per_claim_limit_minor": self.per_claim_limit.minor,
            "aggregate_limit_minor": self.aggregate_limit.minor,
            "deductible_minor": self.deductible.minor,
            "lines": [
                {"code": line.label.code, "params": _params_json(line.label.params), "amount_minor": line.amount.minor}
                for line in self.lines
            ],
            "table": self.table,
        }


def _params_json(params: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in dict(params).items():
        if isinstance(value, Money):
            out[key] = {"minor": value.minor, "currency": value.currency}
        elif isinstance(value, Msg):
            out[key] = {"code": value.code, "params": _params_json(value.params)}
        else:
            out[key] = value
    return out


def tier_for(tiers: tuple[BaseTier, ...], patents: int) -> tuple[int, BaseTier]:
    """The tier (its 1-based number) for this many patents: the first whose ``max_patents`` holds them."""
    ordered = sorted(enumerate(tiers, 1), key=lambda t: (t[1].max_patents is None, t[1].max_patents or 0))
    for number, tier in ordered:
        if tier.max_patents is None or patents <= tier.max_patents:
            return number, tier
    raise QuoteError(Msg("insurance_products.quote.too_many_patents", {"patents": patents}))


def price_for(prices: tuple[FirmTierPrice, ...], firm_tier: str) -> FirmTierPrice:
    for price in prices:
        if price.tier == firm_tier:
            return price
    tier = Msg(f"insurance_products.firm_tier.{firm_tier}")
    raise QuoteError(Msg("insurance_products.quote.no_price_for_tier", {"tier": tier}))


def compute_quote(product: InsuranceProductVersionRecord, *, patents: int, firm_tier: str) -> Quote:
    """The premium, per-claim and aggregate limits and deductible for ``patents`` patents of a firm of
    ``firm_tier`` (``sme`` or ``champion``) under this version, with the lines that explain them."""
    if not 1 <= patents <= MAX_PATENTS:
        raise QuoteError(Msg("insurance_products.quote.patents_range", {"max": MAX_PATENTS}))
    currency = product.currency
    table = product.premium_table
    lines: list[QuoteLine] = []

    def money(minor: int) -> Money:
        return Money(currency, minor)

    used: dict[str, Any] = {"shape": table.shape, "patents": patents, "firm_tier": firm_tier,
                            "product_version": product.id, "version": product.version}  # fmt: skip
    if table.shape == "base_plus_per_patent":
        number, tier = tier_for(table.base_tiers, patents)
        add_on = tier.per_patent_minor if tier.per_patent_minor is not None else table.per_patent_minor
        premium = tier.base_minor + patents * add_on
        aggregate = premium * tier.limit_multiple
        per_claim = aggregate
        used.update(tier=number, base_minor=tier.base_minor, per_patent_minor=add_on,
                    limit_multiple=tier.limit_multiple, max_patents=tier.max_patents)  # fmt: skip
        lines.append(QuoteLine(Msg("insurance_products.quote.base", {"tier": number}), money(tier.base_minor)))
        lines.append(
            QuoteLine(
                Msg("insurance_products.quote.add_on", {"patents": patents, "per_patent": money(add_on)}),
                money(patents * add_on),
            )
        )
        lines.append(QuoteLine(Msg("insurance_products.quote.premium"), money(premium)))
        lines.append(
            QuoteLine(
                Msg("insurance_products.quote.limit_multiple",
                    {"multiple": tier.limit_multiple, "premium": money(premium)}),
                money(aggregate),
            )
        )  # fmt: skip
    else:
        price = price_for(table.by_firm_tier, firm_tier)
        tier_name = Msg(f"insurance_products.firm_tier.{firm_tier}")
        premium = patents * price.per_patent_premium_minor
        aggregate = patents * price.per_patent_limit_minor
        per_claim = price.per_patent_limit_minor
        used.update(per_patent_premium_minor=price.per_patent_premium_minor,
                    per_patent_limit_minor=price.per_patent_limit_minor)  # fmt: skip
        lines.append(
            QuoteLine(
                Msg("insurance_products.quote.per_patent_premium",
                    {"patents": patents, "per_patent": money(price.per_patent_premium_minor), "tier": tier_name}),
                money(premium),
            )
        )  # fmt: skip
        lines.append(QuoteLine(Msg("insurance_products.quote.premium"), money(premium)))
        lines.append(
            QuoteLine(
                Msg("insurance_products.quote.per_patent_limit",
                    {"patents": patents, "per_patent": money(price.per_patent_limit_minor), "tier": tier_name}),
                money(aggregate),
            )
        )  # fmt: skip
    if product.aggregate_limit_minor is not None and product.aggregate_limit_minor < aggregate:
        aggregate = product.aggregate_limit_minor
        lines.append(QuoteLine(Msg("insurance_products.quote.aggregate_capped"), money(aggregate)))
    if product.per_claim_limit_minor is not None and product.per_claim_limit_minor < per_claim:
        per_claim = product.per_claim_limit_minor
        lines.append(QuoteLine(Msg("insurance_products.quote.per_claim_capped"), money(per_claim)))
    per_claim = min(per_claim, aggregate)
    lines.append(QuoteLine(Msg("insurance_products.quote.aggregate_limit"), money(aggregate)))
    lines.append(QuoteLine(Msg("insurance_products.quote.per_claim_limit"), money(per_claim)))
    lines.append(QuoteLine(Msg("insurance_products.quote.deductible"), money(product.deductible_minor)))
    return Quote(
        premium=money(premium),
        per_claim_limit=money(per_claim),
        aggregate_limit=money(aggregate),
        deductible=money(product.deductible_minor),
        lines=tuple(lines),
        table=used,
    )
