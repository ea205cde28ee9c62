"""The behavioural suite on real records from ../shared/data (Chinese CNKI titles, English Google Patents and
PatentsView titles and abstracts): every engine must agree with a plain-Python reading of the same documents."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from market.integrations.search import SearchDocument, SearchQuery, default_synonyms
from market.integrations.search.analysis import tokens
from market.integrations.search.engine import SearchEngine
from tests.integrations.search import realdata
from tests.integrations.search.reference import ref_facets, ref_ids
from tests.support.services import need

CHINESE = 6000
ENGLISH = 3000


@pytest.fixture(scope="module")
def records() -> list[SearchDocument]:
    need(realdata.available(), f"the real patent records are not at {realdata.DATA_DIR}")
    return realdata.sample(CHINESE, ENGLISH)


def text_of(doc: SearchDocument) -> str:
    """Everything both engines search, one value per line (a match never spans two values)."""
    return "\n".join(
        [doc.title_zh, doc.title_en, doc.abstract_zh, doc.abstract_en, doc.claims_excerpt, doc.patentee,
         doc.patent_number, *doc.ipc_codes, *doc.tech_fields, *doc.industries]
    )  # fmt: skip


@pytest.mark.parametrize("substring", ["处理", "显示", "电池", "控制", "连接器", "装置", "电路板", "洗衣", "冰"])
def test_chinese_substrings_match_python(real: SearchEngine, records: list[SearchDocument], substring: str) -> None:
    assert default_synonyms().of(substring) == ()  # no synonym widens these
    truth = {d.id for d in records if substring in text_of(d)}
    assert truth, "the sample should contain the substring"
    result = real.search(SearchQuery(text=substring, per_page=100))
    assert result.total == len(truth)
    assert set(result.ids) <= truth
    assert all("<mark>" + substring + "</mark>" in "".join(h.highlights.values()) for h in result.hits)


def _has_sequence(doc: SearchDocument, words: list[str]) -> bool:
    have = [t.text for t in tokens(text_of(doc))]
    return any(have[i : i + len(words)] == words for i in range(len(have) - len(words) + 1))


@pytest.mark.parametrize(
    ("query", "latin", "han"),
    [
        ("USB 接口", [["usb"]], "接口"),
        ("LED 灯", [["led"], ["发", "光", "二", "极", "管"], ["light", "emit", "diod"]], "灯"),
    ],
)
def test_mixed_queries_match_python(
    real: SearchEngine, records: list[SearchDocument], query: str, latin: list[list[str]], han: str
) -> None:
    # LED has synonyms (发光二极管, light emitting diode): the reading includes them as the engines do
    truth = {d.id for d in records if han in text_of(d) and any(_has_sequence(d, w) for w in latin)}
    assert truth
    result = real.search(SearchQuery(text=query, per_page=100))
    assert result.total == len(truth)
    assert set(result.ids) <= truth


def _typo(word: str) -> str:
    """Swap the third and fourth letters (never the first: Meilisearch counts a first-letter typo as two)."""
    return word[:2] + word[3] + word[2] + word[4:]


def two_typo_cases(records: list[SearchDocument], n: int = 20) -> list[tuple[str, str]]:
    english = [d for d in records if d.title_en]
    df: Counter[str] = Counter()
    for d in records:
        df.update({t.text for t in tokens(text_of(d)) if not t.han})
    cases: list[tuple[str, str]] = []
    for d in english:
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", d.title_en) if len(w) >= 7}
        words = {w for w in words if w[2] != w[3]}
        rare = sorted(words, key=lambda w: (df[tokens(w)[0].text], w))[:2]
        if len(rare) == 2 and all(df[tokens(w)[0].text] <= 3 for w in rare):
            cases.append((d.id, f"{_typo(rare[0])} {_typo(rare[1])}"))
        if len(cases) == n:
            break
    return cases


def test_english_titles_with_two_typos_find_their_target(real: SearchEngine, records: list[SearchDocument]) -> None:
    cases = two_typo_cases(records)
    assert len(cases) == 20
    missed = [(target, q) for target, q in cases if target not in real.search(SearchQuery(text=q)).ids[:10]]
    assert missed == []


FACETS = ["kind", "region", "tech_fields", "industries", "payment_mode", "price_band", "patentee"]


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("", {"region": ["330000"], "kind": ["invention", "design"]}),
        ("处理", {"tech_fields": ["Computer technology", "Optics"], "payment_mode": ["lump_sum"]}),
        ("", {"price_band": ["<1万", ">50万"], "patentee": ["清华大学"], "industries": ["C38"]}),
    ],
)
def test_filters_and_disjunctive_facets_match_python(
    real: SearchEngine, records: list[SearchDocument], text: str, filters: dict[str, list[str]]
) -> None:
    query = SearchQuery(text=text, filters=filters, facets=FACETS)  # type: ignore[arg-type]
    text_ids = {d.id for d in records if text in text_of(d)} if text else None
    result = real.search(query)
    assert result.total == len(ref_ids(records, query, text_ids))
    expected = ref_facets(records, query, text_ids)
    for facet in FACETS:
        assert {v.value: v.count for v in result.facets[facet] if v.count} == expected[facet], facet


def test_sorted_pages_are_ordered_and_disjoint(real: SearchEngine, records: list[SearchDocument]) -> None:
    pages = [real.search(SearchQuery(text="方法", sort="price_desc", per_page=50, page=p)) for p in (1, 2, 3)]
    by_id = {d.id: d for d in records}
    ids = [i for p in pages for i in p.ids]
    assert len(ids) == len(set(ids)) == 150
    prices = [by_id[i].price_minor for i in ids]
    assert prices == sorted(prices, reverse=True)
