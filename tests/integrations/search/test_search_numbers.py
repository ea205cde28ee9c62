"""Patent numbers in any usual form (issue 15, point 3), on real records of ../shared/data, on both engines: with
or without CN / ZL, kind code, dots, hyphens, spaces, commas and slashes; Chinese application numbers with or
without their check digit (X included); publication and application numbers of the same patent; foreign numbers
typed without their punctuation. A near number (another office, one digit off) finds nothing."""

from __future__ import annotations

import csv

import pytest

from market.integrations.search import SearchDocument, SearchQuery, default_synonyms, parse_query
from market.integrations.search.engine import SearchEngine
from market.integrations.search.meili import meili_query_text, number_word, to_meili_document
from market.integrations.search.numbers import number_forms, number_spans, query_key
from tests.integrations.search import realdata
from tests.support.services import need

SEMANTIX = realdata.DATA_DIR / "cn_patentsemantix_case_records.csv"


def semantix_documents() -> list[SearchDocument]:
    """The CNIPA case records with both their numbers: the publication (公开号) as the patent number, the
    application (申请号, check digit and all) as the application number."""
    docs = []
    with SEMANTIX.open(encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            rec = {"number": row["公开号"], "title_zh": row["专利名称"], "applicants": row["申请人"], "date": ""}
            doc = realdata.to_document(90_000 + i, rec)
            docs.append(doc.model_copy(update={"application_number": row["申请号"]}))
    return docs


@pytest.fixture(scope="module")
def records() -> list[SearchDocument]:
    need(realdata.available() and SEMANTIX.exists(), f"the real patent records are not at {realdata.DATA_DIR}")
    return realdata.sample(3000, 3000) + semantix_documents()


FORMS = {
    # a CNKI publication number (invention application)
    "CN106201155A": ["CN106201155A", "CN106201155", "106201155", "cn106201155a", "CN 106201155 A", "CN-106201155-A"],
    # a 7-digit publication of before 2010
    "CN2810109": ["CN2810109", "2810109", "CN 2810109"],
    # a CNIPA record: its publication and its application number, with and without CN/ZL, dot and check digit
    "CN218751475U": [
        "CN218751475U", "218751475", "CN202223220665.2", "202223220665.2", "2022232206652", "202223220665",
        "ZL202223220665.2", "ZL 202223220665.2", "ZL2022 2322 0665.2", "CN 202223220665.2",
        "ZL２０２２２３２２０６６５.２",
    ],
    "CN217546176U": ["CN202121635235.X", "202121635235X", "ZL202121635235.X", "202121635235", "CN217546176"],
    # foreign numbers as Google Patents writes them, typed without their punctuation or with the office's
    "US-8271025-B2": ["US8271025B2", "US 8,271,025 B2", "US8271025", "US 8271025", "8271025", "US-8271025"],
    "US-2005283473-A1": ["US2005283473A1", "US 2005/0283473 A1", "US20050283473", "2005283473"],
    "EP-2507939-B1": ["EP2507939", "EP 2507939 B1", "EP2507939B1", "2507939"],
    "WO-2008031177-A1": ["WO2008031177", "WO 2008/031177 A1", "WO2008031177A1"],
    "WO-0116860-A2": ["WO0116860", "WO 01/16860"],
    "KR-101586236-B1": ["KR101586236", "KR 10-1586236 B1", "101586236"],
    "DE-102008014126-B4": ["DE102008014126", "DE 10 2008 014 126 B4"],
}  # fmt: skip


@pytest.mark.parametrize(("number", "typed"), [(n, t) for n, forms in FORMS.items() for t in forms])
def test_a_patent_is_found_by_every_usual_form_of_its_number(real: SearchEngine, number: str, typed: str) -> None:
    result = real.search(SearchQuery(text=typed))
    assert [h.id for h in result.hits[:1]] == [realdata._SAFE_ID.sub("-", number)], (typed, result.ids[:5])


def test_the_kind_code_typed_ranks_its_publication_first(real: SearchEngine) -> None:
    assert set(real.search(SearchQuery(text="CN105323646")).ids) == {"CN105323646A", "CN105323646B"}
    if real.name == "meilisearch":
        pytest.skip("Meilisearch matches the number without its kind code only (docs/search.md)")
    assert real.search(SearchQuery(text="CN105323646B")).ids == ["CN105323646B", "CN105323646A"]
    assert real.search(SearchQuery(text="105323646 A")).ids == ["CN105323646A", "CN105323646B"]


@pytest.mark.parametrize("typed", ["EP8271025", "US8271026", "JP2507939", "CN106201156A", "ZL202223220665.3"])
def test_a_near_number_finds_nothing(real: SearchEngine, typed: str) -> None:
    assert real.search(SearchQuery(text=typed)).total == 0


def test_a_number_combines_with_words_and_operators(real: SearchEngine) -> None:
    assert real.search(SearchQuery(text="CN218751475U 无人机")).ids == ["CN218751475U"]
    assert real.search(SearchQuery(text="CN218751475U 洗衣机")).total == 0
    both = real.search(SearchQuery(text="US8271025 OR EP2507939"))
    if real.name == "meilisearch":
        pytest.skip("Meilisearch has no OR: the adapter sends the first option (docs/search.md)")
    assert set(both.ids) == {"US-8271025-B2", "EP-2507939-B1"}


def test_number_forms_and_query_keys() -> None:
    forms = number_forms("CN218751475U", "CN202223220665.2")
    assert {"CN218751475U", "CN218751475", "218751475", "CN2022232206652", "ZL2022232206652", "2022232206652",
            "202223220665", "ZL202223220665"} <= set(forms)  # fmt: skip
    assert query_key("ZL 202223220665.2") == "ZL2022232206652" and query_key("US 6,332,189 B1") == "US6332189"
    assert "US2010137733" in number_forms("US 2010/0137733 A1")  # the 10- and 11-digit spellings
    text = "电池 US 6,332,189 B1 and 2015 model TIB6 ZL201510123456.7"
    assert [text[s:e] for s, e in number_spans(text)] == ["US 6,332,189 B1", "ZL201510123456.7"]


def test_meilisearch_holds_the_forms_as_words_and_sends_the_key(records: list[SearchDocument]) -> None:
    """Meilisearch would split letters from digits: each form is one typo-free Latin-letter word."""
    doc = next(d for d in records if d.application_number == "CN202223220665.2")
    words = to_meili_document(doc, default_synonyms())["number_forms"]
    assert number_word("ZL2022232206652") in words and number_word("218751475") in words
    assert all(w.isalpha() and w.islower() for w in words)
    assert meili_query_text(parse_query("ZL 202223220665.2")) == f'"{number_word("ZL2022232206652")}" '
