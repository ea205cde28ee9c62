"""Relief-from-royalty, pure: the present value, over the patent's remaining economic life, of the royalties its owner
no longer pays, after tax.

    years   N = min(economic life, legal term left)            (Patent Law Art 42 caps the life)
    year t  royalty_t = revenue_t x rate;  net_t = royalty_t x (1 - tax);  pv_t = net_t / (1 + d)^t
            a final part-year counts its share of the year's royalty, discounted as the next whole year
    value   = sum of pv_t

Each step is rounded half-up to the fen, as ``pricing`` rounds (``pricing.params``). The royalty rate is the one
given, or the pricing module's benchmark for the patent's technology field (industry median x kind x claims
factors, x the open-licence factor when an open licence is declared). Every input and each year is a line.

The method is tagged external, internal or agreed; internal and agreed values are accepted only below the
threshold in the shared data (``pledge_loans.valuation.internal_or_agreed_value_allowed_below_cny``: the pilot
provinces' rule): at or above it, reason ``pledge.valuation.external_required`` (block).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext

from finance.desk.reasons import ReasonCode, Severity, reason, register
from finance.valuation.records import Method, Valuation, ValuationInputs
from market.kit.formatting import format_percent_bp
from market.kit.messages import Msg, Param
from market.kit.money import Money
from pricing import Encumbrances, Engine, Factor, PatentFacts, default_engine
from pricing.params import DECIMAL_CONTEXT, ONE, format_cny, q_minor, q_rate

BP = Decimal(10_000)
YEAR_DAYS = Decimal("365.25")
DEFAULT_TAX_BP = 2500  # Enterprise Income Tax Law Art 4 (pricing.params.PricingParams.tax_rate)
TAX_SOURCE = "law.eit.art4"
TERM_SOURCE = "law.patent.art42"
PILOT_SOURCE = "law.ipfinance_pilot.valuation"

EXTERNAL_REQUIRED = "pledge.valuation.external_required"
REPORT_MISSING = "pledge.valuation.report_missing"
register(
    ReasonCode(EXTERNAL_REQUIRED, PILOT_SOURCE, Severity.block),
    ReasonCode(REPORT_MISSING, PILOT_SOURCE, Severity.warn),
)


def legal_years(expiry: date, today: date) -> Decimal:
    """Years of legal term left, to 0.01 (0 once expired)."""
    if expiry <= today:
        return Decimal(0)
    return (Decimal((expiry - today).days) / YEAR_DAYS).quantize(Decimal("0.01"))


def _line(key: str, value: str, source: str, params: dict[str, Param]) -> Factor:
    return Factor(key=key, value=value, source=source, message=Msg(f"valuation.line.{key}", params))


def _rate(inputs: ValuationInputs, engine: Engine) -> tuple[int, list[Factor]]:
    """The royalty rate in basis points, and the lines that explain it."""
    if inputs.royalty_rate_bp is not None:
        rate = inputs.royalty_rate_bp
        return rate, [_line("royalty_rate_given", format_percent_bp(rate), "given", {"rate": format_percent_bp(rate)})]
    years = min(legal_years(inputs.expiry_date, inputs.today), Decimal(20)) or Decimal("0.01")
    facts = PatentFacts(
        kind=inputs.kind,
        ipc_codes=inputs.ipc_codes,
        remaining_years=years,
        claims_count=max(inputs.claims_count, 1),
        encumbrances=Encumbrances(),
    )
    profile, _, _ = engine.profile_for(facts)
    multiplier, factors = engine.rate_multiplier(facts, open_licence=inputs.open_licence_declared)
    median = profile.rate_row.rate_median
    assert median is not None
    percent = q_rate(median * multiplier)  # percent of net sales, to one basis point
    rate = int(percent * 100)
    summary = _line(
        "royalty_rate",
        format_percent_bp(rate),
        "industry median x factors (pricing)",
        {"median": format_percent_bp(int(q_rate(median) * 100)), "multiplier": multiplier,
         "rate": format_percent_bp(rate)},
    )  # fmt: skip
    return rate, [summary, profile.factors[0], *factors]


def value(inputs: ValuationInputs, *, threshold: Money | None = None, engine: Engine | None = None) -> Valuation:
    """The relief-from-royalty value of a patent, every input and year shown (see the module's docstring)."""
    if not inputs.projected_revenue:
        raise ValueError("projected_revenue needs at least one year")
    currency = inputs.projected_revenue[0].currency
    if any(m.currency != currency or m.minor < 0 for m in inputs.projected_revenue):
        raise ValueError("projected revenue: one currency, never negative")
    if not 0 <= inputs.discount_rate_bp < BP or not 0 <= (inputs.tax_rate_bp or 0) < BP:
        raise ValueError("discount and tax rates lie in [0, 100%)")
    engine = engine or default_engine()
    tax_bp = DEFAULT_TAX_BP if inputs.tax_rate_bp is None else inputs.tax_rate_bp
    with localcontext(DECIMAL_CONTEXT):
        rate_bp, rate_lines = _rate(inputs, engine)
        legal = legal_years(inputs.expiry_date, inputs.today)
        life = legal if inputs.economic_life_years is None else min(inputs.economic_life_years, legal)
        d, tax, rate = Decimal(inputs.discount_rate_bp) / BP, Decimal(tax_bp) / BP, Decimal(rate_bp) / BP
        lines: list[Factor] = [
            _line("method", inputs.method.value, "declared", {"method": Msg(f"valuation.method.{inputs.method}"),
                                                              "appraiser": inputs.appraiser}),
            *rate_lines,
            _line("legal_years", f"{legal}", TERM_SOURCE, {"years": legal, "expiry": inputs.expiry_date}),
            _line(
                "economic_life",
                "—" if inputs.economic_life_years is None else f"{inputs.economic_life_years}",
                "borrower's figure" if inputs.economic_life_years is not None else "legal term",
                {"years": inputs.economic_life_years if inputs.economic_life_years is not None else legal},
            ),
            _line("years_used", f"{life}", "min(economic life, legal term)", {"years": life}),
            _line("discount_rate", format_percent_bp(inputs.discount_rate_bp), "given",
                  {"rate": format_percent_bp(inputs.discount_rate_bp)}),
            _line("tax_rate", format_percent_bp(tax_bp), TAX_SOURCE, {"rate": format_percent_bp(tax_bp)}),
        ]  # fmt: skip
        total = 0
        whole = int(life)
        part = life - whole
        year_count = whole + (1 if part else 0)
        for t in range(1, year_count + 1):
            share = part if t > whole else ONE
            revenue = inputs.projected_revenue[min(t, len(inputs.projected_revenue)) - 1]
            royalty = q_minor(Decimal(revenue.minor) * rate * share)
            net = q_minor(Decimal(royalty) * (ONE - tax))
            factor = (ONE / (ONE + d) ** t).quantize(Decimal("0.000001"))
            pv = q_minor(Decimal(net) * factor)
            total += pv
            held = t > len(inputs.projected_revenue)
            lines.append(
                _line(
                    "year",
                    format_cny(pv) if currency == "CNY" else str(pv),
                    "last projected revenue held" if held else "projected revenue",
                    {
                        "year": t,
                        "share": share,
                        "revenue": revenue,
                        "royalty": Money(currency, royalty),
                        "net": Money(currency, net),
                        "factor": factor,
                        "pv": Money(currency, pv),
                    },
                )
            )
        amount = Money(currency, total)
        lines.append(_line("value", format_cny(total) if currency == "CNY" else str(total), "sum of the years",
                           {"value": amount, "years": life}))  # fmt: skip
    reasons = []
    if inputs.method is not Method.external and threshold is not None and amount.minor >= threshold.minor:
        reasons.append(reason(EXTERNAL_REQUIRED, value=amount, threshold=threshold, method=Msg(
            f"valuation.method.{inputs.method}")))  # fmt: skip
    if inputs.method is Method.external and inputs.report_document is None:
        reasons.append(reason(REPORT_MISSING))
    return Valuation(
        amount=amount,
        method=inputs.method,
        royalty_rate_bp=rate_bp,
        years=life,
        lines=tuple(lines),
        reasons=tuple(reasons),
        threshold=threshold,
    )
