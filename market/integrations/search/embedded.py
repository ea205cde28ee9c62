"""The embedded adapter: a tantivy index in a directory (``<data_dir>/search/<name>``), for one machine and tests.

Matching. Text fields use ``analysis.text_analyzer`` (one token per Han character, stemmed Latin-script words).
A Han run of the query is a phrase query of its characters (a single character is a term query), so a Chinese
substring is found exactly. A Latin-script word matches its stem exactly (scored by BM25) and, only when the index
does not know the word as typed (``_IndexLexicon``), within its typo budget (``fuzzy_term_query``, constant score)
and, for the last word typed, as a prefix; a unit matched exactly adds ``EXACT_TIER``, so exact and stemmed matches
always rank first. Every query unit must match (in any text field); synonyms from the data file, OR options and
quoted phrases are alternatives of a unit; excluded units are ``MustNot``; a patent number matches the ``number``
field (``numbers.number_forms``). See docs/search.md "Query language".

Chinese as typed (``chinese.py``). Text is indexed folded to simplified characters, with a hole in the positions
where punctuation touches a Han character (a phrase never spans "、"). The ``pinyin`` field holds the full pinyin and
the initials of every 2-4 character run of the Chinese title; a query of Latin-script words of which at least one
is not a word of the index is also looked up there, exactly, as one joined word ("dian chi" -> ``dianchi``), at a
constant score above typo-only matches and below exact matches of the typed words.

Facets and filters. Each term facet is two raw fields: ``f_<facet>`` (the values as given, a fast field counted by
a terms aggregation) and ``k_<facet>`` (trimmed, NFKD, lower-cased, matched by the filters), so filtering is
case-insensitive exactly as in Meilisearch. Numbers are fast fields (range filters, sorting, stats).

Writes and readers. tantivy allows one ``IndexWriter`` per directory (a lock file, across processes). Each write
call opens a writer, applies the batch, commits, waits for merges and releases the lock, so the web app and an
arq worker can both write: a second writer waits for the lock up to ``lock_timeout`` seconds, then raises
``SearchUnavailable`` (a job retries it). Within a process writes are serialised by a lock. The reader is reloaded
after our own commits, and before each search when ``meta.json`` changed (another process committed), so a search
sees every commit that finished before it started.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence, Sized
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import tantivy

from market.integrations.search.analysis import (
    MAX_QUERY_TERMS,
    Alternative,
    Lexicon,
    ParsedQuery,
    QueryTerm,
    QueryUnit,
    Synonyms,
    edit_distance,
    normalise_facet_value,
    text_analyzer,
    vocabulary_analyzer,
)
from market.integrations.search.chinese import index_text, pinyin_query, pinyin_text
from market.integrations.search.engine import Plan, RawHit, RawResult, SearchEngine
from market.integrations.search.numbers import number_forms
from market.integrations.search.port import (
    HIGHLIGHT_FIELDS,
    INTEGER_FIELDS,
    TERM_FACETS,
    IndexInfo,
    NumericRange,
    SearchDocument,
    SearchError,
    SearchUnavailable,
)

SCHEMA_VERSION = 2  # 2: the number field (numbers.number_forms); folded Han text, gaps at punctuation, the pinyin field
SMALL_BATCH = 500  # documents; a smaller batch is written by one thread with the minimum memory budget
SMALL_WRITER_HEAP = 15_000_000
VERSION_FILE = "market-search.json"
TEXT_TOKENIZER = "market_text"
VOCAB_TOKENIZER = "market_vocab"
PINYIN_TOKENIZER = "market_pinyin"
FIELD_BOOSTS = {
    "title_zh": 3.0,
    "title_en": 3.0,
    "abstract_zh": 1.0,
    "abstract_en": 1.0,
    "claims_excerpt": 0.6,
    "meta": 1.2,  # patentee, patent number, IPC codes, technology fields, industries
}
FUZZY_WEIGHT = 0.3
NUMBER_FIELD = "number"  # every form of the patent and application numbers (numbers.number_forms), raw
NUMBER_WEIGHT = 5.0
# Each unit matched without a typo or a prefix adds this constant, far above any BM25 sum, so a document matching
# every word exactly (or by stem, synonym, phrase, number) always ranks above one that needs a typo or a prefix.
EXACT_TIER = 10_000.0
PREFIX_WEIGHT = 0.4
SYNONYM_WEIGHT = 0.7
# Constant score of a pinyin match: above a document matched only within typos or as a prefix (a fuzzy or prefix
# match is a constant boost * 0.3 or 0.4 per field, about 1.7 at most over all fields) and below a document matching
# a typed word exactly in a title (3 * BM25). The clause is only added when a typed word is not a word of the index.
PINYIN_SCORE = 2.0
SORTS: dict[str, tuple[str, tantivy.Order]] = {
    "price_asc": ("price_minor", tantivy.Order.Asc),
    "price_desc": ("price_minor", tantivy.Order.Desc),
    "remaining_years_asc": ("remaining_years", tantivy.Order.Asc),
    "remaining_years_desc": ("remaining_years", tantivy.Order.Desc),
    "publication_date_asc": ("publication_day", tantivy.Order.Asc),
    "publication_date_desc": ("publication_day", tantivy.Order.Desc),
}
NUMERIC_TYPES = {
    "price_minor": tantivy.FieldType.Integer,
    "royalty_rate_bp": tantivy.FieldType.Integer,
    "remaining_years": tantivy.FieldType.Float,
}
EPOCH = date(1970, 1, 1)
TOTAL = "__total"  # the aggregation that counts a plan's matches
# The passes of a search's plans run side by side (``EmbeddedSearch._run``): one thread per core, shared by the
# process's searches (a search's own passes wait for each other, never for a lock).
_POOL = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="market-search")


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in FIELD_BOOSTS:
        sb.add_text_field(name, tokenizer_name=TEXT_TOKENIZER)
    sb.add_text_field("vocab", tokenizer_name=VOCAB_TOKENIZER, index_option="freq")
    sb.add_text_field(NUMBER_FIELD, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("pinyin", tokenizer_name=PINYIN_TOKENIZER, index_option="basic")
    for facet in TERM_FACETS:
        sb.add_text_field(f"f_{facet}", tokenizer_name="raw", fast=True, index_option="basic")
        sb.add_text_field(f"k_{facet}", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("price_minor", indexed=True, fast=True)
    sb.add_integer_field("royalty_rate_bp", indexed=True, fast=True)
    sb.add_float_field("remaining_years", indexed=True, fast=True)
    sb.add_integer_field("publication_day", indexed=True, fast=True)
    sb.add_bytes_field("source", stored=True)
    return sb.build()


def to_tantivy(doc: SearchDocument) -> tantivy.Document:
    out = tantivy.Document()
    out.add_text("id", doc.id)
    for name in ("title_zh", "title_en", "abstract_zh", "abstract_en", "claims_excerpt"):
        value = getattr(doc, name)
        if value:
            out.add_text(name, index_text(value))
    for value in [doc.patentee, doc.patent_number, *doc.ipc_codes, *doc.tech_fields, *doc.industries]:
        if value:
            out.add_text("meta", index_text(value))
    pinyin = pinyin_text([doc.title_zh])
    if pinyin:
        out.add_text("pinyin", pinyin)
    for value in [
        doc.title_en,
        doc.title_zh,
        doc.abstract_en,
        doc.abstract_zh,
        doc.claims_excerpt,
        doc.patentee,
        *doc.tech_fields,
        *doc.industries,
    ]:
        if value:
            out.add_text("vocab", value)
    for form in number_forms(doc.patent_number, doc.application_number):
        out.add_text(NUMBER_FIELD, form)
    for facet in TERM_FACETS:
        for value in doc.facet_values(facet):
            out.add_text(f"f_{facet}", value)
            out.add_text(f"k_{facet}", normalise_facet_value(value))
    out.add_integer("price_minor", doc.price_minor)
    if doc.royalty_rate_bp is not None:
        out.add_integer("royalty_rate_bp", doc.royalty_rate_bp)
    out.add_float("remaining_years", float(doc.remaining_years))
    out.add_integer("publication_day", (doc.publication_date - EPOCH).days)
    out.add_bytes("source", doc.model_dump_json().encode())
    return out


class EmbeddedSearch(SearchEngine):
    name = "embedded"

    def __init__(
        self,
        path: Path,
        *,
        synonyms: Synonyms | None = None,
        words_from: SearchEngine | None = None,
        lock_timeout: float = 10.0,
        writer_heap_bytes: int = 128_000_000,
    ) -> None:
        super().__init__(synonyms, words_from=words_from)
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.writer_heap_bytes = writer_heap_bytes
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._open_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._meta_seen: tuple[int, int] | None = None
        self._created = False

    # -- opening ----------------------------------------------------------------------------------------------

    def ensure(self) -> IndexInfo:
        self._idx()
        return IndexInfo(backend=self.name, location=str(self.path), created=self._created, documents=self.count())

    def _idx(self) -> tantivy.Index:
        if self._index is not None:
            return self._index
        with self._open_lock:
            if self._index is None:
                self._index = self._open()
        return self._index

    def _open(self) -> tantivy.Index:
        version_file = self.path / VERSION_FILE
        if (self.path / "meta.json").exists():
            try:
                version = json.loads(version_file.read_text())["schema_version"]
            except (OSError, ValueError, KeyError):
                version = None
            if version != SCHEMA_VERSION:
                shutil.rmtree(self.path)  # derived data of another schema: rebuilt by `market reindex`
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._created = not (self.path / "meta.json").exists()
            index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"cannot open the search index at {self.path}: {exc}") from exc
        index.register_tokenizer(TEXT_TOKENIZER, text_analyzer())
        index.register_tokenizer(VOCAB_TOKENIZER, vocabulary_analyzer())
        index.register_tokenizer(PINYIN_TOKENIZER, pinyin_analyzer())
        index.config_reader(reload_policy="manual")
        if self._created:
            version_file.write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
        self._meta_seen = self._meta_signature()
        return index

    def _meta_signature(self) -> tuple[int, int] | None:
        try:
            st = (self.path / "meta.json").stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _searcher(self) -> tantivy.Searcher:
        index = self._idx()
        seen = self._meta_signature()
        if seen != self._meta_seen:
            self._meta_seen = seen
            index.reload()
        return index.searcher()

    # -- writing ----------------------------------------------------------------------------------------------

    @contextmanager
    def _writer(self, *, small: bool = False) -> Iterator[tantivy.IndexWriter]:
        """A writer holding the index lock until the block ends (committed, or rolled back on error).
        ``small``: a batch of a few documents, written by one thread with the minimum memory budget."""
        index = self._idx()
        with self._write_lock:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    if small:
                        writer = index.writer(heap_size=SMALL_WRITER_HEAP, num_threads=1)
                    else:
                        writer = index.writer(heap_size=self.writer_heap_bytes)
                    break
                except ValueError as exc:
                    if "LockBusy" not in str(exc):
                        raise SearchError(f"cannot write the search index at {self.path}: {exc}") from exc
                    if time.monotonic() > deadline:
                        raise SearchUnavailable(f"the search index is locked by another writer: {exc}") from exc
                    time.sleep(0.05)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # lets merges finish and releases the lock
            index.reload()
            self._meta_seen = self._meta_signature()

    def upsert(self, documents: Iterable[SearchDocument]) -> int:
        small = isinstance(documents, Sized) and len(documents) <= SMALL_BATCH
        if small and not documents:
            return 0
        written = 0
        with self._writer(small=small) as writer:
            for doc in documents:
                writer.delete_documents_by_term("id", doc.id)
                writer.add_document(to_tantivy(doc))
                written += 1
        return written

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if not ids:
            return
        with self._writer(small=True) as writer:
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)

    def clear(self) -> None:
        with self._writer() as writer:
            writer.delete_all_documents()

    # -- reading ----------------------------------------------------------------------------------------------

    def count(self) -> int:
        return self._searcher().num_docs

    def fetch(self, ids: Sequence[str]) -> list[SearchDocument]:
        if not ids:
            return []
        searcher = self._searcher()
        query = tantivy.Query.term_set_query(self.schema, "id", list(ids))
        found: dict[str, SearchDocument] = {}
        for _, address in searcher.search(query, limit=len(ids)).hits:
            doc = SearchDocument.model_validate_json(_source(searcher.doc(address)))
            found[doc.id] = doc
        return [found[i] for i in ids if i in found]

    def all_ids(self) -> set[str]:
        searcher = self._searcher()
        n = searcher.num_docs
        if n == 0:
            return set()
        hits = searcher.search(tantivy.Query.all_query(), limit=n).hits
        return {str(searcher.doc(address).get_first("id")) for _, address in hits}

    def health(self) -> dict[str, Any]:
        try:
            documents = self.count()
        except Exception as exc:  # health reports, it does not raise
            return {"status": "down", "backend": self.name, "path": str(self.path), "error": str(exc)}
        return {"status": "ok", "backend": self.name, "path": str(self.path), "documents": documents}

    # -- queries ----------------------------------------------------------------------------------------------

    def _lexicon(self) -> Lexicon:
        return _IndexLexicon(self._searcher(), self.schema)

    def _term_query(self, term: QueryTerm, *, exact_only: bool) -> tantivy.Query:
        """A term in any text field: a Han run as a phrase of its characters; a Latin-script word by its stem
        (BM25), and unless ``exact_only`` within its typo budget (sized on the stem in the stemmed fields, on the
        folded word in ``vocab``) and, the last word typed, as a prefix: both constant scores below exact."""
        parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for field, boost in FIELD_BOOSTS.items():
            if term.han:
                q = (
                    tantivy.Query.term_query(self.schema, field, term.tokens[0])
                    if len(term.tokens) == 1
                    else tantivy.Query.phrase_query(self.schema, field, list(term.tokens))
                )
                parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, boost)))
                continue
            word = term.tokens[0]
            exact = tantivy.Query.term_query(self.schema, field, word)
            parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(exact, boost)))
            if exact_only:
                continue
            if term.stem_typos:
                fuzzy = tantivy.Query.fuzzy_term_query(self.schema, field, word, distance=term.stem_typos)
                parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(fuzzy, boost * FUZZY_WEIGHT)))
            if term.prefix:
                prefix = tantivy.Query.fuzzy_term_query(self.schema, field, word, distance=0, prefix=True)
                parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(prefix, boost * PREFIX_WEIGHT)))
        if not term.han and not exact_only and term.typos and term.folded:
            # typos counted on the word as typed, as Meilisearch does: a typo can change what the stemmer
            # leaves ("aresnic" -> "aresn", but "arsenic" -> "arsenic"), so the unstemmed words are searched too
            fuzzy = tantivy.Query.fuzzy_term_query(self.schema, "vocab", term.folded, distance=term.typos)
            parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(fuzzy, FUZZY_WEIGHT)))
        return tantivy.Query.boolean_query(parts)

    def _phrase_query(self, terms: Sequence[QueryTerm]) -> tantivy.Query:
        words: list[str | tuple[int, str]] = [tok for t in terms for tok in t.tokens]
        if len(words) == 1:
            return self._term_query(terms[0], exact_only=True)
        parts = [
            (tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.phrase_query(self.schema, f, words), b))
            for f, b in FIELD_BOOSTS.items()
        ]
        return tantivy.Query.boolean_query(parts)

    def _number_query(self, alt: Alternative) -> tantivy.Query:
        """A typed patent number: any stored form of a document's numbers, or the same words in its text."""
        key, *better = alt.numbers
        number = tantivy.Query.term_query(self.schema, NUMBER_FIELD, key)
        parts = [(tantivy.Occur.Should, tantivy.Query.boost_query(number, NUMBER_WEIGHT))]
        for form in better:  # the kind code typed: that publication first
            exact = tantivy.Query.term_query(self.schema, NUMBER_FIELD, form)
            parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(exact, NUMBER_WEIGHT)))
        if alt.terms:
            parts.append((tantivy.Occur.Should, self._phrase_query(alt.terms)))
        return tantivy.Query.boolean_query(parts)

    def _alternative_query(self, alt: Alternative, *, exact_only: bool) -> tantivy.Query:
        if alt.numbers:
            q = self._number_query(alt)
        elif alt.phrase:
            q = self._phrase_query(alt.terms)
        elif len(alt.terms) == 1:
            q = self._term_query(alt.terms[0], exact_only=exact_only)
        else:
            q = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, self._term_query(t, exact_only=exact_only)) for t in alt.terms]
            )
        return tantivy.Query.boost_query(q, SYNONYM_WEIGHT) if alt.synonym else q

    def _unit_query(self, unit: QueryUnit, *, exact_only: bool = False) -> tantivy.Query:
        alternatives = [
            (tantivy.Occur.Should, self._alternative_query(alt, exact_only=exact_only)) for alt in unit.alternatives
        ]
        return alternatives[0][1] if len(alternatives) == 1 else tantivy.Query.boolean_query(alternatives)

    def _tiered_unit_query(self, unit: QueryUnit) -> tantivy.Query:
        """The unit, plus ``EXACT_TIER`` for documents matching it without a typo or a prefix."""
        query = self._unit_query(unit)
        loose = any(t.typos or t.stem_typos or t.prefix for a in unit.alternatives for t in a.terms)
        if not loose:
            return query
        exact = tantivy.Query.const_score_query(self._unit_query(unit, exact_only=True), EXACT_TIER)
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, exact), (tantivy.Occur.Should, query)])

    def text_query(self, parsed: ParsedQuery) -> tantivy.Query:
        """Every unit must match (any when a long input is searched by its distinctive terms); no excluded unit
        may (excluded units match exactly: no typo, no prefix)."""
        if parsed.is_empty:
            return tantivy.Query.all_query()
        occur = tantivy.Occur.Should if parsed.match_any else tantivy.Occur.Must
        units = [(occur, self._tiered_unit_query(unit)) for unit in parsed.units]
        if not units:
            words = tantivy.Query.all_query()
        elif len(units) == 1:
            words = units[0][1]
        else:
            words = tantivy.Query.boolean_query(units)
        pinyin = self._pinyin_query(parsed)
        if pinyin is not None:
            words = tantivy.Query.boolean_query([(tantivy.Occur.Should, words), (tantivy.Occur.Should, pinyin)])
        if not parsed.excluded:
            return words
        excluded = [(tantivy.Occur.MustNot, self._unit_query(u, exact_only=True)) for u in parsed.excluded]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, words), *excluded])

    def _pinyin_query(self, parsed: ParsedQuery) -> tantivy.Query | None:
        """The typed Latin-script words joined, matched exactly in the ``pinyin`` field at a constant score;
        ``None`` when they cannot be pinyin or are all words of the index ("fan", "long", "DC" in English text)."""
        terms = parsed.typed_terms
        if not terms or any(t.han for t in terms):
            return None
        key = pinyin_query([t.raw for t in terms])
        if key is None:
            return None
        searcher = self._searcher()
        if all(any(searcher.doc_freq(f, t.tokens[0]) > 0 for f in FIELD_BOOSTS) for t in terms):
            return None
        return tantivy.Query.const_score_query(tantivy.Query.term_query(self.schema, "pinyin", key), PINYIN_SCORE)

    def _range_query(self, field: str, bounds: NumericRange) -> tantivy.Query:
        lo: float | int | None = bounds.gte
        hi: float | int | None = bounds.lte
        if field in INTEGER_FIELDS:
            # integer fields: an inclusive float bound becomes the nearest integer inside it
            lo = None if bounds.gte is None else -int(-bounds.gte // 1)
            hi = None if bounds.lte is None else int(bounds.lte // 1)
            if lo is not None and hi is not None and lo > hi:
                return tantivy.Query.empty_query()
        return tantivy.Query.range_query(self.schema, field, NUMERIC_TYPES[field], lo, hi)

    def plan_query(self, plan: Plan) -> tantivy.Query:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [(tantivy.Occur.Must, self.text_query(plan.query))]
        for facet, values in plan.filters.items():
            keys = sorted({normalise_facet_value(v) for v in values})
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, f"k_{facet}", keys)))
        for field, bounds in plan.ranges.items():
            clauses.append((tantivy.Occur.Must, self._range_query(field, bounds)))
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def _run(self, plans: Sequence[Plan]) -> list[RawResult]:
        """Each plan is up to two passes over its matches: the page of hits (top-k, no count: tantivy can skip
        what cannot reach the page) and the counts (total, facets, stats: one aggregation). The counts run on
        ``_POOL`` while this thread reads the pages (tantivy releases the GIL), so a search with facets answers in
        about its longest pass. ``took_ms`` is the wall time of the whole batch, given to the first result."""
        started = time.perf_counter()
        searcher = self._searcher()
        try:
            queries = [self.plan_query(plan) for plan in plans]
            # the counts on the pool, the page of hits here meanwhile (one hand-off per plan)
            counts = [_POOL.submit(self._counts, searcher, plan, q) for plan, q in zip(plans, queries, strict=True)]
            pages = [
                self._hits(searcher, plan, q) if plan.limit > 0 else [] for plan, q in zip(plans, queries, strict=True)
            ]
            results = [c.result() for c in counts]
            for result, page in zip(results, pages, strict=True):
                result.hits = page
        except ValueError as exc:
            raise SearchError(f"embedded search failed: {exc}") from exc
        results[0].took_ms = (time.perf_counter() - started) * 1000
        return results

    def _hits(self, searcher: tantivy.Searcher, plan: Plan, query: tantivy.Query) -> list[RawHit]:
        order_by, order = SORTS.get(plan.sort, (None, tantivy.Order.Desc))
        found = searcher.search(
            query, limit=plan.limit, offset=plan.offset, count=False, order_by_field=order_by, order=order
        )
        out = []
        for key, address in found.hits:
            source = json.loads(_source(searcher.doc(address)))
            score = float(key) if order_by is None else None
            texts = {f: source.get(f) or "" for f in HIGHLIGHT_FIELDS}
            out.append(RawHit(str(source["id"]), score, texts, str(source.get("payload") or "")))
        return out

    def _counts(self, searcher: tantivy.Searcher, plan: Plan, query: tantivy.Query) -> RawResult:
        """The total (``price_minor`` is on every document: its value count is the number of matches), the term
        facets and the numeric stats, in one aggregation pass."""
        aggs: dict[str, Any] = {TOTAL: {"value_count": {"field": "price_minor"}}}
        for facet in plan.facets:
            size = plan.facet_limit
            aggs[facet] = {"terms": {"field": f"f_{facet}", "size": size, "segment_size": max(size * 10, 1000)}}
        for field in plan.stats:
            aggs[field] = {"stats": {"field": field}}
        answer = searcher.aggregate(query, aggs)
        result = RawResult(total=int(answer.get(TOTAL, {}).get("value") or 0))
        for facet in plan.facets:
            buckets = answer.get(facet, {}).get("buckets", []) if result.total else []
            result.facets[facet] = [(str(b["key"]), int(b["doc_count"])) for b in buckets]
        for field in plan.stats:
            st = answer.get(field, {}) if result.total else {}
            result.stats[field] = (st.get("min"), st.get("max"))
        return result

    def _close_words(self, words: Sequence[str]) -> tuple[dict[str, list[str]], float]:
        started = time.perf_counter()
        searcher = self._searcher()
        out: dict[str, list[str]] = {}
        for word in words:
            if searcher.doc_freq("vocab", word) > 0:
                out[word] = []
                continue
            limit = 1 if len(word) < 5 else 2
            candidates: dict[str, int] = {}
            for prefix in {word[0], word[1]} if len(word) > 1 else {word[0]}:
                for term, freq in searcher.terms_with_prefix("vocab", prefix):
                    if abs(len(term) - len(word)) <= limit:
                        candidates[term] = max(candidates.get(term, 0), freq)
            scored = [(edit_distance(word, t, limit), -f, t) for t, f in candidates.items()]
            out[word] = [t for d, _, t in sorted(scored) if d <= limit]
        return out, (time.perf_counter() - started) * 1000


class _IndexLexicon:
    """What one searcher of the index knows about words (``analysis.Lexicon``)."""

    CHAR_FIELDS = ("title_zh", "abstract_zh", "claims_excerpt", "meta")
    EXACT_COUNTS = 3 * MAX_QUERY_TERMS  # Han pairs counted exactly after the estimate from their characters

    def __init__(self, searcher: tantivy.Searcher, schema: tantivy.Schema) -> None:
        self.searcher = searcher
        self.schema = schema

    def known_words(self, folded: Sequence[str]) -> set[str]:
        return {w for w in folded if self.searcher.doc_freq("vocab", w) > 0}

    def _char_freq(self, ch: str) -> int:
        return max(self.searcher.doc_freq(f, ch) for f in self.CHAR_FIELDS)

    def document_frequencies(self, terms: Sequence[QueryTerm]) -> list[int] | None:
        """Latin-script words: documents containing the word; Han runs: estimated by their rarest character, the
        rarest runs then counted exactly (a pair of common characters may never occur together)."""
        chars: dict[str, int] = {}
        out: list[int] = []
        for term in terms:
            if term.han:
                for ch in term.tokens:
                    if ch not in chars:
                        chars[ch] = self._char_freq(ch)
                out.append(min(chars[ch] for ch in term.tokens))
            else:
                out.append(self.searcher.doc_freq("vocab", term.folded or term.tokens[0]))
        runs = sorted((f, n) for n, (t, f) in enumerate(zip(terms, out, strict=True)) if t.han and len(t.tokens) > 1)
        for f, n in runs[: self.EXACT_COUNTS]:
            if f > 0:
                out[n] = self._run_count(terms[n])
        return out

    def _run_count(self, term: QueryTerm) -> int:
        words: list[str | tuple[int, str]] = list(term.tokens)
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.phrase_query(self.schema, f, words)) for f in FIELD_BOOSTS]
        )
        return _count(self.searcher.search(query, limit=1, count=True))


def pinyin_analyzer() -> tantivy.TextAnalyzer:
    """The pinyin field: the space-separated words of ``chinese.pinyin_text``, as they are."""
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def _count(result: Any) -> int:
    """The hit count of a tantivy ``SearchResult`` (``count=True``; not in the type stubs)."""
    return int(result.count or 0)


def _source(doc: tantivy.Document) -> bytes:
    value = doc.get_first("source")
    if not isinstance(value, bytes):
        raise SearchError("a search document has no stored source")
    return value
