"""Patent numbers, kinds, terms and the annual fee with the open-licence reduction."""

from __future__ import annotations

from datetime import date

import pytest

from listings.patents import fees, lifetimes, numbers
from listings.patents.numbers import NumberType
from market.errors import ValidationFailed
from market.kit.law import PatentKind


@pytest.mark.parametrize(
    ("raw", "normalised", "kind"),
    [
        ("CN202223220665.2", "CN202223220665.2", PatentKind.utility_model),  # real records (PatentSemantix)
        ("202122975192.6", "CN202122975192.6", PatentKind.utility_model),
        ("ZL 2021 2 2975192.6", "CN202122975192.6", PatentKind.utility_model),
        ("２０２１２２９７５１９２．６", "CN202122975192.6", PatentKind.utility_model),  # full-width input
        ("201810842017.X", "CN201810842017.X", PatentKind.invention),  # check digit 10 is written X
    ],
)
def test_chinese_application_numbers(raw: str, normalised: str, kind: PatentKind) -> None:
    parsed = numbers.parse(raw)
    assert (parsed.number, parsed.type, parsed.kind) == (normalised, NumberType.application, kind)


def test_x_check_digit_is_computed_not_assumed() -> None:
    assert numbers.check_digit("201810842017") == "X"
    assert numbers.check_digit("202223220665") == "2"


@pytest.mark.parametrize("raw", ["CN202223220665.3", "202122975192.1", "201810842017.0"])
def test_a_wrong_check_digit_is_refused_with_the_right_one(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        numbers.parse(raw)
    assert caught.value.errors[0].code == "check_digit"
    assert "check digit" in caught.value.text("en") and "校验位" in caught.value.detail  # both languages


@pytest.mark.parametrize(
    ("raw", "normalised", "kind", "granted"),
    [
        ("CN108982325A", "CN108982325A", PatentKind.invention, False),
        ("cn 108982325 a", "CN108982325A", PatentKind.invention, False),
        ("CN109637352B", "CN109637352B", PatentKind.invention, True),
        ("CN218751475U", "CN218751475U", PatentKind.utility_model, True),
        ("CN302526753S", "CN302526753S", PatentKind.design, True),
        ("CN2810109", "CN2810109", PatentKind.utility_model, True),  # old 7-digit, no kind code
        ("CN1234567", "CN1234567", PatentKind.invention, None),
    ],
)
def test_chinese_publication_numbers(raw: str, normalised: str, kind: PatentKind, granted: bool | None) -> None:
    parsed = numbers.parse(raw)
    assert (parsed.number, parsed.type, parsed.kind, parsed.granted) == (
        normalised,
        NumberType.publication,
        kind,
        granted,
    )


@pytest.mark.parametrize("raw", ["CN104671642A501", "CN12345", "CN108982325Q", "CN208982325A"])
def test_malformed_chinese_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed):
        numbers.parse(raw)


@pytest.mark.parametrize(
    ("raw", "kind", "granted"),
    [
        ("US-8271025-B2", PatentKind.invention, True),
        ("US 2020/0123456 A1", PatentKind.invention, False),
        ("WO 2008/155316 A1", PatentKind.invention, False),
        ("DE-202018101234-U1", PatentKind.utility_model, True),
        ("USD812345S", PatentKind.design, True),
    ],
)
def test_other_jurisdictions_are_kept_as_given(raw: str, kind: PatentKind, granted: bool) -> None:
    parsed = numbers.parse(raw)
    assert parsed.number == raw and parsed.type is NumberType.foreign
    assert (parsed.kind, parsed.granted) == (kind, granted)


def test_terms_by_kind_and_the_2021_design_change() -> None:
    assert lifetimes.expiry(PatentKind.invention, date(2018, 7, 30)) == date(2038, 7, 30)
    assert lifetimes.expiry(PatentKind.utility_model, date(2022, 12, 2)) == date(2032, 12, 2)
    assert lifetimes.expiry(PatentKind.design, date(2021, 5, 31)) == date(2031, 5, 31)  # old law: 10 years
    assert lifetimes.expiry(PatentKind.design, date(2021, 6, 1)) == date(2036, 6, 1)  # Art 42 (2020): 15 years
    assert lifetimes.expiry(PatentKind.utility_model, date(2004, 2, 29)) == date(2014, 2, 28)


def test_annual_fee_with_the_15_percent_open_licence_reduction() -> None:
    filing = date(2018, 7, 30)
    on = date(2026, 11, 22)  # patent year 9 of an invention: CNY 2,000
    plain = fees.annual_fee_due(kind=PatentKind.invention, filing_date=filing, on=on, open_licence=False)
    reduced = fees.annual_fee_due(kind=PatentKind.invention, filing_date=filing, on=on, open_licence=True)
    assert plain is not None and reduced is not None
    assert (plain.patent_year, plain.full.minor, plain.due.minor) == (9, 200_000, 200_000)
    assert (reduced.due.minor, reduced.reduction_pct, reduced.reduction_source) == (170_000, 15, "open_licence")
    assert reduced.saved.minor == 30_000


def test_the_best_single_reduction_applies_they_do_not_stack() -> None:
    due = fees.annual_fee_due(
        kind=PatentKind.utility_model,
        filing_date=date(2022, 12, 2),
        on=date(2026, 11, 22),
        open_licence=True,
        other_reduction_pct=85,
    )
    assert due is not None
    assert (due.full.minor, due.reduction_pct, due.reduction_source, due.due.minor) == (
        90_000,
        85,
        "other",
        13_500,
    )  # year 4: CNY 900
