"""Relief-from-royalty valuation of a patent, for IP pledge financing (知识产权质押融资).

The value of owning a patent is the royalty its user no longer has to pay: the present value, over the patent's
remaining life, of annual net sales x royalty rate, after income tax. Every input is returned with its source so a
lender (and the borrower) can check each one; the pledge-loan feature applies its loan-to-value on top.

    value = round( round( round(S x r / 100) x (1 - tax) ) x a(remaining years, d) )

with each round half-up to the fen and a the annuity factor of :func:`pricing.params.annuity_factor`.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

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

TAX_CITATION = "企业所得税法第四条（税率25%）/ Enterprise Income Tax Law Art 4 (rate 25%)"

NOT_AN_APPRAISAL = Note(
    code="not_an_appraisal",
    text_zh="本估值为融资参考，不是资产评估报告；质押登记时如经资产评估，应提交资产评估报告（专利权质押登记办法）。",
    text_en="This value is a guide for financing, not an appraisal report; where the patent was appraised, the "
    "appraisal report goes with the pledge registration (CNIPA Measures for Patent Pledge Registration).",
    citation="国家知识产权局公告第四六一号 / CNIPA Announcement No. 461",
)

ALREADY_PLEDGED = Note(
    code="already_pledged",
    text_zh="该专利已处于质押期间，不能再次办理质押登记（专利权质押登记办法，国家知识产权局公告第四六一号）。",
    text_en="The patent is already pledged: a second pledge registration is refused (CNIPA Measures for Patent "
    "Pledge Registration, Announcement No. 461).",
    citation="国家知识产权局公告第四六一号 / CNIPA Announcement No. 461",
)


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
    inputs = (
        _input("annual_net_sales", format_cny(annual_net_sales.minor), "borrower's figure",
               "年净销售额（使用该专利的产品）", "Annual net sales of products using the patent"),
        *rate_inputs,
        _input("annual_royalty", format_cny(annual), "net sales x rate / 100",
               f"年许可费 = {format_cny(annual_net_sales.minor)} × {format_percent(rate)}",
               f"Annual royalty = {format_cny(annual_net_sales.minor)} x {format_percent(rate)}"),
        _input("tax_rate", format_percent(tax * 100), TAX_CITATION, "企业所得税税率", "Income tax rate"),
        _input("after_tax_royalty", format_cny(after_tax), "annual royalty x (1 - tax)",
               f"税后年许可费 = {format_cny(annual)} × (1 - {tax})",
               f"After-tax royalty = {format_cny(annual)} x (1 - {tax})"),
        _input("remaining_years", f"{years}", "patent facts; Patent Law Art 42",
               "剩余保护期（年）", "Remaining life in years"),
        _input("discount_rate", format_percent(d * 100), "platform parameter (docs/pricing.md)",
               "年折现率", "Annual discount rate"),
        _input("annuity_factor", f"{factor}", "sum of (1+d)^-t over the remaining years, part-year pro rata",
               f"年金系数 a({years})", f"Annuity factor a({years})"),
        _input("value", format_cny(value), "after-tax royalty x annuity factor",
               f"估值 = {format_cny(after_tax)} × {factor}", f"Value = {format_cny(after_tax)} x {factor}"),
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
            "许可费率（给定，如已声明的开放许可费率）", "Royalty rate (given, e.g. the declared open-licence rate)",
        )
        return rate, [given_input], False
    profile, _, _ = engine.profile_for(patent)
    multiplier, factors = engine.rate_multiplier(patent, open_licence=open_licence)
    median = profile.rate_row.rate_median
    assert median is not None
    rate = q_rate(median * multiplier)
    summary = _input(
        "royalty_rate", format_percent(rate), "industry median x factors",
        f"许可费率 = 行业中位数{format_percent(median)} × {multiplier}",
        f"Royalty rate = industry median {format_percent(median)} x {multiplier}",
    )
    return rate, [summary, profile.factors[0], *factors], True


def _official(engine: Engine, patent: PatentFacts) -> bool:
    profile, _, _ = engine.profile_for(patent)
    return profile.rate_row.official


def _input(key: str, value: str, source: str, text_zh: str, text_en: str) -> Factor:
    return Factor(key=key, value=value, source=source, text_zh=f"{text_zh}：{value}", text_en=f"{text_en}: {value}")
