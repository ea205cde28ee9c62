"""The suggestion engine's behaviour: factors, comparables, caps, confidence, notes, input validation."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from market.i18n import gettext
from market.kit.law import PatentKind, PaymentMode
from market.kit.money import Money
from pricing import (
    Comparable,
    Confidence,
    Encumbrances,
    LicenseeFacts,
    PatentFacts,
    load_field_industry_map,
    suggest,
)
from pricing.params import PricingParams
from tests.pricing.support import en, engine_over, patent, row, zh

SALES = LicenseeFacts(Money.of("1000000"))


def keys(s: object) -> list[str]:
    return [f.key for f in s.factors]  # type: ignore[attr-defined]


def codes(s: object) -> set[str]:
    return {n.code for n in s.notes}  # type: ignore[attr-defined]


def test_every_factor_is_explained_in_both_languages_with_a_source() -> None:
    s = suggest(patent(), SALES)
    assert keys(s) == [
        "industry_distribution",
        "patent_kind",
        "open_licence_non_exclusive",
        "claims_breadth",
        "comparables",
        "remaining_life",
        "discount_rate",
        "entry_share",
        "legal_caps",
        "profit_share",
        "payment_mode_context",
    ]
    for f in s.factors:
        assert zh(f) and en(f) and f.source and f.value, f.key
    assert "ipcg.com" in s.factors[0].source
    assert "Patent Law Art 50-51" in s.factors[2].source
    caps_source = s.factors[8].source  # the 2024 notice's catalogue code: its title in the reader's language
    assert "2024" in gettext("zh", caps_source) and "20%" in zh(s.factors[8]) and "20,000,000" in en(s.factors[8])


def test_the_default_data_says_it_is_a_starting_default_and_an_official_table_does_not() -> None:
    assert "starting_default" in codes(suggest(patent()))
    assert suggest(patent()).data_is_official is False
    official = engine_over(row("ALL", official="yes"))
    s = official.suggest(patent())
    assert s.data_is_official is True
    assert "starting_default" not in codes(s)


def test_the_main_ipc_code_decides_the_industry() -> None:
    s = suggest(patent(ipc=("H01L 21/02", "G06F 16/35")))
    assert s.industry.code == "SEMICONDUCTORS"
    assert [f.number for f in s.fields] == [8, 6]
    assert [f.name_zh for f in s.fields] == ["半导体", "计算机技术"]


def test_an_unknown_field_falls_back_to_the_cross_industry_distribution_and_says_why() -> None:
    s = suggest(patent(ipc=("B64U 20/80",)))
    assert s.industry.code == "ALL"
    assert s.fields == ()
    assert "field_unknown" in codes(s)
    design = suggest(PatentFacts(kind=PatentKind.design, ipc_codes=(), remaining_years=D(5), claims_count=1))
    assert "Locarno" in next(en(n) for n in design.notes if n.code == "field_unknown")
    garbage = suggest(patent(ipc=("not-a-code",)))
    assert "ipc_not_understood" in codes(garbage)


def test_a_mapped_industry_missing_from_the_table_falls_back_with_a_warning_and_a_note() -> None:
    engine = engine_over(row("ALL"), row("SOFTWARE", p25="5.00", median="6.00", p75="7.00"))
    assert any("SEMICONDUCTORS" in w for w in engine.warnings)
    s = engine.suggest(patent(ipc=("H01L 21/02",)))
    assert s.industry.code == "ALL"
    assert "industry_fallback" in codes(s)
    assert engine.suggest(patent(ipc=("G06F 3/01",))).industry.code == "SOFTWARE"


def test_an_engine_without_a_fallback_distribution_is_refused() -> None:
    with pytest.raises(ValueError, match="fallback industry 'ALL'"):
        engine_over(row("SOFTWARE"))


def test_kind_open_licence_and_claims_multiply_the_rates() -> None:
    engine = engine_over(row("ALL", p25="10.00", median="10.00", p75="10.00"))
    base = PatentFacts(kind=PatentKind.invention, ipc_codes=(), remaining_years=D(5), claims_count=5)
    assert engine.suggest(base).running_royalty.mid == D("8.00")  # x1.00 x0.80 x1.00
    um = PatentFacts(kind=PatentKind.utility_model, ipc_codes=(), remaining_years=D(5), claims_count=2)
    assert engine.suggest(um).running_royalty.mid == D("4.32")  # x0.60 x0.80 x0.90
    broad = PatentFacts(kind=PatentKind.invention, ipc_codes=(), remaining_years=D(5), claims_count=10)
    assert engine.suggest(broad).running_royalty.mid == D("8.80")  # x1.10
    custom = engine_over(row("ALL", p25="10.00", median="10.00", p75="10.00"),
                         params=PricingParams(open_licence_factor=D("0.50")))
    assert custom.suggest(base).running_royalty.mid == D("5.00")


def test_comparables_in_other_fields_or_modes_are_not_used_and_the_explanation_counts_them() -> None:
    comparables = [
        Comparable(6, PaymentMode.running_royalty, rate_percent=D("1.00")),
        Comparable(7, PaymentMode.running_royalty, rate_percent=D("1.00")),
        Comparable(6, PaymentMode.entry_plus_royalty, rate_percent=D("1.00"), entry_fee=Money.of("1000")),
    ]
    without = suggest(patent(), SALES)
    used = suggest(patent(), SALES, comparables=comparables)
    assert used.comparables_used == 1
    assert used.running_royalty.mid < without.running_royalty.mid
    text = next(en(f) for f in used.factors if f.key == "comparables")
    assert "of 3 concluded licences given, 2 are in field 6; 1 running-royalty licences were used" in text


def test_comparables_narrow_the_band_and_many_of_them_dominate() -> None:
    without = suggest(patent())
    many = [Comparable(6, PaymentMode.running_royalty, rate_percent=D("3.00")) for _ in range(95)]
    with_many = suggest(patent(), comparables=many)
    width = without.running_royalty.high - without.running_royalty.low
    assert with_many.running_royalty.high - with_many.running_royalty.low < width
    assert abs(with_many.running_royalty.mid - D("3.00")) < D("0.20")  # w = 95/100
    assert with_many.confidence is Confidence.MEDIUM  # n unknown + 95 comparables


def test_confidence_follows_the_sample_size() -> None:
    assert engine_over(row("ALL", n="")).suggest(patent()).confidence is Confidence.LOW
    assert engine_over(row("ALL", n="29")).suggest(patent()).confidence is Confidence.LOW
    assert engine_over(row("ALL", n="30")).suggest(patent()).confidence is Confidence.MEDIUM
    assert engine_over(row("ALL", n="300")).suggest(patent()).confidence is Confidence.HIGH


def test_rates_above_the_legal_cap_are_capped_at_20_percent_with_the_citation() -> None:
    engine = engine_over(row("ALL", p25="30.00", median="40.00", p75="50.00"))
    s = engine.suggest(patent(ipc=(), claims=12), SALES)
    assert (s.running_royalty.low, s.running_royalty.mid, s.running_royalty.high) == (D(20), D(20), D(20))
    assert s.capped
    note = next(n for n in s.notes if n.code == "legal_cap_applied")
    assert "2024" in gettext("en", note.citation) and "20%" in zh(note) and "20,000,000" in en(note)


def test_the_term_never_outlasts_the_patent_and_a_shorter_term_lowers_the_lump_sum() -> None:
    full = suggest(patent(years="10"), SALES)
    short = suggest(patent(years="10"), SALES, licence_term_years=D(3))
    long = suggest(patent(years="10"), SALES, licence_term_years=D(30))
    assert short.term_years == D(3)
    assert long.term_years == D(10)
    assert long.lump_sum == full.lump_sum
    assert short.lump_sum is not None and full.lump_sum is not None
    assert short.lump_sum.mid.minor < full.lump_sum.mid.minor
    assert "term_limited_to_patent_life" in codes(long)
    with pytest.raises(ValueError, match="licence_term_years"):
        suggest(patent(), SALES, licence_term_years=0)


def test_without_sales_the_fixed_fees_are_not_invented() -> None:
    s = suggest(patent())
    assert s.lump_sum is None
    assert s.entry_plus_royalty.entry_fee is None
    assert s.annual_royalty is None
    assert "needs_sales_for_fixed_fees" in codes(s)
    assert s.entry_plus_royalty.running_royalty.mid < s.running_royalty.mid


def test_encumbrances_produce_notes_citing_the_rules_without_moving_the_price() -> None:
    plain = suggest(patent())
    burdened = PatentFacts(
        kind=PatentKind.invention, ipc_codes=("G06F 16/35",), remaining_years=D(10), claims_count=5,
        encumbrances=Encumbrances(non_exclusive_licences=2, exclusive_or_sole_licence=True, pledged=True),
    )
    s = suggest(burdened)
    assert s.running_royalty == plain.running_royalty
    assert {"exclusive_licence_bars_declaration", "pledge_needs_consent", "existing_ordinary_licences"} <= codes(s)
    assert all("第八十六条" in zh(n) for n in s.notes if n.code in {"pledge_needs_consent",
                                                                      "exclusive_licence_bars_declaration"})
    consented = PatentFacts(
        kind=PatentKind.invention, ipc_codes=("G06F 16/35",), remaining_years=D(10), claims_count=5,
        encumbrances=Encumbrances(pledged=True, pledgee_consents=True),
    )
    assert "pledge_needs_consent" not in codes(suggest(consented))


def test_sales_in_another_currency_are_refused() -> None:
    with pytest.raises(ValueError, match="CNY"):
        suggest(patent(), LicenseeFacts(Money.of("1000", "USD")))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"remaining_years": 8.5}, TypeError),  # floats are refused
        ({"remaining_years": D(0)}, ValueError),  # expired
        ({"remaining_years": D(21)}, ValueError),  # beyond an invention's 20 years (Art 42)
        ({"kind": "utility_model", "remaining_years": D("10.5")}, ValueError),  # beyond 10 years
        ({"claims_count": 0}, ValueError),
        ({"kind": "plant_variety"}, ValueError),
    ],
)
def test_patent_facts_are_validated(kwargs: dict[str, object], error: type[Exception]) -> None:
    facts: dict[str, object] = {"kind": "invention", "ipc_codes": ("G06F 16/35",), "remaining_years": D(10),
                                "claims_count": 5, **kwargs}
    with pytest.raises(error):
        PatentFacts(**facts)  # type: ignore[arg-type]


def test_comparables_must_carry_the_amounts_of_their_mode() -> None:
    with pytest.raises(ValueError, match="needs its amounts"):
        Comparable(6, PaymentMode.lump_sum, rate_percent=D(3))
    with pytest.raises(ValueError, match=r"0\.\.100"):
        Comparable(6, PaymentMode.running_royalty, rate_percent=D(101))


def test_an_operator_mapping_and_table_in_another_classification(tmp_path: Path) -> None:
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "field_number,field_en,field_zh,classification,industry_code\n"
        "*,Any,任意,GB/T 4754-2017,TOTAL\n6,Computer technology,计算机技术,GB/T 4754-2017,I65\n",
        encoding="utf-8",
    )
    engine = engine_over(
        row("TOTAL", classification="GB/T 4754-2017", official="yes", n="11371"),
        row("I65", classification="GB/T 4754-2017", official="yes", n="412", p25="3.00", median="5.00", p75="8.00"),
        mapping=load_field_industry_map(mapping),
    )
    s = engine.suggest(patent())
    assert (s.industry.classification, s.industry.code) == ("GB/T 4754-2017", "I65")
    assert s.running_royalty.mid == D("4.00")
    assert s.confidence is Confidence.HIGH
    assert engine.suggest(patent(ipc=("H01L 21/02",))).industry.code == "TOTAL"


def test_the_explanation_keeps_the_spelling_of_the_input_whatever_was_priced_before() -> None:
    ten = suggest(patent(years="10"))
    ten_point_zero = suggest(patent(years="10.0"))
    assert str(ten.term_years) == "10"
    assert str(ten_point_zero.term_years) == "10.0"
    assert next(f.value for f in ten_point_zero.factors if f.key == "remaining_life") == (
        "remaining 10.0 years, term 10.0 years"
    )
