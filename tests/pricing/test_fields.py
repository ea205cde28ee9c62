"""IPC codes -> WIPO technology fields (with the concordance's space-padded patterns) -> royalty industries."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pricing import DataFileError, field_of_ipc, load_concordance, load_field_industry_map, normalize_ipc
from tests.pricing.support import shared_file

CONCORDANCE_HEADER = "field_number,sector_en,field_en,ipc_pattern,updated_on,remark\n"


@pytest.mark.parametrize(
    ("code", "canonical"),
    [
        ("A61K 8/02", "A61K   8/02"),
        ("A61K8/02", "A61K   8/02"),
        ("A61K   8/02", "A61K   8/02"),
        ("a61k 31/495 (2006.01)", "A61K  31/495"),
        ("Ａ６１Ｋ８／０２", "A61K   8/02"),  # full-width, as typed with a Chinese input method
        ("A61K0008020000", "A61K   8/02"),  # 14-character EPO/CNIPA layout
        ("H04N 101/00", "H04N 101/00"),
        ("G06F 16/35", "G06F  16/35"),
        ("A61K 8", "A61K   8/"),
        ("A61K", "A61K"),
        ("hello", None),
        ("", None),
    ],
)
def test_codes_are_written_the_concordance_way(code: str, canonical: str | None) -> None:
    assert normalize_ipc(code) == canonical


@pytest.mark.parametrize(
    ("code", "field", "pattern"),
    [
        ("A61K 8/02", 14, "A61K   8/%"),  # cosmetics: organic fine chemistry, not pharmaceuticals
        ("A61K8/02", 14, "A61K   8/%"),
        ("A61K 31/495", 16, "A61K  31/%"),  # pharmaceuticals
        ("A61K 101/00", 16, "A61K 101/%"),
        ("G06F 16/35", 6, "G06F%"),  # computer technology
        ("H04N 1/00", 3, "H04N   1/%"),  # telecommunications (fax), not audio-visual
        ("H04N 5/225", 2, "H04N   5/%"),  # audio-visual
        ("H04N 21/431", 4, "H04N  21/%"),  # digital communication
        ("G01N 33/53", 11, "G01N  33/%"),  # analysis of biological materials
        ("G01N 21/01", 10, "G01N  21/%"),  # measurement
        ("B01D 53/94", 24, "B01D  53/%"),  # environmental technology
        ("B01D 15/08", 23, "B01D  15/%"),  # chemical engineering
        ("C13B 5/00", 29, "C13B   5/%"),  # other special machines
        ("C13B 10/00", 18, "C13B  10/%"),  # food chemistry
        ("E01F 8/00", 24, "E01F   8/%"),  # noise barriers: environmental
        ("E01F 9/00", 35, "E01F   9/%"),  # road signs: civil engineering
        ("H01L 21/02", 8, "H01L%"),
        ("B64C 39/02", 32, "B64C%"),
        ("G16H 10/60", 13, "G16H%"),  # added 2018
    ],
)
def test_real_codes_find_their_field(code: str, field: int, pattern: str) -> None:
    match = field_of_ipc(code)
    assert match.fields == (field,)
    assert match.pattern == pattern
    assert not match.approximate


def test_a_group_the_concordance_does_not_list_takes_the_subclass_majority_marked_approximate() -> None:
    match = field_of_ipc("H04N 23/60")  # cameras: a 2023 group, after the concordance's last update
    assert match.fields == (2,)
    assert match.approximate
    assert match.display == "H04N 23/60"


def test_a_subclass_newer_than_the_concordance_finds_no_field() -> None:
    match = field_of_ipc("B64U 20/80")  # drones, 2023
    assert match.valid
    assert match.fields == ()


def test_the_longest_pattern_wins_where_patterns_overlap(tmp_path: Path) -> None:
    path = tmp_path / "concordance.csv"
    path.write_text(
        CONCORDANCE_HEADER
        + "16,Chemistry,Pharmaceuticals,A61K%,,\n"
        + "14,Chemistry,Organic fine chemistry,A61K   8/%,,\n"
        + "34,Other,Other consumer goods,A61K   8/02%,,\n",
        encoding="utf-8",
    )
    concordance = load_concordance(path)
    assert concordance.lookup("A61K 31/00").fields == (16,)
    assert concordance.lookup("A61K 8/18").fields == (14,)
    assert concordance.lookup("A61K 8/02").fields == (34,)
    assert concordance.lookup("A61K 80/00").fields == (16,)  # "A61K  80/" does not start with "A61K   8/"


def test_one_pattern_in_two_fields_gives_both(tmp_path: Path) -> None:
    path = tmp_path / "concordance.csv"
    path.write_text(CONCORDANCE_HEADER + "6,E,Computer,G06F%,,\n7,E,IT methods,G06F%,,\n", encoding="utf-8")
    assert load_concordance(path).lookup("G06F 16/35").fields == (6, 7)


def test_a_concordance_with_unpadded_or_malformed_patterns_is_rejected_row_by_row(tmp_path: Path) -> None:
    path = tmp_path / "concordance.csv"
    path.write_text(
        CONCORDANCE_HEADER + "14,C,Fine,A61K 8/%,,\n16,C,Pharma,A61K%,,\nx,C,Bad,G06F%,,\n1,E,El,H01,,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as caught:
        load_concordance(path)
    assert {(e.row, e.field) for e in caught.value.errors} == {(2, "ipc_pattern"), (4, "field_number"),
                                                                (5, "ipc_pattern")}


def test_the_shipped_concordance_has_all_764_patterns_and_35_fields() -> None:
    concordance = load_concordance()
    assert len(concordance) == 764
    assert sorted(concordance.field_names) == list(range(1, 36))


def test_the_field_industry_map_covers_every_field_and_has_a_fallback() -> None:
    mapping = load_field_industry_map()
    assert sorted(mapping.by_field) == list(range(1, 36))
    assert mapping.fallback.industry_code == "ALL"
    assert mapping.for_field(None) is mapping.fallback
    assert mapping.for_field(99) is mapping.fallback
    assert mapping.for_field(6).industry_code == "SOFTWARE"
    assert all(r.field_zh for r in mapping.rows)


def test_a_bad_mapping_is_rejected_row_by_row(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text(
        "field_number,classification,industry_code\n6,wipo35-derived,SOFTWARE\n6,wipo35-derived,X\n"
        ",wipo35-derived,Y\nseven,wipo35-derived,Z\n8,,SEMI\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as caught:
        load_field_industry_map(path)
    assert {(e.row, e.field) for e in caught.value.errors} == {
        (1, "field_number"),  # no '*' fallback row
        (3, "field_number"),  # duplicate
        (4, "field_number"),  # empty
        (5, "field_number"),  # not a number
        (6, "classification"),
    }


def test_real_ipc_codes_from_the_shared_patent_records_parse_and_mostly_map() -> None:
    """The concordance must work on codes as they occur in real records (Lens IPCR, CNIPA 分类号)."""
    codes: list[str] = []
    with shared_file("data/lens_coronavirus_patents_union.jsonl").open(encoding="utf-8") as f:
        for line in f:
            codes += json.loads(line).get("ipcrClassifications") or []
    with shared_file("data/cn_patentsemantix_case_records.csv").open(encoding="utf-8-sig", newline="") as f:
        for rec in csv.DictReader(f):
            codes += [c for c in rec["分类号"].split(";") if c]
    assert len(codes) > 1000
    matches = [field_of_ipc(c) for c in codes]
    assert all(m.valid for m in matches), [m.code for m in matches if not m.valid][:5]
    mapped = sum(1 for m in matches if m.fields)
    assert mapped / len(matches) > 0.99
    assert field_of_ipc("A61K39/215").fields == (16,)  # a vaccine, from the Lens records
