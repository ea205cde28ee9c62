"""The platform's pricing parameters, each with where it comes from, and the exact arithmetic they feed.

Parameters that are the platform's own choices say so: a university reading the explanation must be able to tell a
published figure from an assumption. Arithmetic is Decimal throughout with stated rounding, so the worked examples
in ``docs/pricing.md`` can be reproduced with pencil, paper and patience:

- rates are rounded half-up to 0.01 percentage point (one basis point) after each factor step;
- the annuity factor is rounded half-up to 6 decimal places;
- money is rounded half-up to the minor unit (fen) at each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from functools import lru_cache

from market.kit.formatting import format_money, format_percent_bp
from market.kit.law import PatentKind
from pricing.schemas import Confidence

RATE_QUANTUM = Decimal("0.01")
ANNUITY_QUANTUM = Decimal("0.000001")
ONE = Decimal(1)
HUNDRED = Decimal(100)

DECIMAL_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)
"""All public entry points compute inside this context, whatever the caller's thread context is."""


@dataclass(frozen=True, slots=True)
class PricingParams:
    """Tunable pricing parameters. Defaults are documented, with their basis, in docs/pricing.md."""

    discount_rate: Decimal = Decimal("0.10")
    """Annual discount rate for present values: a risk-free rate plus a premium for the uncertainty of one
    patent's royalties. Platform parameter, not from a source; state another per deal if known."""
    entry_share: Decimal = Decimal("0.30")
    """Share of the royalties' present value taken up front as an entry fee; the running royalty is reduced by
    the same share. Platform parameter."""
    open_licence_factor: Decimal = Decimal("0.80")
    """Non-exclusive open licence: anyone may take it (Patent Law Art 50-51) and no exclusive or sole licence may be
    granted while it stands, so no licensee buys exclusivity; the published rates mix exclusive and non-exclusive
    deals. Platform parameter."""
    invention_factor: Decimal = Decimal("1.00")
    utility_model_factor: Decimal = Decimal("0.60")
    """Traced to one bank's loan-to-value example: 15% of appraised value for utility models vs 25% for inventions
    (15/25 = 0.60; shared/domain/cn_ip_finance_and_open_license_policy_params.json, bank_ltv_example_bocom,
    tertiary). Utility models are granted without substantive examination and last 10 years (Art 42)."""
    design_factor: Decimal = Decimal("0.60")
    """Platform assumption: designs, like utility models, are granted without substantive examination."""
    narrow_claims_max: int = 3
    narrow_claims_factor: Decimal = Decimal("0.90")
    broad_claims_min: int = 10
    broad_claims_factor: Decimal = Decimal("1.10")
    """Claims breadth: at most 3 claims x0.90, 4-9 claims x1.00, 10 or more x1.10. Platform parameters: more claims
    give more fallback positions and scope, a weak but visible signal."""
    comparable_credibility: int = 5
    """Weight of k platform comparables against the industry data: w = k / (k + 5). Platform parameter."""
    confidence_medium_at: int = 30
    confidence_high_at: int = 300
    """Confidence from the sample size (data rows plus comparables used): below 30 low, below 300 medium."""
    tax_rate: Decimal = Decimal("0.25")
    """Relief-from-royalty after tax: Enterprise Income Tax Law Art 4, 25% (high-tech enterprises 15%, Art 28)."""

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.discount_rate < Decimal(1):
            raise ValueError("discount_rate must lie in [0, 1)")
        if not Decimal(0) <= self.entry_share < Decimal(1):
            raise ValueError("entry_share must lie in [0, 1)")
        if not Decimal(0) <= self.tax_rate < Decimal(1):
            raise ValueError("tax_rate must lie in [0, 1)")
        if self.comparable_credibility < 1:
            raise ValueError("comparable_credibility must be at least 1")
        if not self.narrow_claims_max < self.broad_claims_min:
            raise ValueError("narrow_claims_max must be below broad_claims_min")
        factors = (
            self.open_licence_factor,
            self.invention_factor,
            self.utility_model_factor,
            self.design_factor,
            self.narrow_claims_factor,
            self.broad_claims_factor,
        )
        if any(f <= 0 for f in factors):
            raise ValueError("factors must be positive")

    def kind_factor(self, kind: PatentKind) -> Decimal:
        return {
            PatentKind.invention: self.invention_factor,
            PatentKind.utility_model: self.utility_model_factor,
            PatentKind.design: self.design_factor,
        }[kind]

    def claims_factor(self, claims: int) -> Decimal:
        if claims <= self.narrow_claims_max:
            return self.narrow_claims_factor
        if claims >= self.broad_claims_min:
            return self.broad_claims_factor
        return ONE

    def confidence(self, sample_size: int) -> Confidence:
        if sample_size >= self.confidence_high_at:
            return Confidence.HIGH
        if sample_size >= self.confidence_medium_at:
            return Confidence.MEDIUM
        return Confidence.LOW


DEFAULT_PARAMS = PricingParams()


def q_rate(rate: Decimal) -> Decimal:
    """A rate rounded half-up to one basis point (0.01 percentage point)."""
    return rate.quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)


def q_minor(amount: Decimal) -> int:
    """An amount rounded half-up to whole minor units."""
    return int(amount.quantize(ONE, rounding=ROUND_HALF_UP))


def royalty_minor(sales_minor: int, rate_percent: Decimal) -> int:
    """One year's royalty in minor units: sales x rate / 100, rounded half-up to the minor unit."""
    return q_minor(Decimal(sales_minor) * rate_percent / HUNDRED)


@lru_cache(maxsize=8192)
def annuity_factor(years: Decimal, rate: Decimal) -> Decimal:
    """Present value of 1 a year paid at each year's end for ``years`` years, at ``rate``; 6 decimal places.

    a(n) = sum_{t=1..floor(n)} (1+d)^-t + frac(n) x (1+d)^-(floor(n)+1): a final part-year pays its share of a
    year's royalty at the end of that year. Each term is exact to 28 digits; only the sum is rounded.
    """
    with localcontext(DECIMAL_CONTEXT):
        whole = int(years)
        part = years - whole
        growth = ONE + rate
        total = sum((ONE / growth**t for t in range(1, whole + 1)), Decimal(0))
        if part:
            total += part / growth ** (whole + 1)
        return total.quantize(ANNUITY_QUANTUM, rounding=ROUND_HALF_UP)


def present_value_minor(annual_minor: int, factor: Decimal) -> int:
    """Annual amount x annuity factor, rounded half-up to the minor unit."""
    return q_minor(Decimal(annual_minor) * factor)


def format_percent(rate: Decimal | None) -> str:
    """A rate in percent (this library's unit) as the product shows rates: ``Decimal("4.4")`` -> ``4.40%``."""
    if rate is None:
        return "—"
    return format_percent_bp(int((rate * HUNDRED).quantize(ONE, rounding=ROUND_HALF_UP)))


def format_cny(minor: int) -> str:
    """A CNY amount in the explanation texts (which are language-neutral until they become message codes), by the
    product's one money formatter: ``CN¥1,234.56``."""
    return format_money(minor, "CNY", "en")
