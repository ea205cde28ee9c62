"""The worked examples of docs/pricing.md, reproduced exactly (integer fen, rates to the basis point).

Each expected figure was computed by hand (docs/pricing.md shows every step); if a rounding rule or a factor
changes, these fail and the document must change with them.
"""

from __future__ import annotations

from decimal import Decimal as D

from market.kit.law import PatentKind, PaymentMode
from market.kit.money import Money
from pricing import (
    Comparable,
    Confidence,
    LicenseeFacts,
    MoneyBand,
    PatentFacts,
    RateBand,
    relief_from_royalty,
    suggest,
)
from tests.pricing.support import en, zh


def cny(*fen: int) -> MoneyBand:
    low, mid, high = (Money("CNY", f) for f in fen)
    return MoneyBand(low, mid, high)


def band(low: str, mid: str, high: str) -> RateBand:
    return RateBand(D(low), D(mid), D(high))


EXAMPLE_1 = PatentFacts(kind=PatentKind.invention, ipc_codes=("G06F 16/35",), remaining_years=D("8.5"),
                        claims_count=12)


def test_example_1_software_invention_with_sales() -> None:
    s = suggest(EXAMPLE_1, LicenseeFacts(Money.of("2000000")))
    assert (s.industry.code, [f.number for f in s.fields]) == ("SOFTWARE", [6])
    assert s.running_royalty == band("4.40", "5.72", "7.04")
    assert s.annual_royalty == cny(8_800_000, 11_440_000, 14_080_000)
    assert s.lump_sum == cny(48_813_380, 63_457_394, 78_101_408)
    assert s.entry_plus_royalty.entry_fee == cny(14_644_014, 19_037_218, 23_430_422)
    assert s.entry_plus_royalty.running_royalty == band("3.08", "4.00", "4.93")
    assert s.term_years == D("8.5")
    assert next(f.value for f in s.factors if f.key == "discount_rate") == "d=10.00%, a(8.5)=5.546975"
    assert s.confidence is Confidence.LOW
    assert s.capped is False


def test_example_2_utility_model_narrowed_by_comparables() -> None:
    comparables = [
        Comparable(33, PaymentMode.running_royalty, rate_percent=D("2.00")),
        Comparable(33, PaymentMode.running_royalty, rate_percent=D("2.50")),
        Comparable(33, PaymentMode.running_royalty, rate_percent=D("3.00")),
        Comparable(33, PaymentMode.lump_sum, lump_sum=Money.of("40000")),
        Comparable(6, PaymentMode.running_royalty, rate_percent=D("9.00")),
    ]
    patent = PatentFacts(kind=PatentKind.utility_model, ipc_codes=("A47C 7/02",), remaining_years=D(6), claims_count=3)
    s = suggest(patent, LicenseeFacts(Money.of("500000")), comparables=comparables)
    assert s.industry.code == "CONSUMER"
    assert s.running_royalty == band("1.35", "1.88", "2.41")
    assert s.comparables_used == 3
    assert s.annual_royalty == cny(675_000, 940_000, 1_205_000)
    assert s.lump_sum == cny(2_939_801, 4_093_945, 5_248_090)
    assert s.entry_plus_royalty.entry_fee == cny(881_940, 1_228_184, 1_574_427)
    assert s.entry_plus_royalty.running_royalty == band("0.95", "1.32", "1.69")
    factor = next(f for f in s.factors if f.key == "comparables")
    assert factor.value == "k=3, median 2.50%, w=0.3750"
    assert "of 5 concluded licences given, 4 are in field 33; 3 running-royalty licences were used" in en(factor)
    assert "3项提成许可用于调整区间" in zh(factor)


def test_example_3_pharmaceutical_lump_sum_capped_at_cny_20_million() -> None:
    patent = PatentFacts(kind=PatentKind.invention, ipc_codes=("A61K 31/495",), remaining_years=D(15),
                         claims_count=25)
    s = suggest(patent, LicenseeFacts(Money.of("100000000")), licence_term_years=20)
    assert s.industry.code == "PHARMA_BIOTECH"
    assert s.running_royalty == band("3.52", "4.40", "5.28")
    assert s.term_years == D(15)
    assert s.annual_royalty == cny(352_000_000, 440_000_000, 528_000_000)
    assert s.lump_sum == cny(2_000_000_000, 2_000_000_000, 2_000_000_000)
    assert s.entry_plus_royalty.entry_fee == cny(803_202_048, 1_004_002_560, 1_204_803_072)
    assert s.entry_plus_royalty.running_royalty == band("2.46", "3.08", "3.70")
    assert s.capped is True
    assert {"legal_cap_applied", "term_limited_to_patent_life"} <= {n.code for n in s.notes}


def test_example_4_no_sales_lump_sum_from_lump_sum_comparables() -> None:
    comparables = [Comparable(29, PaymentMode.lump_sum, lump_sum=Money.of(v)) for v in ("50000", "20000", "30000")]
    patent = PatentFacts(kind=PatentKind.utility_model, ipc_codes=("A01B 1/00",), remaining_years=D(7), claims_count=6)
    s = suggest(patent, comparables=comparables)
    assert s.industry.code == "AUTO_INDUSTRIAL"
    assert s.running_royalty == band("0.48", "0.96", "1.44")
    assert s.entry_plus_royalty.running_royalty == band("0.34", "0.67", "1.01")
    assert s.lump_sum == cny(2_000_000, 3_000_000, 5_000_000)
    assert s.annual_royalty is None
    assert s.entry_plus_royalty.entry_fee is None
    assert s.comparables_used == 3


def test_example_5_relief_from_royalty_value() -> None:
    v = relief_from_royalty(EXAMPLE_1, annual_net_sales=Money.of("2000000"))
    assert v.royalty_rate == D("7.15")
    assert v.annual_royalty == Money("CNY", 14_300_000)
    assert v.after_tax_royalty == Money("CNY", 10_725_000)
    assert v.annuity_factor == D("5.546975")
    assert v.value == Money("CNY", 59_491_307)
