"""One behavioural suite, run against every search engine (embedded always; Meilisearch where MARKET_MEILI_URL
answers): the same documents, the same queries, the same expected answers."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from market.integrations.search import (
    SORT_ORDERS,
    NumericRange,
    SearchDocument,
    SearchIndex,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    build_backend,
    build_search,
)
from market.integrations.search.embedded import EmbeddedSearch, to_tantivy
from market.integrations.search.engine import SearchEngine
from market.integrations.search.meili import MeiliSearch
from market.settings import Settings
from tests.integrations.search.reference import ref_facets, ref_ids


def ids_of(engine: SearchEngine, text: str, **kw: object) -> set[str]:
    result = engine.search(SearchQuery(text=text, per_page=100, **kw))  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return set(result.ids)


def counts(result: SearchResult, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[facet] if v.count}


# ------------------------------------------------------------------------------------------------------ matching


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("处理", {"h01", "h02", "h06"}),  # 待处理, 图像处理, 污水处理: inside longer words
        ("理装", {"h02"}),  # across the word boundary of 图像处理|装置
        ("电池", {"h04", "h09"}),
        ("泵", {"h10"}),  # one character
        ("传感器", {"h11", "h12", "h13", "h14", "h15"}),
        ("待处理数据", {"h01"}),
        ("缓存处理", set()),  # every character is in h01, but not this substring
    ],
)
def test_chinese_substring_is_found_exactly(loaded: SearchEngine, text: str, expected: set[str]) -> None:
    assert ids_of(loaded, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LED 驱动", {"h05"}),
        ("neural 语音", {"h03"}),
        ("处理 image", {"h02"}),
        ("sensor 光纤", {"h15"}),
        ("压力sensor", {"h13"}),  # no space between the scripts
    ],
)
def test_mixed_chinese_and_english(loaded: SearchEngine, text: str, expected: set[str]) -> None:
    assert ids_of(loaded, text) == expected


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("speach recogniton", "h03"),  # a typo in each of two words
        ("nueral netwrok", "h03"),  # two transpositions
        ("wsatewatr", "h06"),  # two typos in one long word
        ("machien transaltion", "h08"),
        ("temperture sesnor", "h11"),
    ],
)
def test_english_with_two_typos_finds_its_target(loaded: SearchEngine, text: str, target: str) -> None:
    result = loaded.search(SearchQuery(text=text))
    assert target in result.ids[:10]
    assert result.ids[0] == target


def test_all_words_must_match(loaded: SearchEngine) -> None:
    assert ids_of(loaded, "sensor") == {"h11", "h12", "h13", "h14", "h15"}
    assert ids_of(loaded, "humidity sensor") == {"h12"}
    assert loaded.search(SearchQuery(text="temperature sensor")).ids[0] == "h11"


def test_synonyms_work_in_both_directions(loaded: SearchEngine) -> None:
    assert ids_of(loaded, "无人机") == {"h09", "h16"}  # h16 only says "drone"
    assert ids_of(loaded, "graphene") == {"h17"}  # h17 only says 石墨烯


def test_patent_number_and_patentee_are_searchable(loaded: SearchEngine, docs: list[SearchDocument]) -> None:
    h04 = next(d for d in docs if d.id == "h04")
    assert loaded.search(SearchQuery(text=h04.patent_number)).ids[0] == "h04"
    assert ids_of(loaded, "华南理工") == {"h05", "h07"}


# ------------------------------------------------------------------------------------------ filters and facets

FILTER_CASES = [
    SearchQuery(filters={"kind": ["utility_model", "design"]}),
    SearchQuery(filters={"kind": ["utility_model", "design"], "region": ["440000"]}),
    SearchQuery(filters={"tech_fields": ["computer TECHNOLOGY"]}),  # case-insensitive, as Meilisearch
    SearchQuery(filters={"university_org_id": ["102", "104"]}),
    SearchQuery(filters={"ipc_sections": ["G"], "ipc_classes": ["G06"]}),
    SearchQuery(ranges={"remaining_years": NumericRange(gte=5, lte=12)}),
    SearchQuery(ranges={"price_minor": NumericRange(lte=10_000_000), "royalty_rate_bp": NumericRange(gte=200)}),
    SearchQuery(ranges={"royalty_rate_bp": NumericRange(gte=0)}),  # documents without a rate never match
    SearchQuery(ranges={"price_minor": NumericRange(gte=1_250_000.5, lte=1_400_000)}),
    SearchQuery(filters={"payment_mode": ["running_royalty"]}, ranges={"remaining_years": NumericRange(lte=6)}),
    SearchQuery(filters={"region": ["nowhere"]}),
]


@pytest.mark.parametrize("query", FILTER_CASES)
def test_filters_or_within_and_across(loaded: SearchEngine, docs: list[SearchDocument], query: SearchQuery) -> None:
    result = loaded.search(query.model_copy(update={"per_page": 100, "suggest": False}))
    assert set(result.ids) == ref_ids(docs, query)
    assert result.total == len(result.ids)


FACETS = ["kind", "region", "tech_fields", "industries", "payment_mode", "price_band", "patentee",
          "university_org_id", "ipc_sections"]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "text_ids", "filters"),
    [
        ("", None, {}),
        ("", None, {"region": ["330000"]}),
        ("", None, {"region": ["330000", "440000"], "kind": ["utility_model"]}),
        ("传感器", {"h11", "h12", "h13", "h14", "h15"}, {"region": ["310000"]}),
        ("处理", {"h01", "h02", "h06"}, {"tech_fields": ["Optics"], "payment_mode": ["running_royalty"]}),
    ],
)
def test_facet_counts_are_disjunctive(
    loaded: SearchEngine,
    docs: list[SearchDocument],
    text: str,
    text_ids: set[str] | None,
    filters: dict[str, list[str]],
) -> None:
    query = SearchQuery(text=text, filters=filters, facets=FACETS)  # type: ignore[arg-type]
    result = loaded.search(query)
    expected = ref_facets(docs, query, text_ids)
    for facet in FACETS:
        assert counts(result, facet) == expected[facet], facet
        selected = {v.value for v in result.facets[facet] if v.selected}
        assert selected == set(filters.get(facet, [])), facet
    assert result.total == len(ref_ids(docs, query, text_ids))


def test_facet_values_are_ordered_by_count_then_value(loaded: SearchEngine) -> None:
    values = loaded.search(SearchQuery(facets=["region"])).facets["region"]
    keys = [(-v.count, v.value) for v in values]
    assert keys == sorted(keys)


def test_selected_value_without_matches_is_still_listed(loaded: SearchEngine) -> None:
    result = loaded.search(SearchQuery(text="传感器", filters={"region": ["999999"]}, facets=["region"]))
    assert result.total == 0
    listed = {v.value: (v.count, v.selected) for v in result.facets["region"]}
    assert listed["999999"] == (0, True)
    assert listed["310000"] == (3, False)


def test_numeric_stats_exclude_their_own_range(loaded: SearchEngine, docs: list[SearchDocument]) -> None:
    query = SearchQuery(ranges={"remaining_years": NumericRange(gte=5)}, facets=["remaining_years", "price_minor"])
    result = loaded.search(query)
    assert result.stats["remaining_years"].min == min(d.remaining_years for d in docs)
    assert result.stats["remaining_years"].max == max(d.remaining_years for d in docs)
    in_range = [d.price_minor for d in docs if d.remaining_years >= 5]
    assert (result.stats["price_minor"].min, result.stats["price_minor"].max) == (min(in_range), max(in_range))


def test_facet_search_finds_values_by_substring(loaded: SearchEngine, docs: list[SearchDocument]) -> None:
    found = loaded.facet_search("patentee", "浙江")
    assert [(v.value, v.count) for v in found] == [("浙江大学", sum(d.patentee == "浙江大学" for d in docs))]
    all_unis = loaded.facet_search("patentee", "大学", limit=50)
    assert {v.value for v in all_unis} == {d.patentee for d in docs}
    narrowed = loaded.facet_search("patentee", "大学", SearchQuery(text="传感器"))
    assert [(v.value, v.count) for v in narrowed] == [("浙江大学", 5)]


# ---------------------------------------------------------------------------------------- sorting and paging

SORT_KEYS = {
    "price_asc": (lambda d: d.price_minor, False),
    "price_desc": (lambda d: d.price_minor, True),
    "remaining_years_asc": (lambda d: d.remaining_years, False),
    "remaining_years_desc": (lambda d: d.remaining_years, True),
    "publication_date_asc": (lambda d: d.publication_date, False),
    "publication_date_desc": (lambda d: d.publication_date, True),
}


@pytest.mark.parametrize("sort", SORT_ORDERS)
def test_every_sort(loaded: SearchEngine, docs: list[SearchDocument], sort: str) -> None:
    result = loaded.search(SearchQuery(sort=sort, per_page=100))  # type: ignore[arg-type]
    key, reverse = SORT_KEYS.get(sort, SORT_KEYS["publication_date_desc"])  # relevance without text: newest
    assert result.ids == [d.id for d in sorted(docs, key=key, reverse=reverse)]


@pytest.mark.parametrize("sort", [s for s in SORT_ORDERS if s != "relevance"])
def test_sort_with_text_is_strict(loaded: SearchEngine, docs: list[SearchDocument], sort: str) -> None:
    result = loaded.search(SearchQuery(text="sensor", sort=sort))  # type: ignore[arg-type]
    key, reverse = SORT_KEYS[sort]
    sensors = [d for d in docs if d.id in {"h11", "h12", "h13", "h14", "h15"}]
    assert result.ids == [d.id for d in sorted(sensors, key=key, reverse=reverse)]


def test_pagination(loaded: SearchEngine, docs: list[SearchDocument]) -> None:
    everything = loaded.search(SearchQuery(sort="price_asc", per_page=100)).ids
    pages = [loaded.search(SearchQuery(sort="price_asc", per_page=5, page=p)) for p in range(1, 5)]
    assert [len(p.hits) for p in pages] == [5, 5, 5, 2]
    assert all(p.total == len(docs) and p.pages == 4 for p in pages)
    assert [i for p in pages for i in p.ids] == everything
    beyond = loaded.search(SearchQuery(sort="price_asc", per_page=5, page=5))
    assert beyond.hits == [] and beyond.total == len(docs) and beyond.suggestions == []


def test_relevance_pages_do_not_overlap(loaded: SearchEngine) -> None:
    pages = [loaded.search(SearchQuery(text="传感器", per_page=2, page=p)).ids for p in (1, 2, 3)]
    flat = [i for p in pages for i in p]
    assert sorted(flat) == ["h11", "h12", "h13", "h14", "h15"]


# ------------------------------------------------------------------------------------------------- highlights


def test_highlight_marks_the_match_and_escapes_the_rest(loaded: SearchEngine) -> None:
    hit = loaded.search(SearchQuery(text="gasket")).hits[0]
    assert hit.id == "h10"
    assert hit.highlights["title_en"] == (
        "Valve &lt;seal&gt; &amp; <mark>gasket</mark> for &quot;high&quot; pressure pumps"
    )
    abstract = hit.highlights["abstract_en"]
    assert abstract.startswith("…") and abstract.endswith("…")
    assert "<mark>gasket</mark>" in abstract
    assert len(abstract) < 200


def test_highlight_of_a_chinese_substring_and_a_typo(loaded: SearchEngine) -> None:
    result = loaded.search(SearchQuery(text="处理")).hits
    by_id = {h.id: h for h in result}
    assert by_id["h01"].highlights["title_zh"] == "一种待<mark>处理</mark>数据的缓存方法"
    assert by_id["h02"].highlights["title_en"] == "Image processing device and method"  # nothing to mark
    typo = loaded.search(SearchQuery(text="speach")).hits[0]
    assert typo.highlights["title_en"] == "<mark>Speech</mark> recognition system based on a neural network"


# ------------------------------------------------------------------------------------------------ maintenance


def test_delete_removes(loaded: SearchEngine, docs: list[SearchDocument]) -> None:
    loaded.delete(["h02", "no-such-id"])
    assert ids_of(loaded, "处理") == {"h01", "h06"}
    assert loaded.count() == len(docs) - 1
    assert loaded.fetch(["h02"]) == []
    assert "h02" not in loaded.all_ids()
    loaded.delete([])  # nothing to do is fine


def test_upsert_replaces_without_duplicates(loaded: SearchEngine, docs: list[SearchDocument]) -> None:
    h02 = next(d for d in docs if d.id == "h02")
    loaded.upsert([h02.model_copy(update={"title_zh": "图像压缩装置", "price_minor": 21_000_000})])
    assert ids_of(loaded, "处理") == {"h01", "h06"}
    assert ids_of(loaded, "压缩") == {"h02"}
    assert loaded.count() == len(docs)
    assert loaded.all_ids() == {d.id for d in docs}
    assert loaded.fetch(["h02"])[0].price_minor == 21_000_000
    # the same id twice in one batch: the last one wins
    first = h02.model_copy(update={"id": "h99", "title_zh": "第一版"})
    second = h02.model_copy(update={"id": "h99", "title_zh": "第二版"})
    assert loaded.upsert([first, second]) == 2
    assert loaded.count() == len(docs) + 1
    assert ids_of(loaded, "第二版") == {"h99"} and ids_of(loaded, "第一版") == set()
    # the same upsert twice (a retried job) changes nothing
    loaded.upsert([second])
    assert loaded.count() == len(docs) + 1


def test_fetch_round_trips_documents(loaded: SearchEngine, docs: list[SearchDocument]) -> None:
    by_id = {d.id: d for d in docs}
    assert loaded.fetch(["h03", "missing", "h01"]) == [by_id["h03"], by_id["h01"]]
    assert loaded.all_ids() == set(by_id)


def test_count_clear_health(loaded: SearchEngine, docs: list[SearchDocument]) -> None:
    assert loaded.count() == len(docs)
    health = loaded.health()
    assert health["status"] == "ok" and health["backend"] == loaded.name and health["documents"] == len(docs)
    loaded.clear()
    assert loaded.count() == 0
    assert loaded.search(SearchQuery()).total == 0
    assert loaded.ensure().documents == 0  # idempotent


# ------------------------------------------------------------------------------------------------ suggestions


def test_empty_result_suggests_a_close_spelling(loaded: SearchEngine) -> None:
    result = loaded.search(SearchQuery(text="handheld sacnenr"))
    assert result.total == 0
    spelling = next(s for s in result.suggestions if s.kind == "spelling")
    assert spelling.corrections == {"sacnenr": "scanner"}
    assert spelling.query.text == "handheld scanner"
    assert spelling.total == 1
    assert loaded.search(spelling.query).ids == ["h07"]
    dropped = next(s for s in result.suggestions if s.kind == "remove_word")
    assert (dropped.removed, dropped.query.text, dropped.total) == ("sacnenr", "handheld", 1)
    assert result.suggestions[0].kind == "spelling"


def test_empty_result_suggests_the_filter_to_remove(loaded: SearchEngine) -> None:
    result = loaded.search(
        SearchQuery(text="drone", filters={"kind": ["design"]}, ranges={"remaining_years": NumericRange(gte=30)})
    )
    assert result.total == 0
    by_kind = {(s.kind, s.removed): s for s in result.suggestions}
    assert ("remove_filter", "kind") not in by_kind  # alone it is not enough: the range still excludes all
    assert by_kind[("remove_all_filters", None)].total == 2
    only_filter = loaded.search(SearchQuery(text="drone", filters={"kind": ["design"]}))
    suggestion = only_filter.suggestions[0]
    assert (suggestion.kind, suggestion.removed, suggestion.total) == ("remove_filter", "kind", 2)
    assert suggestion.query.filters == {}
    only_range = loaded.search(SearchQuery(text="drone", ranges={"remaining_years": NumericRange(gte=30)}))
    assert [(s.kind, s.removed, s.total) for s in only_range.suggestions] == [("remove_range", "remaining_years", 2)]


def test_no_suggestion_when_nothing_would_help(loaded: SearchEngine) -> None:
    result = loaded.search(SearchQuery(text="zzqqxxjj"))
    assert result.total == 0 and result.suggestions == []
    assert loaded.search(SearchQuery(text="zzqqxxjj", suggest=False)).suggestions == []


def test_took_ms_is_reported(loaded: SearchEngine) -> None:
    result = loaded.search(SearchQuery(text="传感器", facets=["region"], filters={"region": ["310000"]}))
    assert result.took_ms >= 0 and result.backend == loaded.name


# ---------------------------------------------------------------------------------------------- async facade


async def test_async_facade_runs_the_same_engine(engine: SearchEngine, docs: list[SearchDocument]) -> None:
    index = SearchIndex(engine)
    assert (await index.ensure()).backend == engine.name
    assert await index.upsert(docs) == len(docs)
    result = await index.search(SearchQuery(text="处理"))
    assert set(result.ids) == {"h01", "h02", "h06"}
    assert await index.count() == len(docs)
    await index.delete(["h01"])
    assert await index.all_ids() == {d.id for d in docs} - {"h01"}
    assert [d.id for d in await index.fetch(["h02"])] == ["h02"]
    assert (await index.facet_search("kind", "design"))[0].count == 1
    assert (await index.health())["status"] == "ok"
    await index.clear()
    assert await index.count() == 0


# ---------------------------------------------------------------------------------- settings and the contract


def test_build_search_follows_settings(tmp_path: Path) -> None:
    embedded = build_backend(Settings(data_dir=tmp_path))
    assert isinstance(embedded, EmbeddedSearch) and embedded.path == tmp_path / "search" / "listings"
    assert isinstance(build_search(Settings(data_dir=tmp_path)), SearchIndex)
    meili = build_backend(Settings(search_backend="meilisearch", meili_url="http://127.0.0.1:1", meili_key="k"))
    assert isinstance(meili, MeiliSearch) and meili.uid == "listings"
    with pytest.raises(ValueError, match="MARKET_MEILI_URL"):
        build_backend(Settings(search_backend="meilisearch", meili_url=""))


def test_embedded_index_survives_reopening(tmp_path: Path, docs: list[SearchDocument]) -> None:
    first = EmbeddedSearch(tmp_path / "idx")
    assert first.ensure().created
    first.upsert(docs)
    second = EmbeddedSearch(tmp_path / "idx")
    info = second.ensure()
    assert not info.created and info.documents == len(docs)
    # a commit by another instance (another process) is seen by the next search
    first.delete(["h01"])
    assert second.count() == len(docs) - 1
    assert ids_of(second, "处理") == {"h02", "h06"}


def test_embedded_schema_change_recreates_the_index(tmp_path: Path, docs: list[SearchDocument]) -> None:
    first = EmbeddedSearch(tmp_path / "idx")
    first.upsert(docs)
    (tmp_path / "idx" / "market-search.json").write_text('{"schema_version": 0}')
    info = EmbeddedSearch(tmp_path / "idx").ensure()
    assert info.created and info.documents == 0


def test_query_and_document_validation() -> None:
    with pytest.raises(ValidationError):
        SearchQuery(filters={"colour": ["red"]})  # type: ignore[dict-item]
    with pytest.raises(ValidationError):
        SearchQuery(ranges={"remaining_years": NumericRange(gte=5, lte=1)})
    with pytest.raises(ValidationError):
        SearchQuery(sort="cheapest")  # type: ignore[arg-type]
    q = SearchQuery(filters={"university_org_id": [101, "102"], "kind": []})  # type: ignore[list-item]
    assert q.filters == {"university_org_id": ["101", "102"]}
    with pytest.raises(ValidationError):
        SearchDocument.model_validate({"id": "bad id!", "patent_number": "x"})
    doc = SearchDocument(
        id="x1", patent_number="CN1", kind="invention", patentee="p", university_org_id=1, region="1",
        payment_mode="lump_sum", price_band="b", price_minor=1, remaining_years=1, publication_date="2020-01-01",
        ipc_codes=["A61K 39/215", "c07k14/165", "junk"],
    )  # fmt: skip
    assert (doc.ipc_sections, doc.ipc_classes) == (["A", "C"], ["A61", "C07"])


def test_embedded_writers_take_turns_on_the_index_lock(tmp_path: Path, docs: list[SearchDocument]) -> None:
    """Two handles on one directory stand for the app and a worker process: tantivy's lock file lets one write
    at a time; the other waits up to ``lock_timeout``, then fails with a temporary (retryable) error."""
    app = EmbeddedSearch(tmp_path / "idx")
    worker = EmbeddedSearch(tmp_path / "idx", lock_timeout=5)
    impatient = EmbeddedSearch(tmp_path / "idx", lock_timeout=0.1)
    app.ensure()
    holding = threading.Event()

    def hold() -> None:
        with app._writer() as writer:
            writer.add_document(to_tantivy(docs[0]))
            holding.set()
            time.sleep(0.5)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait()
    with pytest.raises(SearchUnavailable):
        impatient.upsert(docs[1:2])
    worker.upsert(docs[1:3])  # waits for the lock, then writes
    thread.join()
    assert app.all_ids() == {docs[0].id, docs[1].id, docs[2].id}
