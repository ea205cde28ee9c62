"""Checking a proposed price against the band (warning, listing badge), and the relief-from-royalty valuation."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from market.i18n import gettext
from market.kit.law import PatentKind, PaymentMode
from market.kit.money import Money
from pricing import (
    BandPosition,
    Encumbrances,
    LicenseeFacts,
    Offer,
    PatentFacts,
    relief_from_royalty,
    suggest,
    within_band,
)
from tests.pricing.support import en, engine_over, patent, row, zh

# Example 1 of docs/pricing.md: running 4.40-7.04%, lump sum CNY 488,133.80-781,014.08,
# entry fee CNY 146,440.14-234,304.22 with 3.08-4.93%.
EXAMPLE_1 = PatentFacts(kind=PatentKind.invention, ipc_codes=("G06F 16/35",), remaining_years=D("8.5"),
                        claims_count=12)
S = suggest(EXAMPLE_1, LicenseeFacts(Money.of("2000000")))


@pytest.mark.parametrize(
    ("rate", "position"),
    [("4.39", BandPosition.BELOW), ("4.40", BandPosition.WITHIN), ("7.04", BandPosition.WITHIN),
     ("7.05", BandPosition.ABOVE)],
)
def test_running_royalty_edges_of_the_band(rate: str, position: BandPosition) -> None:
    check = within_band(S, Offer(PaymentMode.running_royalty, rate_percent=D(rate)))
    assert check.position is position
    assert check.rate_position is position
    assert check.amount_position is None
    assert check.over_legal_cap is False


def test_lump_sum_edges_and_messages() -> None:
    low = within_band(S, Offer(PaymentMode.lump_sum, amount=Money("CNY", 48_813_380)))
    below = within_band(S, Offer(PaymentMode.lump_sum, amount=Money("CNY", 48_813_379)))
    assert low.within
    assert below.position is BandPosition.BELOW
    assert "低于建议区间" in zh(below)
    assert "below the suggested band (CN¥488,133.80 – CN¥781,014.08)" in en(below)


def test_entry_plus_royalty_is_within_only_when_both_parts_are() -> None:
    both = within_band(S, Offer(PaymentMode.entry_plus_royalty, rate_percent=D("4.00"),
                                amount=Money.of("190000")))
    fee_high = within_band(S, Offer(PaymentMode.entry_plus_royalty, rate_percent=D("4.00"),
                                    amount=Money.of("300000")))
    rate_low = within_band(S, Offer(PaymentMode.entry_plus_royalty, rate_percent=D("3.00"),
                                    amount=Money.of("190000")))
    assert both.within
    assert (fee_high.position, fee_high.rate_position, fee_high.amount_position) == (
        BandPosition.ABOVE, BandPosition.WITHIN, BandPosition.ABOVE)
    assert rate_low.position is BandPosition.BELOW


def test_a_price_over_the_legal_cap_is_flagged_with_the_2024_notice() -> None:
    rate = within_band(S, Offer(PaymentMode.running_royalty, rate_percent=D("25")))
    lump = within_band(S, Offer(PaymentMode.lump_sum, amount=Money.of("20000000.01")))
    at_cap = within_band(S, Offer(PaymentMode.lump_sum, amount=Money.of("20000000")))
    assert rate.over_legal_cap and lump.over_legal_cap
    assert not at_cap.over_legal_cap
    assert "2024年7月" in zh(rate)
    assert "legal cap" in en(lump)


def test_without_sales_a_lump_sum_offer_has_no_band_to_be_judged_against() -> None:
    bare = suggest(EXAMPLE_1)
    check = within_band(bare, Offer(PaymentMode.lump_sum, amount=Money.of("100000")))
    assert check.position is BandPosition.NO_BAND
    assert not check.within
    assert "预计年净销售额" in zh(check)


def test_offers_need_the_parts_of_their_mode() -> None:
    with pytest.raises(ValueError, match="rate_percent"):
        Offer(PaymentMode.running_royalty)
    with pytest.raises(ValueError, match="amount"):
        Offer(PaymentMode.entry_plus_royalty, rate_percent=D(3))
    with pytest.raises(ValueError, match="cannot compare"):
        within_band(S, Offer(PaymentMode.lump_sum, amount=Money.of("100", "USD")))


# ------------------------------------------------------------------------------------------- valuation


def test_valuation_shows_every_input_with_a_source() -> None:
    v = relief_from_royalty(EXAMPLE_1, annual_net_sales=Money.of("2000000"))
    shown = [i.key for i in v.inputs]
    for key in ("annual_net_sales", "royalty_rate", "industry_distribution", "patent_kind", "claims_breadth",
                "annual_royalty", "tax_rate", "after_tax_royalty", "remaining_years", "discount_rate",
                "annuity_factor", "value"):
        assert key in shown, key
    assert "open_licence_non_exclusive" not in shown  # an owner's own use is not an open licence
    assert all(i.source and zh(i) and en(i) for i in v.inputs)
    assert "企业所得税法第四条" in gettext("zh", next(i.source for i in v.inputs if i.key == "tax_rate"))
    assert {n.code for n in v.notes} == {"starting_default", "not_an_appraisal"}


def test_valuation_with_the_declared_rate_and_own_parameters() -> None:
    v = relief_from_royalty(EXAMPLE_1, annual_net_sales=Money.of("1000000"), royalty_rate_percent="5",
                            discount_rate="0", tax_rate="0")
    # 50,000 CNY a year for 8.5 years, undiscounted and untaxed: 425,000 CNY.
    assert v.value == Money.of("425000")
    assert v.annuity_factor == D("8.5")
    assert "starting_default" not in {n.code for n in v.notes}


def test_declaring_an_open_licence_lowers_the_data_rate_by_the_open_licence_factor() -> None:
    own = relief_from_royalty(EXAMPLE_1, annual_net_sales=Money.of("1000000"))
    declared = relief_from_royalty(EXAMPLE_1, annual_net_sales=Money.of("1000000"), open_licence_declared=True)
    assert own.royalty_rate == D("7.15")
    assert declared.royalty_rate == D("5.72")


def test_a_longer_life_is_worth_more_and_a_pledged_patent_is_flagged() -> None:
    short = relief_from_royalty(patent(years="3"), annual_net_sales=Money.of("1000000"))
    long = relief_from_royalty(patent(years="12"), annual_net_sales=Money.of("1000000"))
    assert long.value.minor > short.value.minor
    pledged = PatentFacts(kind=PatentKind.invention, ipc_codes=("G06F 16/35",), remaining_years=D(5),
                          claims_count=5, encumbrances=Encumbrances(pledged=True))
    v = relief_from_royalty(pledged, annual_net_sales=Money.of("1000000"))
    assert "already_pledged" in {n.code for n in v.notes}


def test_valuation_refuses_bad_inputs() -> None:
    with pytest.raises(ValueError, match="CNY"):
        relief_from_royalty(EXAMPLE_1, annual_net_sales=Money.of("1", "EUR"))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        relief_from_royalty(EXAMPLE_1, annual_net_sales=Money.of("1"), discount_rate="1.5")
    with pytest.raises(TypeError):
        relief_from_royalty(EXAMPLE_1, annual_net_sales=Money.of("1"), royalty_rate_percent=5.0)  # type: ignore[arg-type]


def test_valuation_on_an_official_table_carries_no_starting_default_note() -> None:
    engine = engine_over(row("ALL", official="yes"))
    v = relief_from_royalty(EXAMPLE_1, annual_net_sales=Money.of("1000000"), engine=engine)
    assert "starting_default" not in {n.code for n in v.notes}
    assert v.royalty_rate == D("3.30")  # the fallback median 3.00 x 1.10 (field 6 is not in this table)
