"""Text analysis shared by both engines: tokens, query parsing, synonyms, typo budgets, highlighting."""

from __future__ import annotations

import pytest

from market.integrations.search.analysis import (
    MAX_QUERY_TERMS,
    Synonyms,
    edit_distance,
    han_runs,
    normalise_facet_value,
    parse_query,
    text_analyzer,
    tokens,
    typo_budget,
    vocabulary_words,
)
from market.integrations.search.highlight import highlight, match_spans


def test_one_token_per_han_character_and_whole_latin_words() -> None:
    assert text_analyzer().analyze("待处理的LED显示屏 Neural Networks 𠀀") == [
        "待", "处", "理", "的", "led", "显", "示", "屏", "neural", "network", "𠀀",
    ]  # fmt: skip
    toks = tokens("LED显示")
    assert [(t.text, t.start, t.end, t.han) for t in toks] == [
        ("led", 0, 3, False), ("显", 3, 4, True), ("示", 4, 5, True),
    ]  # fmt: skip
    assert text_analyzer().analyze("Café naïve") == ["cafe", "naiv"]  # folded, then stemmed


def test_han_runs() -> None:
    assert han_runs("LED显示屏和触摸屏, 待处理 x") == ["显示屏和触摸屏", "待处理"]
    assert han_runs("no chinese") == []


def test_parse_query_units() -> None:
    parsed = parse_query("  待处理 nueral-netwrok 3D打印 ")
    assert [u.text for u in parsed.units] == ["待处理", "nueral", "netwrok", "3D", "打印"]
    terms = parsed.typed_terms
    assert terms[0].han and terms[0].tokens == ("待", "处", "理")
    assert (terms[1].typos, terms[1].prefix, terms[1].folded) == (1, False, "nueral")
    assert terms[2].prefix is False  # a space followed it
    assert parse_query("neur").typed_terms[0].prefix
    assert not parse_query("ne").typed_terms[0].prefix
    assert parse_query("").is_empty and parse_query("  ,.;").is_empty
    many = parse_query(" ".join(f"w{i}" for i in range(15)))
    assert len(many.typed_terms) == MAX_QUERY_TERMS


def test_synonyms_become_alternatives() -> None:
    syn = Synonyms.from_groups([["人工智能", "AI", "artificial intelligence"], ["新冠病毒", "COVID-19"]])
    parsed = parse_query("Artificial Intelligence 芯片", syn)
    assert [u.text for u in parsed.units] == ["Artificial Intelligence", "芯片"]
    unit = parsed.units[0]
    assert not unit.typed.phrase and len(unit.typed.terms) == 2
    assert [(a.phrase, [t.raw for t in a.terms]) for a in unit.alternatives[1:]] == [
        (True, ["人工智能"]), (True, ["ai"]),
    ]  # fmt: skip
    covid = parse_query("covid-19", syn).units[0]
    assert covid.text == "covid 19" and [t.raw for t in covid.alternatives[1].terms] == ["新冠病毒"]
    assert syn.of("COVID 19") == ("新冠病毒",)


@pytest.mark.parametrize(
    ("word", "budget"), [("ai", 0), ("chip", 1), ("network", 1), ("networks", 1), ("processor", 2), ("cn1089823", 0)]
)
def test_typo_budget(word: str, budget: int) -> None:
    assert typo_budget(word) == budget


def test_edit_distance_counts_a_transposition_once() -> None:
    assert edit_distance("nueral", "neural", 2) == 1
    assert edit_distance("sacnenr", "scanner", 2) == 2
    assert edit_distance("abc", "xyz", 1) == 2  # capped at limit + 1
    assert edit_distance("same", "same", 0) == 0


def test_facet_values_compare_like_meilisearch() -> None:
    assert normalise_facet_value("  Computer TECHNOLOGY ") == "computer technology"
    assert normalise_facet_value("Café") == normalise_facet_value("Café")  # composed == decomposed


def test_vocabulary_words() -> None:
    assert vocabulary_words("Neural Networks, 3D printing at 5G; 神经 an") == {"neural", "networks", "printing"}


def test_highlight_escapes_everything_but_marks() -> None:
    q = parse_query("处理 nueral gasket")
    out = highlight('<b>待处理</b> Neural & "gaskets"', q)
    assert out == "&lt;b&gt;待<mark>处理</mark>&lt;/b&gt; <mark>Neural</mark> &amp; &quot;<mark>gaskets</mark>&quot;"
    assert highlight("<i>nothing</i>", q) == "&lt;i&gt;nothing&lt;/i&gt;"
    assert highlight("", q) == ""


def test_highlight_crops_around_the_first_match() -> None:
    text = "甲" * 300 + "待处理" + "乙" * 300
    out = highlight(text, parse_query("处理"), crop=100)
    assert out.startswith("…") and out.endswith("…") and "<mark>处理</mark>" in out
    assert len(out.replace("<mark>", "").replace("</mark>", "")) == 102
    head = highlight("短文本处理", parse_query("处理"), crop=100)
    assert head == "短文本<mark>处理</mark>"


def test_match_spans_merge_adjacent_han_matches() -> None:
    assert match_spans("待处理数据", parse_query("处理 理数")) == [(1, 4)]
