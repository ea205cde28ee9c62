"""What both adapters share above their engine: one search becomes a batch of plans (the page of hits, one
count per selected facet for disjunctive facet counts, the counts behind suggestions), and the raw answers
become a ``SearchResult`` with highlights. An adapter only runs plans and looks up close spellings, so facets,
filters, sorting rules, highlights and suggestions cannot drift apart between engines.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from market.integrations.search.analysis import (
    Lexicon,
    ParsedQuery,
    Synonyms,
    default_synonyms,
    fold_word,
    normalise_facet_value,
    parse_query,
)
from market.integrations.search.highlight import highlight
from market.integrations.search.port import (
    HIGHLIGHT_FIELDS,
    RANGE_FIELDS,
    TERM_FACETS,
    FacetValue,
    IndexInfo,
    NumericRange,
    NumericStats,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    SortOrder,
    Suggestion,
    TermFacet,
)

ABSTRACT_CROP = 160
MAX_SUGGESTIONS = 6
MIN_SPELLING_CHARS = 3


@dataclass(frozen=True)
class Plan:
    """One request to an engine."""

    query: ParsedQuery
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    ranges: Mapping[str, NumericRange] = field(default_factory=dict)
    sort: SortOrder = "relevance"
    offset: int = 0
    limit: int = 0  # 0: count (and facets) only
    facets: tuple[str, ...] = ()
    stats: tuple[str, ...] = ()
    facet_limit: int = 100


@dataclass
class RawHit:
    id: str
    score: float | None
    texts: dict[str, str]
    payload: str = ""  # SearchDocument.payload, as stored


@dataclass
class RawResult:
    total: int
    hits: list[RawHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    stats: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    took_ms: float = 0.0


def _filters(query: SearchQuery) -> dict[str, list[str]]:
    return {str(k): list(v) for k, v in query.filters.items()}


def _ranges(query: SearchQuery) -> dict[str, NumericRange]:
    return {str(k): v for k, v in query.ranges.items()}


def effective_sort(sort: SortOrder, query: ParsedQuery) -> SortOrder:
    """Relevance without text means nothing: list the newest patents first (both engines)."""
    return "publication_date_desc" if sort == "relevance" and not query.units else sort


class SearchEngine(ABC):
    """Base of both adapters. Subclasses implement the primitives below and the index maintenance methods of
    ``SearchBackend``; ``search`` and ``facet_search`` are shared."""

    name = "abstract"

    def __init__(self, synonyms: Synonyms | None = None, *, words_from: SearchEngine | None = None) -> None:
        self.synonyms = synonyms if synonyms is not None else default_synonyms()
        # The engine whose index says which words are known (typo tolerance, long input): an index of a few new
        # listings, as the alerts build, asks the main index, so a saved search reads its words as the search does.
        self.words_from = words_from

    # -- primitives -------------------------------------------------------------------------------------------

    @abstractmethod
    def _run(self, plans: Sequence[Plan]) -> list[RawResult]:
        """Run plans (in one round trip where the engine allows) and return one result per plan."""

    @abstractmethod
    def _close_words(self, words: Sequence[str]) -> tuple[dict[str, list[str]], float]:
        """For each word (folded as the vocabulary stores it) the indexed words closest to it, best first; an empty
        list when the word itself is indexed. Also returns the engine time in ms."""

    # -- maintenance, per adapter -----------------------------------------------------------------------------

    @abstractmethod
    def ensure(self) -> IndexInfo: ...

    @abstractmethod
    def upsert(self, documents: Iterable[SearchDocument]) -> int: ...

    @abstractmethod
    def delete(self, ids: Iterable[str]) -> None: ...

    @abstractmethod
    def fetch(self, ids: Sequence[str]) -> list[SearchDocument]: ...

    @abstractmethod
    def all_ids(self) -> set[str]: ...

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def clear(self) -> None: ...

    @abstractmethod
    def health(self) -> dict[str, Any]: ...

    def close(self) -> None:  # noqa: B027 - optional for adapters holding nothing
        """Release what the adapter holds (nothing by default)."""

    # -- shared search ----------------------------------------------------------------------------------------

    def _lexicon(self) -> Lexicon | None:
        """The index as ``parse_query`` asks it (known words, document frequencies); None: parse without it."""
        return None

    def parse(self, text: str) -> ParsedQuery:
        return parse_query(text, self.synonyms, (self.words_from or self)._lexicon())

    def search(self, query: SearchQuery) -> SearchResult:
        parsed = self.parse(query.text)
        sort = effective_sort(query.sort, parsed)
        term_facets = [f for f in query.facets if f in TERM_FACETS]
        stat_fields = [f for f in query.facets if f in RANGE_FIELDS]
        filters = _filters(query)
        ranges = _ranges(query)
        plans = [
            Plan(
                parsed,
                filters,
                ranges,
                sort,
                offset=query.offset,
                limit=query.per_page,
                facets=tuple(f for f in term_facets if f not in filters),
                stats=tuple(f for f in stat_fields if f not in ranges),
                facet_limit=query.facet_limit,
            )
        ]
        # Disjunctive counts: a selected facet (or bounded range) is counted without its own filter.
        for f in term_facets:
            if f in filters:
                others = {k: v for k, v in filters.items() if k != f}
                plans.append(Plan(parsed, others, ranges, sort, facets=(f,), facet_limit=query.facet_limit))
        for r in stat_fields:
            if r in ranges:
                plans.append(Plan(parsed, filters, {k: v for k, v in ranges.items() if k != r}, sort, stats=(r,)))
        raws = self._run(plans)
        main = raws[0]
        took = sum(r.took_ms for r in raws)
        counts: dict[str, list[tuple[str, int]]] = dict(main.facets)
        stats: dict[str, tuple[float | None, float | None]] = dict(main.stats)
        for raw in raws[1:]:
            counts.update(raw.facets)
            stats.update(raw.stats)
        facets = {f: self._facet_values(counts.get(f, []), filters.get(f, []), query.facet_limit) for f in term_facets}
        memo: dict[str, bool] = {}
        hits = [self._hit(h, parsed, memo) for h in main.hits]
        suggestions: list[Suggestion] = []
        if main.total == 0 and query.suggest:
            suggestions, spent = self._suggest(query, parsed)
            took += spent
        return SearchResult(
            backend=self.name,
            query=query,
            total=main.total,
            hits=hits,
            facets=facets,
            stats={
                f: NumericStats(min=stats.get(f, (None, None))[0], max=stats.get(f, (None, None))[1])
                for f in stat_fields
            },
            took_ms=round(took, 3),
            suggestions=suggestions,
        )

    def facet_search(
        self, facet: TermFacet, text: str, query: SearchQuery | None = None, *, limit: int = 10
    ) -> list[FacetValue]:
        query = query or SearchQuery()
        parsed = self.parse(query.text)
        others = {k: v for k, v in _filters(query).items() if k != facet}
        plan = Plan(
            parsed, others, _ranges(query), effective_sort(query.sort, parsed), facets=(facet,), facet_limit=500
        )
        raw = self._run([plan])[0]
        needle = normalise_facet_value(text)
        selected = set(query.filters.get(facet, []))
        found = [(v, c) for v, c in raw.facets.get(facet, []) if needle in normalise_facet_value(v)]
        found.sort(key=lambda vc: (-vc[1], vc[0]))
        return [FacetValue(value=v, count=c, selected=v in selected) for v, c in found[:limit]]

    # -- helpers ----------------------------------------------------------------------------------------------

    @staticmethod
    def _facet_values(counted: list[tuple[str, int]], selected: Sequence[str], limit: int) -> list[FacetValue]:
        ordered = sorted(counted, key=lambda vc: (-vc[1], vc[0]))[:limit]
        chosen = {normalise_facet_value(s) for s in selected}
        present = {normalise_facet_value(v) for v, _ in ordered}
        values = [FacetValue(value=v, count=c, selected=normalise_facet_value(v) in chosen) for v, c in ordered]
        values += [
            FacetValue(value=s, count=0, selected=True) for s in selected if normalise_facet_value(s) not in present
        ]
        return values

    @staticmethod
    def _hit(raw: RawHit, parsed: ParsedQuery, memo: dict[str, bool]) -> SearchHit:
        marks = {}
        for f in HIGHLIGHT_FIELDS:
            text = raw.texts.get(f) or ""
            if text:
                crop = ABSTRACT_CROP if f.startswith("abstract") else None
                marks[f] = highlight(text, parsed, crop=crop, memo=memo)
        return SearchHit(id=raw.id, score=raw.score, highlights=marks, payload=raw.payload)

    def _suggest(self, query: SearchQuery, parsed: ParsedQuery) -> tuple[list[Suggestion], float]:
        """Changes that would find something, each verified by a count: a close spelling of the Latin-script
        words, dropping one word, dropping one filter or range, dropping all filters."""
        took = 0.0
        candidates: list[tuple[Suggestion, ParsedQuery]] = []

        def add(
            kind: Any, q: SearchQuery, removed: str | None = None, corrections: dict[str, str] | None = None
        ) -> None:
            sug = Suggestion(kind=kind, total=0, query=q, removed=removed, corrections=corrections or {})
            candidates.append((sug, self.parse(q.text)))

        words = {
            t.raw: fold_word(t.raw)
            for t in parsed.typed_terms
            if not t.han and len(t.raw) >= MIN_SPELLING_CHARS and t.raw.isalpha()
        }
        if words:
            close, spent = self._close_words(sorted(set(words.values())))
            took += spent
            corrections = {raw: close[w][0] for raw, w in words.items() if close.get(w)}
            if corrections:
                text = parsed.text_replacing(corrections)
                add("spelling", query.model_copy(update={"text": text, "page": 1}), corrections=corrections)
        units = [*parsed.units, *parsed.excluded]  # the order of ``ParsedQuery.text_without``
        if len(units) > 1:
            for i, unit in enumerate(units):
                text = parsed.text_without(i)
                add("remove_word", query.model_copy(update={"text": text, "page": 1}), unit.typed_source)
        for f in query.filters:
            rest = {k: v for k, v in query.filters.items() if k != f}
            add("remove_filter", query.model_copy(update={"filters": rest, "page": 1}), f)
        for r in query.ranges:
            rest_r = {k: v for k, v in query.ranges.items() if k != r}
            add("remove_range", query.model_copy(update={"ranges": rest_r, "page": 1}), r)
        if len(query.filters) + len(query.ranges) > 1:
            add("remove_all_filters", query.model_copy(update={"filters": {}, "ranges": {}, "page": 1}))
        if not candidates:
            return [], took
        plans = [Plan(p, _filters(s.query), _ranges(s.query), effective_sort(s.query.sort, p)) for s, p in candidates]
        raws = self._run(plans)
        took += sum(r.took_ms for r in raws)
        order = {"spelling": 0, "remove_word": 1, "remove_filter": 2, "remove_range": 2, "remove_all_filters": 3}
        found = [
            s.model_copy(update={"total": r.total}) for (s, _), r in zip(candidates, raws, strict=True) if r.total > 0
        ]
        found.sort(key=lambda s: (order[s.kind], -s.total))
        return found[:MAX_SUGGESTIONS], took
