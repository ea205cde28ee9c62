"""Chinese as people type it, on both engines (embedded always; Meilisearch where MARKET_MEILI_URL answers), over
real records of ../shared/data: traditional characters, pinyin, the synonym and abbreviation file, and Han runs
that end at punctuation.

The traditional documents are real records converted to traditional script with OpenCC's s2t (id suffix
``-hant``): the same patents as people in Taiwan or Hong Kong would write them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import opencc
import pytest
from pypinyin import lazy_pinyin

from market.integrations.search import SearchDocument, SearchQuery, build_backend
from market.integrations.search.analysis import (
    SYNONYMS_FILE,
    Synonyms,
    read_synonym_groups,
    synonyms_with,
    tokens,
)
from market.integrations.search.chinese import fold, han_runs, index_text, pinyin_query, pinyin_words, syllables
from market.integrations.search.embedded import EmbeddedSearch
from market.integrations.search.engine import SearchEngine
from market.integrations.search.meili import MeiliSearch, grams_text, to_meili_document
from market.settings import Settings
from tests.integrations.search import realdata
from tests.support.services import need

CHINESE = 3000
ENGLISH = 1000
# records beyond the sample that carry the words the synonym tests need (锂离子电池 and 太阳能电池 are rarer)
WANTED = ("锂离子电池", "锂电", "太阳能电池", "光伏")
# real records with these in the title get a traditional twin (no synonym group widens these words)
HANT_WORDS = ("电池", "连接器")
PUNCTUATED = re.compile(r"([\u4e00-\u9fff]{2})[、，；：]([\u4e00-\u9fff]{2})")


def _doc(doc_id: str, **texts: str) -> SearchDocument:
    """A handmade document with the marketplace fields of a real record's position."""
    return realdata.to_document(len(doc_id), {"number": doc_id, "date": "2020-01-01", **texts})


def _text(doc: SearchDocument) -> str:
    return "\n".join([doc.title_zh, doc.title_en, doc.abstract_zh, doc.abstract_en, doc.claims_excerpt])


def _traditional(doc: SearchDocument, converter: opencc.OpenCC) -> SearchDocument:
    return doc.model_copy(
        update={
            "id": doc.id + "-hant",
            "title_zh": converter.convert(doc.title_zh),
            "abstract_zh": converter.convert(doc.abstract_zh),
            "claims_excerpt": converter.convert(doc.claims_excerpt),
        }
    )


@pytest.fixture(scope="module")
def records() -> list[SearchDocument]:
    need(realdata.available(), f"the real patent records are not at {realdata.DATA_DIR}")
    docs = {d.id: d for d in realdata.sample(CHINESE, ENGLISH)}
    for n, rec in enumerate(realdata.chinese_records()):
        if any(w in rec["title_zh"] + rec.get("abstract_zh", "") for w in WANTED):
            doc = realdata.to_document(n, rec)
            docs.setdefault(doc.id, doc)
    converter = opencc.OpenCC("s2t")
    twins = [_traditional(d, converter) for d in list(docs.values()) if any(w in d.title_zh for w in HANT_WORDS)]
    assert all(t.title_zh != docs[t.id.removesuffix("-hant")].title_zh for t in twins)
    return list(docs.values()) + twins


def ids(engine: SearchEngine, text: str, per_page: int = 100) -> list[str]:
    return engine.search(SearchQuery(text=text, per_page=per_page)).ids


def all_ids(engine: SearchEngine, text: str) -> set[str]:
    found: set[str] = set()
    page = 1
    while True:
        result = engine.search(SearchQuery(text=text, per_page=100, page=page))
        found |= set(result.ids)
        if page * 100 >= result.total:
            return found
        page += 1


# ---------------------------------------------------------------------------------------------------- traditional


def test_fold_keeps_offsets_and_leaves_simplified_alone() -> None:
    assert fold("鋰離子電池與顯示器") == "锂离子电池与显示器"
    assert fold("锂离子电池 lithium-ion") == "锂离子电池 lithium-ion"
    text = "一種電池、乾燥裝置"
    assert len(fold(text)) == len(text)
    every = "".join(chr(c) for c in range(0x3400, 0xA000))
    assert fold(fold(every)) == fold(every)  # the Meilisearch grams fold runs that are folded already


@pytest.mark.parametrize(("simplified", "traditional"), [("电池", "電池"), ("连接器", "連接器")])
def test_traditional_and_simplified_find_each_other(
    real: SearchEngine, records: list[SearchDocument], simplified: str, traditional: str
) -> None:
    twins = {d.id for d in records if d.id.endswith("-hant") and traditional in d.title_zh}
    assert twins, "the traditional twins carry the word"
    found = all_ids(real, simplified)
    assert twins <= found  # a simplified query finds the traditional documents
    assert {t.removesuffix("-hant") for t in twins} <= found  # and their simplified originals
    assert all_ids(real, traditional) == found  # a traditional query finds exactly the same
    truth = {d.id for d in records if simplified in fold(_text(d) + "\n" + d.patentee)}
    assert found == truth


def test_highlights_mark_the_traditional_characters_of_the_original(real: SearchEngine) -> None:
    result = real.search(SearchQuery(text="电池", per_page=100))
    hant = [h for h in result.hits if h.id.endswith("-hant")]
    assert hant
    assert all("<mark>電池</mark>" in h.highlights.get("title_zh", "") for h in hant)
    result = real.search(SearchQuery(text="電池", per_page=100))
    plain = [h for h in result.hits if not h.id.endswith("-hant") and "电池" in h.highlights.get("title_zh", "")]
    assert plain and all("<mark>电池</mark>" in h.highlights["title_zh"] for h in plain)


# ---------------------------------------------------------------------------------------------------- punctuation


def test_han_runs_do_not_match_across_punctuation(real: SearchEngine, records: list[SearchDocument]) -> None:
    cases = []
    for doc in records:
        m = PUNCTUATED.search(doc.title_zh)
        if m and not doc.id.endswith("-hant"):
            cases.append((doc, m.group(1) + m.group(2), m.group(0)))
    assert len(cases) > 50
    checked = 0
    for doc, joined, punctuated in cases[:40]:
        if joined in fold(_text(doc)):
            continue  # the joined run is also written out somewhere in this document
        assert doc.id not in all_ids(real, joined), (joined, doc.title_zh)
        assert doc.id in all_ids(real, punctuated), (punctuated, doc.title_zh)  # two runs, ANDed
        checked += 1
    assert checked > 20


def test_index_text_puts_gaps_only_where_punctuation_touches_han() -> None:
    assert index_text("方法、存储") == "方法\ue000存储"
    assert index_text("LED、显示屏") == "LED\ue000显示屏"
    assert index_text("數碼相機(DC 200)") == "数码相机\ue000DC 200)"
    # Latin-script words and numbers keep their punctuation: phrases and numbers match as before
    assert index_text("lithium-ion 电池 US 6,332,189") == "lithium-ion 电池 US 6,332,189"


def test_english_phrases_still_match(engine: SearchEngine) -> None:
    engine.upsert(
        [
            _doc("uav", title_en="Unmanned aerial vehicle, with a camera"),
            _doc("li", title_en="A lithium-ion battery pack"),
            _doc("zh", title_zh="一种无人机、电池"),
        ]
    )
    assert set(ids(engine, "无人机")) == {"uav", "zh"}
    assert set(ids(engine, "锂离子电池")) == {"li"}
    assert set(ids(engine, "无人机电池")) == set()  # 无人机、电池 is two runs
    assert set(ids(engine, "无人机、电池")) == {"zh"}


# ---------------------------------------------------------------------------------------------------------- pinyin


def _pinyin_truth(records: list[SearchDocument], key: str) -> set[str]:
    return {d.id for d in records if key in pinyin_words([d.title_zh])}


@pytest.mark.parametrize(("typed", "word"), [("dianchi", "电池"), ("dian chi", "电池"), ("xianshiqi", "显示器")])
def test_full_pinyin_finds_chinese_titles(
    real: SearchEngine, records: list[SearchDocument], typed: str, word: str
) -> None:
    key = pinyin_query(typed.split())
    assert key
    truth = _pinyin_truth(records, key)
    with_word = {d.id for d in records if word in fold(d.title_zh)}
    assert with_word and with_word <= truth
    _assert_pinyin_hits(real, typed, truth)


def _assert_pinyin_hits(engine: SearchEngine, typed: str, truth: set[str]) -> None:
    found = all_ids(engine, typed)
    if isinstance(engine, MeiliSearch):  # its typo tolerance on the other fields may add a few
        assert truth <= found
    else:
        assert found == truth


def test_initials_find_chinese_titles(real: SearchEngine, records: list[SearchDocument]) -> None:
    truth = _pinyin_truth(records, "xsq")
    assert {d.id for d in records if "显示器" in fold(d.title_zh)} <= truth
    _assert_pinyin_hits(real, "xsq", truth)


@pytest.mark.parametrize("word", ["dc", "sd", "tj", "by"])  # initials of many titles, and words of a few records
def test_pinyin_does_not_pollute_words_of_the_index(
    real: SearchEngine, records: list[SearchDocument], word: str
) -> None:
    if isinstance(real, MeiliSearch):
        pytest.skip("Meilisearch cannot: it searches zh_pinyin for every word, known words of the index included")
    assert _pinyin_truth(records, word), "some title's initials spell this word"
    found = all_ids(real, word)
    assert found
    by_id = {d.id: d for d in records}
    for doc_id in found:  # every hit has the word itself: none is there by pinyin alone
        doc = by_id[doc_id]
        assert word in {t.text for t in tokens(_text(doc) + "\n" + doc.patentee + "\n" + doc.patent_number)}, doc_id


def test_pinyin_ranks_below_real_word_matches(engine: SearchEngine) -> None:
    if isinstance(engine, MeiliSearch):
        pytest.skip("Meilisearch ranks zh_pinyin by its attribute rank only (the last attribute)")
    engine.upsert(
        [
            _doc("py1", title_zh="一种锂电池"),
            _doc("py2", title_zh="电池及其制备方法"),
            _doc("word", title_en="Dian chip packaging"),
        ]
    )
    found = ids(engine, "dian chi")  # "chi" is the last word typed: a prefix of "chip"
    assert found[0] == "word"
    assert set(found) == {"word", "py1", "py2"}


def test_pinyin_words_of_a_title() -> None:
    words = pinyin_words(["锂电池"])
    assert {"lidian", "dianchi", "lidianchi", "ld", "dc", "ldc"} == set(words)
    assert pinyin_words(["電池"]) == ["dianchi", "dc"]  # folded first
    assert pinyin_words(["LED 灯"]) == []  # single characters have no pinyin word
    assert pinyin_query(["Dian", "Chi"]) == "dianchi"
    assert pinyin_query(["US6332189"]) is None
    assert pinyin_query(["a"]) is None


def test_syllables_read_every_real_title_as_pypinyin_does(records: list[SearchDocument]) -> None:
    runs = [run for d in records for run in han_runs(d.title_zh)]
    assert len(runs) > 3000
    assert [syllables(r) for r in runs] == [lazy_pinyin(r) for r in runs]
    assert syllables("银行行长在重庆") == ["yin", "hang", "hang", "zhang", "zai", "chong", "qing"]


# -------------------------------------------------------------------------------------------------------- synonyms


@pytest.mark.parametrize(
    ("typed", "member"),
    [("锂电", "锂离子电池"), ("鋰電", "锂离子电池"), ("光伏", "太阳能电池"), ("太陽能電池", "光伏")],
)
def test_abbreviations_and_synonyms_find_the_full_term(
    real: SearchEngine, records: list[SearchDocument], typed: str, member: str
) -> None:
    with_member = {d.id for d in records if member in fold(_text(d))}
    assert with_member
    assert with_member <= all_ids(real, typed)


def test_the_curated_file_is_valid_and_large() -> None:
    groups = read_synonym_groups(SYNONYMS_FILE)
    assert len(groups) >= 100
    terms = [t for g in groups for t in g]
    assert len(terms) == len(set(terms)), "a term is in one group only"
    assert terms == [fold(t) for t in terms], "only simplified forms are listed (queries are folded)"


def _members(synonyms: Synonyms, term: str) -> set[str]:
    return set(synonyms.of(term))


def test_operators_extend_the_synonyms_without_code(tmp_path: Path) -> None:
    text_file = tmp_path / "ours.txt"
    text_file.write_text("# our own words\n锂电芯，电芯 , battery cell pack\n锂电, 锂电芯\n", encoding="utf-8")
    json_file = tmp_path / "ours.json"
    json_file.write_text(json.dumps({"groups": [["储能柜", "energy storage cabinet"]]}), encoding="utf-8")
    for path, term, member in [
        (text_file, "锂电芯", "battery cell pack"),
        (json_file, "储能柜", "energy storage cabinet"),
    ]:
        synonyms_with.cache_clear()
        settings = Settings(data_dir=tmp_path, search_synonyms_file=path)
        backend = build_backend(settings, path=tmp_path / f"idx-{path.suffix}")
        assert isinstance(backend, EmbeddedSearch)
        assert member in _members(backend.synonyms, term)
        assert "锂离子电池" in _members(backend.synonyms, "锂电")  # the curated groups are kept
        backend.close()
    assert "锂电芯" in _members(Synonyms.load(SYNONYMS_FILE, text_file), "锂电")


def test_a_blank_setting_means_no_operator_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARKET_SEARCH_SYNONYMS_FILE", "")
    assert Settings().search_synonyms_file is None


def test_an_operator_file_that_cannot_be_read_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"groups": "锂电"}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.json"):
        Synonyms.load(SYNONYMS_FILE, bad)
    with pytest.raises(ValueError, match=r"missing\.txt"):
        read_synonym_groups(tmp_path / "missing.txt")


def test_operator_synonyms_find_documents(engine: SearchEngine, tmp_path: Path) -> None:
    extra = tmp_path / "extra.txt"
    extra.write_text("储能柜, energy storage cabinet\n", encoding="utf-8")
    engine.synonyms = Synonyms.load(SYNONYMS_FILE, extra)
    if isinstance(engine, MeiliSearch):
        engine.ensure()  # the synonyms setting
    engine.upsert([_doc("cab", title_en="Energy storage cabinet")])
    assert ids(engine, "储能柜") == ["cab"]


# ----------------------------------------------------------------------------------------------- Meilisearch shape


def test_meilisearch_documents_fold_and_carry_pinyin() -> None:
    doc = _doc("t", title_zh="鋰電池")
    out = to_meili_document(doc, Synonyms())
    assert out["zh_title_grams"] == grams_text(["锂电池"])
    assert set(out["zh_pinyin"].split()) == {"lidian", "dianchi", "lidianchi", "ld", "dc", "ldc"}
    assert out["title_zh"] == "鋰電池"  # the readable field keeps the original
