"""The Meilisearch adapter without a server: its pure parts (documents, grams, query text, filter expressions,
settings, request and response shapes) and its orchestration against a recording fake of the official client."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError

from market.integrations.search import NumericRange, SearchQuery, SearchUnavailable, Synonyms
from market.integrations.search.analysis import (
    ONE_TYPO_MIN_CHARS,
    SYNONYMS_FILE,
    TWO_TYPOS_MIN_CHARS,
    default_synonyms,
    han_runs,
    parse_query,
)
from market.integrations.search.engine import Plan
from market.integrations.search.meili import (
    GRAM_FIELDS,
    MeiliSearch,
    bigram,
    encode_han,
    facet_clause,
    from_meili_document,
    grams_text,
    han_phrase,
    meili_filter,
    meili_query_text,
    meili_settings,
    parse_response,
    range_clause,
    search_request,
    to_meili_document,
    unigram,
    word_documents,
)
from market.integrations.search.port import SearchError
from tests.integrations.search.reference import handcrafted

# ----------------------------------------------------------------------------------------------------- grams


def test_han_characters_encode_to_distinct_letter_words() -> None:
    chars = [chr(c) for c in range(0x4E00, 0x9FFF)] + ["𠀀", "〇"]
    codes = {encode_han(c) for c in chars}
    assert len(codes) == len(chars)
    assert all(len(c) == 4 and c.isalpha() and c.islower() for c in codes)
    assert unigram("处").startswith("qx") and len(bigram("处", "理")) == 10


def test_grams_text_spells_each_run_as_unigrams_and_bigrams() -> None:
    text = grams_text(["LED显示屏, 待处理"])
    assert text == ". ".join(
        [
            " ".join(unigram(c) for c in "显示屏"),
            f"{bigram('显', '示')} {bigram('示', '屏')}",
            " ".join(unigram(c) for c in "待处理"),
            f"{bigram('待', '处')} {bigram('处', '理')}",
        ]
    )
    assert grams_text(["only latin"]) == ""


def test_a_substring_phrase_is_a_run_of_the_document_grams() -> None:
    """The reason the workaround works: the phrase sent for "处理" is a contiguous part of the grams of "待处理"."""
    phrase = han_phrase("处理").strip('"')
    assert phrase == bigram("处", "理")
    assert phrase in grams_text(["一种待处理数据的缓存方法"]).split()
    long_phrase = han_phrase("待处理数据").strip('"')
    assert long_phrase in grams_text(["一种待处理数据的缓存方法"])
    assert han_phrase("泵") == f'"{unigram("泵")}"'


def test_query_text_quotes_han_runs_and_keeps_latin_words() -> None:
    q = meili_query_text(parse_query("LED 处理 image"))
    assert q == f'LED "{bigram("处", "理")}" image'  # the last word stays a prefix
    assert meili_query_text(parse_query("image ")).endswith(" ")  # typed with a space: no prefix
    assert meili_query_text(parse_query("ab")) == "ab "  # too short for a prefix in both engines
    assert meili_query_text(parse_query('-"x" 泵')) == f'"{unigram("泵")}" -"x"'  # an excluded phrase (Q15)
    assert meili_query_text(parse_query("")) == ""


# ---------------------------------------------------------------------------------------------------- filters


def test_facet_clause_quotes_and_escapes() -> None:
    assert facet_clause("kind", ["invention", "design"]) == 'kind IN ["invention", "design"]'
    assert facet_clause("patentee", ['A "B" \\ C']) == 'patentee IN ["A \\"B\\" \\\\ C"]'
    assert facet_clause("university_org_id", ["101", "x"]) == 'university_org_id IN [101, "x"]'
    assert facet_clause("region", ["AND"]) == 'region IN ["AND"]'  # keywords are quoted values


def test_range_clause_and_filter_list() -> None:
    assert range_clause("remaining_years", NumericRange(gte=5, lte=12.5)) == (
        "remaining_years >= 5 AND remaining_years <= 12.5"
    )
    assert range_clause("price_minor", NumericRange(lte=1000)) == "price_minor <= 1000"
    clauses = meili_filter(
        {"kind": ["invention"], "region": ["330000", "440000"]}, {"royalty_rate_bp": NumericRange(gte=100)}
    )
    assert clauses == ['kind IN ["invention"]', 'region IN ["330000", "440000"]', "royalty_rate_bp >= 100"]
    assert meili_filter({}, {}) == []


# --------------------------------------------------------------------------------------------------- settings


def test_settings() -> None:
    s = meili_settings(default_synonyms())
    assert s["searchableAttributes"][:3] == ["title_zh", "title_en", "zh_title_grams"]
    assert set(GRAM_FIELDS) <= set(s["searchableAttributes"])
    assert set(s["filterableAttributes"]) >= {
        "tech_fields", "industries", "ipc_sections", "ipc_classes", "kind", "patentee", "region",
        "payment_mode", "price_band", "remaining_years", "price_minor", "university_org_id", "id",
    }  # fmt: skip
    assert s["sortableAttributes"] == ["price_minor", "remaining_years", "publication_day"]
    assert s["rankingRules"][0] == "sort"
    assert s["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": ONE_TYPO_MIN_CHARS, "twoTypos": TWO_TYPOS_MIN_CHARS}
    assert set(GRAM_FIELDS) <= set(s["typoTolerance"]["disableOnAttributes"])
    assert {"attributePatterns": ["*_zh", "claims_excerpt", "patentee"], "locales": ["cmn"]} in s["localizedAttributes"]
    assert s["pagination"]["maxTotalHits"] >= 100_000
    assert s["proximityPrecision"] == "byWord"  # phrases need word positions
    json.dumps(s)  # plain JSON


def test_synonyms_setting_maps_latin_terms_and_spells_chinese_as_grams() -> None:
    syn = meili_settings(
        Synonyms.from_groups([["人工智能", "AI", "Artificial Intelligence"], ["3D打印", "3d printing"]])
    )
    mapping = syn["synonyms"]
    grams = f"{bigram('人', '工')} {bigram('工', '智')} {bigram('智', '能')}"
    assert mapping["ai"] == [grams, "artificial intelligence"]
    assert mapping["artificial intelligence"] == [grams, "ai"]
    assert "人工智能" not in mapping  # a Han query is a quoted phrase: synonyms come from zh_syn_grams
    assert mapping["3d printing"] == [f"3d {bigram('打', '印')}"]


def test_synonym_file_is_valid() -> None:
    data = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    assert len(data["groups"]) >= 30 and all(len(g) >= 2 for g in data["groups"])
    groups = default_synonyms().groups
    assert len(groups) == len(data["groups"])
    assert all(any(han_runs(t) for t in g) for g in groups)  # every group reaches Chinese


# -------------------------------------------------------------------------------------------------- documents


def test_document_transformation_round_trips() -> None:
    docs = {d.id: d for d in handcrafted()}
    h01 = to_meili_document(docs["h01"], default_synonyms())
    assert h01["publication_day"] == (date(2019, 3, 1) - date(1970, 1, 1)).days
    assert "royalty_rate_bp" not in h01 and "published_at" not in h01
    assert bigram("处", "理") in h01["zh_title_grams"].split()
    assert h01["ipc_sections"] == ["G"] and h01["ipc_classes"] == ["G06"]
    json.dumps(h01)
    assert from_meili_document(h01) == docs["h01"]
    h02 = to_meili_document(docs["h02"], default_synonyms())
    assert h02["royalty_rate_bp"] == 300 and from_meili_document(h02) == docs["h02"]


def test_synonym_grams_are_indexed_for_documents_without_chinese() -> None:
    h16 = to_meili_document(next(d for d in handcrafted() if d.id == "h16"), default_synonyms())
    assert h16["title_zh"] == ""
    assert bigram("无", "人") in h16["zh_syn_grams"].split()  # "drone" -> 无人机
    h11 = to_meili_document(next(d for d in handcrafted() if d.id == "h11"), default_synonyms())
    assert bigram("传", "感") in h11["zh_syn_grams"].split()  # "sensor" -> 传感器


def test_word_documents_hold_the_latin_vocabulary() -> None:
    words = word_documents([next(d for d in handcrafted() if d.id == "h07")])
    assert {w["word"] for w in words} == {"handheld", "scanner", "measurement"}
    assert all(w["id"] == w["word"].encode().hex() for w in words)


# ------------------------------------------------------------------------------------------- request/response


def test_search_request_for_a_page_and_for_a_count() -> None:
    parsed = parse_query("处理 image")
    plan = Plan(parsed, {"kind": ["invention"]}, {"price_minor": NumericRange(lte=5)}, "price_desc",
                offset=40, limit=20, facets=("region",), stats=("remaining_years",))  # fmt: skip
    req = search_request("listings", plan)
    assert req["indexUid"] == "listings" and req["q"] == meili_query_text(parsed)
    assert req["filter"] == ['kind IN ["invention"]', "price_minor <= 5"]
    assert (req["page"], req["hitsPerPage"]) == (3, 20)
    assert req["sort"] == ["price_minor:desc"] and req["facets"] == ["region", "remaining_years"]
    assert req["matchingStrategy"] == "all" and req["showRankingScore"] is True
    count = search_request("listings", Plan(parsed))
    assert count["page"] == 0 and "sort" not in count and "filter" not in count and "facets" not in count
    with pytest.raises(SearchError):
        search_request("listings", Plan(parsed, offset=5, limit=20))


def test_parse_response() -> None:
    plan = Plan(parse_query("x"), facets=("kind",), stats=("price_minor",), limit=20)
    raw = parse_response(
        plan,
        {
            "hits": [{"id": "a", "title_zh": "甲", "_rankingScore": 0.75}],
            "totalHits": 7,
            "facetDistribution": {"kind": {"invention": 5, "design": 2}},
            "facetStats": {"price_minor": {"min": 1, "max": 9}},
            "processingTimeMs": 3,
        },
    )
    assert raw.total == 7 and raw.took_ms == 3.0
    assert raw.hits[0].id == "a" and raw.hits[0].score == 0.75 and raw.hits[0].texts["title_zh"] == "甲"
    assert raw.facets == {"kind": [("invention", 5), ("design", 2)]}
    assert raw.stats == {"price_minor": (1, 9)}


# ------------------------------------------------------------------------------------- adapter with a fake client


class FakeTask:
    def __init__(self, uid: int) -> None:
        self.task_uid = uid


class FakeIndex:
    def __init__(self, client: FakeClient, uid: str) -> None:
        self.client, self.uid = client, uid

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.client.calls.append((self.uid, name, args, kwargs))
            if name == "get_stats":
                return type("Stats", (), {"number_of_documents": 3})()
            return FakeTask(len(self.client.calls))

        return call


class FakeClient:
    """Records what the adapter asks of the official client; answers searches from ``answers``."""

    def __init__(self, answers: list[dict[str, Any]] | None = None, *, failed_task: bool = False) -> None:
        self.calls: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = []
        self.answers = answers or []
        self.failed_task = failed_task
        self.existing: set[str] = set()

    def index(self, uid: str) -> FakeIndex:
        return FakeIndex(self, uid)

    def get_index(self, uid: str) -> object:
        if uid not in self.existing:
            response = type("R", (), {"status_code": 404, "text": json.dumps({"code": "index_not_found"})})()
            raise MeilisearchApiError("not found", response)  # type: ignore[arg-type]
        return object()

    def create_index(self, uid: str, options: dict[str, Any]) -> FakeTask:
        self.calls.append((uid, "create_index", (options,), {}))
        self.existing.add(uid)
        return FakeTask(len(self.calls))

    def wait_for_task(self, uid: int, **kwargs: Any) -> Any:
        status = "failed" if self.failed_task else "succeeded"
        return type("Task", (), {"status": status, "error": {"code": "invalid_document_id", "message": "bad"}})()

    def multi_search(self, queries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(("*", "multi_search", (queries,), {}))
        return {"results": [self.answers[i] if i < len(self.answers) else {"hits": [], "totalHits": 0}
                            for i in range(len(queries))]}  # fmt: skip

    def health(self) -> dict[str, str]:
        return {"status": "available"}


def test_ensure_creates_both_indexes_and_applies_settings() -> None:
    client = FakeClient()
    engine = MeiliSearch("http://meili:7700", index_uid="t", client=client)
    info = engine.ensure()
    assert info.created and info.documents == 3
    made = [(uid, name) for uid, name, _, _ in client.calls if name in {"create_index", "update_settings"}]
    assert made == [("t", "create_index"), ("t", "update_settings"), ("t__words", "create_index"),
                    ("t__words", "update_settings")]  # fmt: skip
    assert not engine.ensure().created  # second time: indexes exist, settings re-applied


def test_one_round_trip_per_search_with_disjunctive_plans() -> None:
    answers = [
        {"hits": [{"id": "h01", "title_zh": "一种待处理数据的缓存方法", "_rankingScore": 0.9}], "totalHits": 1,
         "facetDistribution": {"region": {"330000": 1}}, "processingTimeMs": 2},
        {"hits": [], "totalHits": 2, "facetDistribution": {"kind": {"invention": 1, "utility_model": 1}},
         "processingTimeMs": 1},
    ]  # fmt: skip
    client = FakeClient(answers)
    engine = MeiliSearch("http://meili:7700", index_uid="t", client=client)
    result = engine.search(SearchQuery(text="处理", filters={"kind": ["invention"]}, facets=["kind", "region"]))
    searches = [c for c in client.calls if c[1] == "multi_search"]
    assert len(searches) == 1
    main, kind_only = searches[0][2][0]
    assert main["filter"] == ['kind IN ["invention"]'] and main["facets"] == ["region"]
    assert "filter" not in kind_only and kind_only["facets"] == ["kind"] and kind_only["page"] == 0
    assert result.total == 1 and result.took_ms == 3.0
    assert result.hits[0].highlights["title_zh"] == "一种待<mark>处理</mark>数据的缓存方法"
    assert [(v.value, v.count, v.selected) for v in result.facets["kind"]] == [
        ("invention", 1, True), ("utility_model", 1, False)]  # fmt: skip


def test_writes_wait_for_their_tasks_and_report_failures() -> None:
    client = FakeClient()
    engine = MeiliSearch("http://meili:7700", index_uid="t", client=client)
    docs = handcrafted()
    assert engine.upsert(docs + docs[:1]) == len(docs) + 1
    added = [c for c in client.calls if c[1] == "add_documents" and c[0] == "t"]
    assert len(added) == 1 and len(added[0][2][0]) == len(docs)  # one batch, the duplicate folded
    assert any(c[1] == "add_documents" and c[0] == "t__words" for c in client.calls)
    engine.delete(["h01", "h02"])
    deleted = [c for c in client.calls if c[1] == "delete_documents"]
    assert deleted[0][3] == {"filter": 'id IN ["h01", "h02"]'}
    failing = MeiliSearch("http://meili:7700", index_uid="t", client=FakeClient(failed_task=True))
    with pytest.raises(SearchError, match="invalid_document_id"):
        failing.upsert(docs[:1])


def test_an_unreachable_server_is_a_temporary_failure() -> None:
    class Down(FakeClient):
        def multi_search(self, queries: list[dict[str, Any]]) -> dict[str, Any]:
            raise MeilisearchCommunicationError("connection refused")

        def health(self) -> dict[str, str]:
            raise MeilisearchCommunicationError("connection refused")

    engine = MeiliSearch("http://meili:7700", index_uid="t", client=Down())
    with pytest.raises(SearchUnavailable):
        engine.search(SearchQuery(text="x"))
    assert engine.health()["status"] == "down"
