"""The royalty statistics format: the shipped default loads and says it is not official; bad files are rejected
with every problem, row by row."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from market.kit.money import Money
from pricing import (
    DEFAULT_TABLE_IS_OFFICIAL,
    STARTING_DEFAULT_NOTE,
    RoyaltyDataError,
    load_royalty_table,
    parse_royalty_table,
)
from tests.pricing.support import HEADER, en, row, zh


def errors_of(text: str) -> set[tuple[int, str]]:
    with pytest.raises(RoyaltyDataError) as caught:
        parse_royalty_table(text, name="bad.csv")
    return {(e.row, e.field) for e in caught.value.errors}


def test_the_shipped_default_is_a_starting_default_not_official() -> None:
    table = load_royalty_table()
    assert DEFAULT_TABLE_IS_OFFICIAL is False
    assert table.is_official is False
    assert not any(r.official for r in table.rows)
    assert "起步默认值" in zh(STARTING_DEFAULT_NOTE)
    assert "starting default" in en(STARTING_DEFAULT_NOTE)
    assert "NOT official" in table.summary()


def test_the_shipped_default_names_a_source_and_its_trail_for_every_row() -> None:
    table = load_royalty_table()
    assert len(table.rows) == 12
    for r in table.rows:
        assert r.source and "http" in r.source, r.row
        assert r.source_file.startswith("shared/"), r.row
        assert r.source_selector, r.row
        assert r.derivation, r.row


def test_the_best_row_of_an_industry_has_a_full_distribution() -> None:
    table = load_royalty_table()
    best = table.rate_row("wipo35-derived", "ALL")
    assert best is not None
    # Parr/IPRA (interpolated quartiles) anchors ALL; RoyaltyStat's median alone cannot anchor a band.
    assert (best.rate_p25, best.rate_median, best.rate_p75) == (Decimal("2.33"), Decimal("4.29"), Decimal("6.60"))
    context = table.context_row("wipo35-derived", "ALL")
    assert context is not None
    assert context.year == 2023
    assert context.lump_mean == Money("CNY", 166_000_000)
    assert table.rate_row("wipo35-derived", "NOPE") is None


def test_a_bad_file_is_rejected_with_every_bad_row_not_just_the_first() -> None:
    text = "\n".join([
        HEADER,
        row("GOOD"),
        row("ORDER", p25="5.00", median="3.00", p75="4.00"),  # row 3: p25 above median
        row("RANGE", p75="120"),  # row 4: above 100
        row("WORD", median="abc"),  # row 5: not a number
        row("YEAR", year="20x4"),  # row 6: year not a number
        row("", p25="1.00"),  # row 7: no industry code
        ",".join(["wipo35-derived", "EMPTY", "e", "e", "CN", "2024"] + [""] * 13 + ["no", "primary", "s", "", "", ""]),
        row("REL").replace(",primary,", ",gossip,"),  # row 9: unknown reliability
        row("NOSRC", source=""),  # row 10: no source
    ]) + "\n"
    assert errors_of(text) == {
        (3, "rate_median"),
        (4, "rate_p75"),
        (5, "rate_median"),
        (6, "year"),
        (7, "industry_code"),
        (8, "row"),
        (9, "reliability"),
        (10, "source"),
    }


def test_row_errors_carry_a_reason_a_person_can_act_on() -> None:
    with pytest.raises(RoyaltyDataError) as caught:
        parse_royalty_table(HEADER + "\n" + row("X", p75="120") + "\n", name="upload.csv")
    (error,) = caught.value.errors
    assert error.row == 2
    assert error.field == "rate_p75"
    assert "outside 0..100" in error.reason
    assert "upload.csv" in str(caught.value)
    assert "row 2, rate_p75" in str(caught.value)


def test_header_problems_are_reported_before_rows() -> None:
    header = HEADER.replace("sample_size", "samples")
    assert errors_of(header + "\n" + row("X") + "\n") == {(1, "sample_size"), (1, "samples")}


def test_lump_sums_need_a_known_currency_and_shares_cannot_exceed_100() -> None:
    cells = row("X").split(",")
    cells[14] = "1000"  # lump_mean_minor without a currency
    no_currency = ",".join(cells)
    cells = row("Y").split(",")
    cells[10], cells[14] = "JPY", "1000"
    bad_currency = ",".join(cells)
    cells = row("Z").split(",")
    cells[15], cells[16], cells[18] = "70", "20", "30"
    too_many_shares = ",".join(cells)
    text = "\n".join([HEADER, no_currency, bad_currency, too_many_shares]) + "\n"
    assert errors_of(text) == {(2, "currency"), (3, "currency"), (4, "share_free")}


def test_the_same_population_twice_is_a_duplicate() -> None:
    text = "\n".join([HEADER, row("X"), row("Y"), row("X")]) + "\n"
    assert errors_of(text) == {(4, "industry_code")}


def test_a_row_with_too_few_cells_and_an_empty_file_are_refused() -> None:
    assert errors_of(HEADER + "\nwipo35-derived,X,only three\n") == {(2, "row")}
    assert errors_of(HEADER + "\n") == {(2, "file")}


def test_a_non_utf8_file_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "\n" + row("X") + "\n").encode("gbk"))
    with pytest.raises(RoyaltyDataError) as caught:
        load_royalty_table(path)
    assert "CSV UTF-8" in caught.value.errors[0].reason


def test_an_operator_file_with_a_bom_loads_and_can_be_official(tmp_path: Path) -> None:
    path = tmp_path / "cnipa.csv"
    official = row("C39", classification="GB/T 4754-2017", n="120", official="yes")
    path.write_bytes(("\ufeff" + HEADER + "\n" + official + "\n\n").encode("utf-8"))
    table = load_royalty_table(path)
    assert table.is_official is True
    assert table.classifications == ("GB/T 4754-2017",)
    (only,) = table.rows
    assert only.sample_size == 120
    assert only.industry_name_zh == "C39行业"
