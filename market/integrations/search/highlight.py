"""Highlighted snippets, computed the same way for both engines from the stored text and the parsed query.

The output is HTML: the text is escaped (``html.escape``, quotes included) and every match is wrapped in
``<mark>…</mark>``; nothing else is markup, so a template may print it unescaped. A Han run of the query is
marked wherever it occurs as a substring, both folded to simplified (``chinese.fold`` keeps offsets, so "电池"
marks "電池" in a traditional text); a Latin-script word is marked where a word of the text has the same
stem, is within the query word's typo budget, or (the last word typed) starts with it. Excluded units (``-word``,
``NOT word``) and patent numbers are never marked (``ParsedQuery.all_terms``).
"""

from __future__ import annotations

import html

from market.integrations.search.analysis import ParsedQuery, QueryTerm, edit_distance, latin_words, stem
from market.integrations.search.chinese import fold

ELLIPSIS = "…"


def _latin_match(word: str, folded: str, term: QueryTerm) -> bool:
    """``word``: the stemmed token of the text; ``folded``: the same word unstemmed."""
    q = term.tokens[0]
    if word == q:
        return True
    if term.prefix and (word.startswith(q) or folded.startswith(term.folded)):
        return True
    # the same budgets as the engines: on the stem against stems, on the folded word against words as written
    if term.stem_typos > 0 and edit_distance(word, q, term.stem_typos) <= term.stem_typos:
        return True
    return term.typos > 0 and edit_distance(folded, term.folded, term.typos) <= term.typos


def match_spans(text: str, query: ParsedQuery, memo: dict[str, bool] | None = None) -> list[tuple[int, int]]:
    """Sorted, merged character spans of ``text`` that match ``query``. ``memo`` caches word decisions across
    the texts of one result (the same words recur, and a typo comparison is an edit distance)."""
    memo = {} if memo is None else memo
    if not text or query.is_empty:
        return []
    spans: list[tuple[int, int]] = []
    terms = query.all_terms
    han = [t for t in terms if t.han]
    simplified = fold(text) if han else text
    for term in han:
        run = "".join(term.tokens)
        start = simplified.find(run)
        while start != -1:
            spans.append((start, start + len(run)))
            start = simplified.find(run, start + 1)
    latin = [t for t in terms if not t.han and t.tokens]
    if latin:
        for start, end, folded in latin_words(text):
            hit = memo.get(folded)
            if hit is None:
                hit = memo[folded] = any(_latin_match(stem(folded), folded, t) for t in latin)
            if hit:
                spans.append((start, end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, query: ParsedQuery, *, crop: int | None = None, memo: dict[str, bool] | None = None) -> str:
    """``text`` as escaped HTML with ``<mark>`` around matches; cropped to about ``crop`` characters around the
    first match (with "…" where text was cut) when ``crop`` is given and the text is longer."""
    spans = match_spans(text, query, memo)
    start, end = 0, len(text)
    if crop is not None and len(text) > crop:
        anchor = spans[0][0] if spans else 0
        start = max(0, min(anchor - crop // 4, len(text) - crop))
        end = start + crop
    out: list[str] = [ELLIPSIS] if start > 0 else []
    pos = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return "".join(out)
