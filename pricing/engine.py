"""The suggestion engine: from patent facts (and optionally a licensee's sales) to open-licence terms in all three
payment modes, each figure explained factor by factor.

Method (docs/pricing.md gives it in full, with worked examples):

1. The main IPC code's WIPO technology field picks an industry; its royalty distribution (p25, median, p75 of
   running royalties, percent of net sales) anchors the band.
2. Multipliers scale the three quantiles: patent kind x non-exclusive open licence x claims breadth; each result
   is rounded half-up to 0.01 point.
3. Concluded platform licences in the same field (comparables) pull the middle towards their median with weight
   w = k / (k + 5) and narrow the band by the factor (1 - w/2).
4. Rates are capped at 20% of net sales (2024 CNIPA notice).
5. With expected annual net sales S: the lump sum is the present value of the royalties over the licence term,
   S x rate x a(term, d), with a the annuity factor at the discount rate d; the entry fee is a share s of it and the
   running royalty alongside it is reduced by the same share. Fixed amounts are capped at CNY 20,000,000 (2024 CNIPA
   notice). Without sales, a lump sum comes only from lump-sum comparables, or is reported as needing sales.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache
from pathlib import Path

from market.kit.law import PatentKind, PaymentMode
from market.kit.money import Money
from pricing import caps, explain
from pricing.fields import (
    Concordance,
    FieldIndustryMap,
    FieldMatch,
    MappingRow,
    load_concordance,
    load_field_industry_map,
)
from pricing.params import (
    DECIMAL_CONTEXT,
    DEFAULT_PARAMS,
    ONE,
    PricingParams,
    annuity_factor,
    present_value_minor,
    q_minor,
    q_rate,
    royalty_minor,
)
from pricing.royalty_data import STARTING_DEFAULT_NOTE, RoyaltyRow, RoyaltyTable, load_royalty_table
from pricing.schemas import (
    Comparable,
    EntryPlusRoyalty,
    Factor,
    FieldRef,
    IndustryRef,
    LicenseeFacts,
    MoneyBand,
    Note,
    PatentFacts,
    RateBand,
    Suggestion,
)

CURRENCY = "CNY"
"""Open-licence fees are declared to CNIPA in CNY; the engine converts no currency."""


@dataclass(frozen=True, slots=True)
class IndustryProfile:
    """Everything about one industry the engine needs per suggestion, prepared once."""

    industry: IndustryRef
    rate_row: RoyaltyRow
    factors: tuple[Factor, ...]
    context: Factor | None
    fell_back: bool


@dataclass(frozen=True, slots=True)
class ComparableEvidence:
    rates: tuple[Decimal, ...]
    lump_sums: tuple[int, ...]
    in_field: int
    given: int


class Engine:
    """Prices patents against one royalty table, concordance and field mapping. Build once, call many times."""

    def __init__(
        self,
        table: RoyaltyTable,
        concordance: Concordance,
        mapping: FieldIndustryMap,
        params: PricingParams = DEFAULT_PARAMS,
    ) -> None:
        self.table = table
        self.concordance = concordance
        self.mapping = mapping
        self.params = params
        self.warnings: list[str] = []
        fallback = self._profile(mapping.fallback)
        if fallback is None:
            raise ValueError(
                f"{mapping.name}: the fallback industry {mapping.fallback.industry_code!r} "
                f"({mapping.fallback.classification}) has no rate distribution in {table.name}"
            )
        self._fallback = fallback
        self._profiles: dict[int, IndustryProfile] = {}
        for number, row in mapping.by_field.items():
            profile = self._profile(row)
            if profile is None:
                self.warnings.append(
                    f"field {number}: industry {row.industry_code!r} ({row.classification}) has no rate "
                    f"distribution in {table.name}; the fallback industry is used"
                )
                profile = IndustryProfile(fallback.industry, fallback.rate_row, fallback.factors,
                                          fallback.context, True)
            self._profiles[number] = profile
        self._kind_factors = {kind: explain.kind_factor(kind, params.kind_factor(kind)) for kind in PatentKind}
        self._open_factor = explain.open_licence_factor(params.open_licence_factor)
        self._claims_cache: dict[int, Factor] = {}

    # ------------------------------------------------------------------------------------------ public

    def suggest(
        self,
        patent: PatentFacts,
        licensee: LicenseeFacts | None = None,
        *,
        comparables: Sequence[Comparable] = (),
        licence_term_years: Decimal | int | str | None = None,
    ) -> Suggestion:
        """Suggested terms for an open licence of ``patent``; see the module docstring for the method."""
        with localcontext(DECIMAL_CONTEXT):
            return self._suggest(patent, licensee, comparables, licence_term_years)

    def field_matches(self, ipc_codes: Sequence[str]) -> tuple[FieldMatch, ...]:
        return tuple(self.concordance.lookup(code) for code in ipc_codes)

    def profile_for(self, patent: PatentFacts) -> tuple[IndustryProfile, int | None, tuple[FieldMatch, ...]]:
        """The industry profile of a patent, its main field (None if unknown) and the match of each IPC code."""
        matches = self.field_matches(patent.ipc_codes)
        main = next((m.fields[0] for m in matches if m.fields), None)
        profile = self._fallback if main is None else self._profiles.get(main, self._fallback)
        return profile, main, matches

    def rate_multiplier(self, patent: PatentFacts, *, open_licence: bool = True) -> tuple[Decimal, list[Factor]]:
        """Product of the rate factors (kind, open licence, claims) and the factors themselves."""
        kind = self._kind_factors[patent.kind]
        claims = self._claims_factor(patent.claims_count)
        factors = [kind, self._open_factor, claims] if open_licence else [kind, claims]
        multiplier = ONE
        for f in factors:
            assert f.multiplier is not None
            multiplier *= f.multiplier
        return multiplier, factors

    # ------------------------------------------------------------------------------------------ steps

    def _suggest(
        self,
        patent: PatentFacts,
        licensee: LicenseeFacts | None,
        comparables: Sequence[Comparable],
        licence_term_years: Decimal | int | str | None,
    ) -> Suggestion:
        sales = _sales_minor(licensee)
        profile, main_field, matches = self.profile_for(patent)
        notes = explain.field_notes(patent, matches, main_field, profile.fell_back)
        multiplier, rate_factors = self.rate_multiplier(patent)
        row = profile.rate_row
        assert row.rate_p25 is not None
        assert row.rate_median is not None
        assert row.rate_p75 is not None
        band = (q_rate(row.rate_p25 * multiplier), q_rate(row.rate_median * multiplier),
                q_rate(row.rate_p75 * multiplier))
        evidence = _select_comparables(comparables, main_field)
        band, comparable_factor = self._narrow(band, evidence, main_field)
        rates, rate_capped = _cap_band(band)
        shares = [caps.profit_share(r) for r in rates]
        profit_band = RateBand(*(q_rate(s) for s, _ in shares))
        term, term_factor, term_note = explain.term_of(patent.remaining_years, licence_term_years)
        money = self._money_terms(rates, sales, term, evidence)
        if term_note is not None:
            notes.append(term_note)
        notes += money.notes
        notes += explain.encumbrance_notes(patent)
        capped = rate_capped or money.capped
        if capped:
            notes.append(caps.CAP_NOTE)
        if not row.official:
            notes.insert(0, STARTING_DEFAULT_NOTE)
        used = len(evidence.rates) + (len(evidence.lump_sums) if money.lump_from_comparables else 0)
        sample = (row.sample_size or 0) + used
        factors = [*profile.factors, *rate_factors, comparable_factor, term_factor, *money.factors,
                   explain.caps_factor(capped),
                   explain.profit_share_factor(rates[1], profit_band.mid, any(bit for _, bit in shares))]
        if profile.context is not None:
            factors.append(profile.context)
        return Suggestion(
            industry=profile.industry,
            fields=self._field_refs(matches),
            running_royalty=RateBand(*rates),
            annual_royalty=money.annual,
            entry_plus_royalty=EntryPlusRoyalty(money.entry_fee, money.entry_rates, self.params.entry_share),
            lump_sum=money.lump_sum,
            term_years=term,
            discount_rate=self.params.discount_rate,
            confidence=self.params.confidence(sample),
            sample_size=row.sample_size,
            comparables_used=used,
            capped=capped,
            data_is_official=row.official,
            factors=tuple(factors),
            notes=tuple(notes),
            profit_share=profit_band,
        )

    def _narrow(
        self, band: tuple[Decimal, Decimal, Decimal], evidence: ComparableEvidence, main_field: int | None
    ) -> tuple[tuple[Decimal, Decimal, Decimal], Factor]:
        """Pull the band towards the comparables' median rate and narrow it; explain how many were used."""
        k = len(evidence.rates)
        if k == 0:
            factor = explain.no_comparables_factor(evidence.given, evidence.in_field, len(evidence.lump_sums),
                                                   main_field)
            return band, factor
        low, mid, high = band
        weight = Decimal(k) / Decimal(k + self.params.comparable_credibility)
        median = _median(evidence.rates)
        new_mid = q_rate((ONE - weight) * mid + weight * median)
        shrink = ONE - weight / 2
        new_low = max(q_rate(new_mid - (mid - low) * shrink), Decimal("0.00"))
        new_high = q_rate(new_mid + (high - mid) * shrink)
        factor = explain.comparables_factor(
            k=k, given=evidence.given, in_field=evidence.in_field, median=median, weight=weight,
            credibility=self.params.comparable_credibility, mid=mid, main_field=main_field,
        )
        return (new_low, new_mid, new_high), factor

    def _money_terms(
        self, rates: tuple[Decimal, Decimal, Decimal], sales: int | None, term: Decimal,
        evidence: ComparableEvidence,
    ) -> MoneyTerms:
        share = self.params.entry_share
        entry_rates = RateBand(*(q_rate(r * (ONE - share)) for r in rates))
        if sales is None:
            return _terms_without_sales(entry_rates, evidence, share)
        d = self.params.discount_rate
        factor = annuity_factor(term, d)
        annual = [royalty_minor(sales, r) for r in rates]
        present = [present_value_minor(a, factor) for a in annual]
        lumps = [caps.cap_fixed_minor(p) for p in present]
        entries = [caps.cap_fixed_minor(q_minor(Decimal(p) * share)) for p in present]
        capped = any(bit for _, bit in (*lumps, *entries))
        return MoneyTerms(
            annual=_money_band(annual),
            lump_sum=_money_band([v for v, _ in lumps]),
            entry_fee=_money_band([v for v, _ in entries]),
            entry_rates=entry_rates,
            capped=capped,
            lump_from_comparables=False,
            factors=(explain.discount_factor(term, d, factor, annual[1], present[1]), explain.entry_factor(share)),
            notes=(),
        )

    # ------------------------------------------------------------------------------------------ set-up

    def _profile(self, row: MappingRow) -> IndustryProfile | None:
        """The prepared profile of a mapping row's industry; None if the table has no rate distribution for it."""
        rate_row = self.table.rate_row(row.classification, row.industry_code)
        if rate_row is None:
            return None
        industry = IndustryRef(row.classification, row.industry_code, rate_row.industry_name_en,
                               rate_row.industry_name_zh)
        supporting = tuple(r for r in self.table.rows_for(*rate_row.key)
                           if r is not rate_row and r.rate_median is not None)
        context_row = self.table.context_row(*rate_row.key)
        if context_row is None:
            context_row = self.table.context_row(self.mapping.fallback.classification,
                                                 self.mapping.fallback.industry_code)
        context = explain.context_factor(context_row) if context_row is not None else None
        factors = (explain.industry_factor(rate_row), *(explain.supporting_factor(r) for r in supporting))
        return IndustryProfile(industry, rate_row, factors, context, False)

    def _claims_factor(self, claims: int) -> Factor:
        factor = self._claims_cache.get(claims)
        if factor is None:
            factor = self._claims_cache[claims] = explain.claims_factor(claims, self.params)
        return factor

    def _field_refs(self, matches: tuple[FieldMatch, ...]) -> tuple[FieldRef, ...]:
        seen: dict[int, FieldRef] = {}
        for m in matches:
            for number in m.fields:
                if number not in seen:
                    seen[number] = self.mapping.field_ref(number)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class MoneyTerms:
    annual: MoneyBand | None
    lump_sum: MoneyBand | None
    entry_fee: MoneyBand | None
    entry_rates: RateBand
    capped: bool
    lump_from_comparables: bool
    factors: tuple[Factor, ...]
    notes: tuple[Note, ...]


# ------------------------------------------------------------------------------------------- helpers


def _sales_minor(licensee: LicenseeFacts | None) -> int | None:
    if licensee is None:
        return None
    sales = licensee.expected_annual_net_sales
    if sales.currency != CURRENCY:
        raise ValueError("expected annual net sales must be in CNY: open-licence fees are declared in CNY")
    return sales.minor


def _median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    n = len(ordered)
    if n % 2:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def _select_comparables(comparables: Sequence[Comparable], main_field: int | None) -> ComparableEvidence:
    """Running-royalty rates and CNY lump sums of the comparables in the patent's main field."""
    same = [c for c in comparables if main_field is not None and c.field == main_field]
    rates = tuple(c.rate_percent for c in same if c.mode is PaymentMode.running_royalty and c.rate_percent is not None)
    lumps = tuple(
        c.lump_sum.minor
        for c in same
        if c.mode is PaymentMode.lump_sum and c.lump_sum is not None and c.lump_sum.currency == CURRENCY
    )
    return ComparableEvidence(rates, lumps, len(same), len(comparables))


def _cap_band(band: tuple[Decimal, Decimal, Decimal]) -> tuple[tuple[Decimal, Decimal, Decimal], bool]:
    capped = [caps.cap_rate(r) for r in band]
    return (capped[0][0], capped[1][0], capped[2][0]), any(bit for _, bit in capped)


def _money_band(values: Sequence[int]) -> MoneyBand:
    return MoneyBand(Money(CURRENCY, values[0]), Money(CURRENCY, values[1]), Money(CURRENCY, values[2]))


def _terms_without_sales(entry_rates: RateBand, evidence: ComparableEvidence, share: Decimal) -> MoneyTerms:
    """Without sales a present value cannot be computed: a lump sum comes from lump-sum comparables, if any."""
    entry_factor = explain.entry_factor(share)
    if not evidence.lump_sums:
        return MoneyTerms(None, None, None, entry_rates, False, False, (entry_factor,), (explain.NEEDS_SALES_NOTE,))
    ordered = sorted(evidence.lump_sums)
    n = len(ordered)
    mid = ordered[n // 2] if n % 2 else q_minor(Decimal(ordered[n // 2 - 1] + ordered[n // 2]) / 2)
    values = [caps.cap_fixed_minor(v) for v in (ordered[0], mid, ordered[-1])]
    factor = explain.lump_comparables_factor(n, ordered[0], mid, ordered[-1])
    return MoneyTerms(
        annual=None,
        lump_sum=_money_band([v for v, _ in values]),
        entry_fee=None,
        entry_rates=entry_rates,
        capped=any(bit for _, bit in values),
        lump_from_comparables=True,
        factors=(factor, entry_factor),
        notes=(explain.NEEDS_SALES_FOR_ENTRY_NOTE,),
    )


# ------------------------------------------------------------------------------------------- defaults


def engine_from_files(
    royalty_path: str | Path | None = None,
    mapping_path: str | Path | None = None,
    concordance_path: str | Path | None = None,
    params: PricingParams = DEFAULT_PARAMS,
) -> Engine:
    """An engine over the given files; each None means the shipped default."""
    return Engine(
        load_royalty_table(royalty_path),
        load_concordance(concordance_path),
        load_field_industry_map(mapping_path),
        params,
    )


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The engine over the shipped data files, built once per process."""
    return engine_from_files()


def suggest(
    patent: PatentFacts,
    licensee: LicenseeFacts | None = None,
    *,
    comparables: Sequence[Comparable] = (),
    licence_term_years: Decimal | int | str | None = None,
    engine: Engine | None = None,
) -> Suggestion:
    """Suggested open-licence terms with the shipped data (or the given engine); see :meth:`Engine.suggest`."""
    return (engine or default_engine()).suggest(
        patent, licensee, comparables=comparables, licence_term_years=licence_term_years
    )
