"""Relief-from-royalty valuation of a patent, for IP pledge financing (知识产权质押融资).

The value of owning a patent is the royalty its user no longer has to pay: the present value, over the patent's
remaining life, of annual net sales x royalty rate, after income tax. Every input is returned with its source so a
lender (and the borrower) can check each one; the pledge-loan feature applies its loan-to-value on top.

    value = round( round( round(S x r / 100) x (1 - tax) ) x a(remaining years, d) )

with each round half-up to the fen and a the annuity factor of :func:`pricing.params.annuity_factor`.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from market.kit.messages import Msg, Param
from market.kit.money import Money
from pricing.engine import CURRENCY, Engine, default_engine
from pricing.params import (
    DECIMAL_CONTEXT,
    ONE,
    annuity_factor,
    format_cny,
    format_percent,
    present_value_minor,
    q_minor,
    q_rate,
    royalty_minor,
)
from pricing.royalty_data import STARTING_DEFAULT_NOTE
from pricing.schemas import Factor, Note, PatentFacts, Valuation, to_decimal

TAX_CITATION = "law.eit.art4"
PLEDGE_CITATION = "law.cnipa.announcement461"

NOT_AN_APPRAISAL = Note(code="not_an_appraisal", citation=PLEDGE_CITATION)
ALREADY_PLEDGED = Note(code="already_pledged", citation=PLEDGE_CITATION)


def relief_from_royalty(
    patent: PatentFacts,
    *,
    annual_net_sales: Money,
    royalty_rate_percent: Decimal | int | str | None = None,
    open_licence_declared: bool = False,
    discount_rate: Decimal | int | str | None = None,
    tax_rate: Decimal | int | str | None = None,
    engine: Engine | None = None,
) -> Valuation:
    """The relief-from-royalty value of ``patent`` over its remaining life.

    ``royalty_rate_percent``: the declared open-licence rate if there is one; otherwise the industry median x
    patent-kind x claims factors (x the open-licence factor when ``open_licence_declared``). ``discount_rate`` and
    ``tax_rate`` default to the engine's parameters (10% and 25%).
    """
    engine = engine or default_engine()
    if annual_net_sales.currency != CURRENCY:
        raise ValueError("annual net sales must be in CNY")
    if annual_net_sales.minor < 0:
        raise ValueError("annual net sales cannot be negative")
    with localcontext(DECIMAL_CONTEXT):
        d = engine.params.discount_rate if discount_rate is None else to_decimal(discount_rate, "discount_rate")
        tax = engine.params.tax_rate if tax_rate is None else to_decimal(tax_rate, "tax_rate")
        if not (Decimal(0) <= d < ONE and Decimal(0) <= tax < ONE):
            raise ValueError("discount_rate and tax_rate must lie in [0, 1)")
        rate, rate_inputs, from_data = _rate(engine, patent, royalty_rate_percent, open_licence_declared)
        years = patent.remaining_years
        annual = royalty_minor(annual_net_sales.minor, rate)
        after_tax = q_minor(Decimal(annual) * (ONE - tax))
        factor = annuity_factor(years, d)
        value = present_value_minor(after_tax, factor)
    sales, royalty, net = (Money(CURRENCY, m) for m in (annual_net_sales.minor, annual, after_tax))
    inputs = (
        _input("annual_net_sales", format_cny(annual_net_sales.minor), "borrower's figure", {"sales": sales}),
        *rate_inputs,
        _input(
            "annual_royalty",
            format_cny(annual),
            "net sales x rate / 100",
            {"sales": sales, "rate": format_percent(rate), "royalty": royalty},
        ),
        _input("tax_rate", format_percent(tax * 100), TAX_CITATION, {"tax": format_percent(tax * 100)}),
        _input(
            "after_tax_royalty",
            format_cny(after_tax),
            "annual royalty x (1 - tax)",
            {"royalty": royalty, "tax": tax, "net": net},
        ),
        _input("remaining_years", f"{years}", "patent facts; Patent Law Art 42", {"years": years}),  # words: data
        _input(
            "discount_rate",
            format_percent(d * 100),
            "platform parameter (docs/pricing.md)",
            {"rate": format_percent(d * 100)},
        ),
        _input(
            "annuity_factor",
            f"{factor}",
            "sum of (1+d)^-t over the remaining years, part-year pro rata",
            {"years": years, "factor": factor},
        ),
        _input(
            "value",
            format_cny(value),
            "after-tax royalty x annuity factor",
            {"net": net, "factor": factor, "value": Money(CURRENCY, value)},
        ),
    )
    notes = [NOT_AN_APPRAISAL]
    if from_data and not _official(engine, patent):
        notes.insert(0, STARTING_DEFAULT_NOTE)
    if patent.encumbrances.pledged:
        notes.append(ALREADY_PLEDGED)
    return Valuation(
        value=Money(CURRENCY, value),
        annual_net_sales=annual_net_sales,
        royalty_rate=rate,
        annual_royalty=Money(CURRENCY, annual),
        after_tax_royalty=Money(CURRENCY, after_tax),
        tax_rate=tax,
        discount_rate=d,
        years=years,
        annuity_factor=factor,
        inputs=inputs,
        notes=tuple(notes),
    )


def _rate(
    engine: Engine, patent: PatentFacts, given: Decimal | int | str | None, open_licence: bool
) -> tuple[Decimal, list[Factor], bool]:
    """The royalty rate and the inputs that explain it; True when it came from the royalty data."""
    if given is not None:
        rate = to_decimal(given, "royalty_rate_percent")
        if not Decimal(0) <= rate <= Decimal(100):
            raise ValueError("royalty_rate_percent must lie in 0..100")
        given_input = _input(
            "royalty_rate", format_percent(rate), "given (e.g. the declared open-licence rate)",
            {"rate": format_percent(rate)}, code="royalty_rate_given",
        )
        return rate, [given_input], False
    profile, _, _ = engine.profile_for(patent)
    multiplier, factors = engine.rate_multiplier(patent, open_licence=open_licence)
    median = profile.rate_row.rate_median
    assert median is not None
    rate = q_rate(median * multiplier)
    summary = _input(
        "royalty_rate", format_percent(rate), "industry median x factors",
        {"median": format_percent(median), "multiplier": multiplier, "rate": format_percent(rate)},
    )
    return rate, [summary, profile.factors[0], *factors], True


def _official(engine: Engine, patent: PatentFacts) -> bool:
    profile, _, _ = engine.profile_for(patent)
    return profile.rate_row.official


def _input(key: str, value: str, source: str, params: dict[str, Param], *, code: str = "") -> Factor:
    """One input of the valuation: ``pricing.valuation.<code or key>`` shows it with its value."""
    return Factor(key=key, value=value, source=source, message=Msg(f"pricing.valuation.{code or key}", params))
