"""Properties that must hold for every patent: monotone lump sums, ordered bands, caps, determinism."""

from __future__ import annotations

import decimal
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from market.kit.law import FIXED_FEE_CAP, STATUTORY_TERM_YEARS, PatentKind, PaymentMode
from market.kit.money import Money
from pricing import (
    MAX_RUNNING_ROYALTY_PERCENT,
    Comparable,
    LicenseeFacts,
    MoneyBand,
    Offer,
    PatentFacts,
    RateBand,
    Suggestion,
    engine_from_files,
    suggest,
    within_band,
)
from tests.pricing.support import engine_over, row

CODES = ["G06F 16/35", "A61K 8/02", "A61K 31/495", "H04N 5/225", "H04N 23/60", "B64U 20/80", "A47C 7/02",
         "H01L 21/02", "C08L 23/00", "F16H 1/00", "G01N 33/53", "A01B 1/00", "E01F 9/00", "not-a-code"]
FIELDS_OF_CODES = [6, 14, 16, 2, 8, 33, 17, 31, 11, 29, 35]

EXTREME = engine_over(
    row("ALL", p25="15.00", median="60.00", p75="100.00"),
    row("SOFTWARE", p25="0.00", median="0.00", p75="100.00"),
)

kinds = st.sampled_from(list(PatentKind))
codes = st.lists(st.sampled_from(CODES), max_size=3).map(tuple)
claims = st.integers(min_value=1, max_value=80)
sales = st.integers(min_value=0, max_value=10**13).map(lambda fen: LicenseeFacts(Money("CNY", fen)))
rates = st.integers(min_value=0, max_value=10_000).map(lambda bp: D(bp) / 100)


@st.composite
def years_for(draw: st.DrawFn, kind: PatentKind) -> D:
    """Remaining years in hundredths, within the kind's statutory term (Patent Law Art 42)."""
    return D(draw(st.integers(min_value=1, max_value=STATUTORY_TERM_YEARS[kind] * 100))) / 100


@st.composite
def patents(draw: st.DrawFn) -> PatentFacts:
    kind = draw(kinds)
    return PatentFacts(kind=kind, ipc_codes=draw(codes), remaining_years=draw(years_for(kind)),
                       claims_count=draw(claims))


@st.composite
def comparable(draw: st.DrawFn) -> Comparable:
    field = draw(st.sampled_from(FIELDS_OF_CODES))
    mode = draw(st.sampled_from(list(PaymentMode)))
    amount = Money("CNY", draw(st.integers(min_value=0, max_value=5 * 10**9)))
    return Comparable(field, mode, rate_percent=draw(rates), lump_sum=amount, entry_fee=amount)


comparables = st.lists(comparable(), max_size=12)


def rate_bands(s: Suggestion) -> list[RateBand]:
    return [s.running_royalty, s.entry_plus_royalty.running_royalty]


def money_bands(s: Suggestion) -> list[MoneyBand]:
    return [b for b in (s.annual_royalty, s.lump_sum, s.entry_plus_royalty.entry_fee) if b is not None]


@settings(max_examples=300, deadline=None)
@given(data=st.data(), patent=patents(), licensee=sales, extra=comparables)
def test_a_longer_remaining_life_never_lowers_the_lump_sum(
    data: st.DataObject, patent: PatentFacts, licensee: LicenseeFacts, extra: list[Comparable]
) -> None:
    longer_years = data.draw(years_for(patent.kind).filter(lambda y: y >= patent.remaining_years))
    longer = PatentFacts(kind=patent.kind, ipc_codes=patent.ipc_codes, remaining_years=longer_years,
                         claims_count=patent.claims_count)
    for engine in (None, EXTREME):
        for who in (licensee, None):
            a = suggest(patent, who, comparables=extra, engine=engine)
            b = suggest(longer, who, comparables=extra, engine=engine)
            if a.lump_sum is None:
                assert b.lump_sum is None
                continue
            assert b.lump_sum is not None
            assert b.lump_sum.low.minor >= a.lump_sum.low.minor
            assert b.lump_sum.mid.minor >= a.lump_sum.mid.minor
            assert b.lump_sum.high.minor >= a.lump_sum.high.minor
            if a.entry_plus_royalty.entry_fee is not None:
                assert b.entry_plus_royalty.entry_fee is not None
                assert b.entry_plus_royalty.entry_fee.mid.minor >= a.entry_plus_royalty.entry_fee.mid.minor


@settings(max_examples=300, deadline=None)
@given(patent=patents(), licensee=st.none() | sales, extra=comparables, extreme=st.booleans())
def test_bands_are_ordered_and_caps_are_never_exceeded(
    patent: PatentFacts, licensee: LicenseeFacts | None, extra: list[Comparable], extreme: bool
) -> None:
    s = suggest(patent, licensee, comparables=extra, engine=EXTREME if extreme else None)
    for band in rate_bands(s):
        assert D(0) <= band.low <= band.mid <= band.high <= MAX_RUNNING_ROYALTY_PERCENT
    for money in money_bands(s):
        assert 0 <= money.low.minor <= money.mid.minor <= money.high.minor
    for money in (s.lump_sum, s.entry_plus_royalty.entry_fee):
        if money is not None:
            assert money.high.minor <= FIXED_FEE_CAP.minor
    mid = Offer(PaymentMode.running_royalty, rate_percent=s.running_royalty.mid)
    assert within_band(s, mid).within


FRESH = engine_from_files()


@settings(max_examples=150, deadline=None)
@given(patent=patents(), licensee=st.none() | sales, extra=comparables, term=st.none() | st.integers(1, 25))
def test_the_same_input_gives_the_same_output(
    patent: PatentFacts, licensee: LicenseeFacts | None, extra: list[Comparable], term: int | None
) -> None:
    first = suggest(patent, licensee, comparables=extra, licence_term_years=term)
    again = suggest(patent, licensee, comparables=list(reversed(extra)), licence_term_years=term)
    other_engine = FRESH.suggest(patent, licensee, comparables=extra, licence_term_years=term)
    with decimal.localcontext() as ctx:  # a caller's odd Decimal context must not leak into the prices
        ctx.prec = 6
        ctx.rounding = decimal.ROUND_FLOOR
        odd_context = suggest(patent, licensee, comparables=extra, licence_term_years=term)
    assert first == again == other_engine == odd_context


@settings(max_examples=150, deadline=None)
@given(patent=patents(), extra=comparables)
def test_comparables_never_widen_the_band_below_the_cap(patent: PatentFacts, extra: list[Comparable]) -> None:
    without = suggest(patent)
    with_them = suggest(patent, comparables=extra)
    before = without.running_royalty.high - without.running_royalty.low
    after = with_them.running_royalty.high - with_them.running_royalty.low
    assert after <= before
