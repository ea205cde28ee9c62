"""The Meilisearch adapter (official ``meilisearch`` client, Meilisearch >= 1.11).

Chinese substrings. Meilisearch segments Chinese into words and matches a query word only as a word or a word
prefix, so "处理" misses "待处理" (meilisearch#2499, #4874; charabia#338). The adapter therefore indexes, beside
the readable fields (``*_zh`` localized as ``cmn``), ``zh_*_grams`` fields spelling every Han run as its single
characters and its overlapping character bigrams, each encoded as a Latin-letter word (``qx`` + 4 letters per
character: "处理" -> ``qxafkmakgx``). A Han run of the query is sent as a quoted phrase of its bigram words (a
single character as its unigram word): a phrase is matched exactly (no typo, no prefix, adjacent words), so any
Chinese substring is found as the embedded engine finds it. Typos are also disabled on the gram fields.

Synonyms. ``data/synonyms.json`` becomes the ``synonyms`` setting for Latin-script terms (their Chinese members
as gram phrases, so "ai" also finds "人工智能"). Quoted phrases bypass synonyms, so the Chinese direction is done
when indexing: a document containing any member of a group gets the grams of the group's Chinese members in
``zh_syn_grams`` ("人工智能" also finds a document that says "AI"). Editing the file needs ``market reindex``.

Chinese as typed. Han runs are folded to simplified (``chinese.fold``) before they become gram words, in documents
and queries, so traditional and simplified find each other; runs end at any non-Han character, so a gram phrase
never spans punctuation. ``zh_pinyin`` holds the full pinyin and initials of the title's 2-4 character runs (last
searchable attribute, no typos); Meilisearch's own concatenation of consecutive query words makes "dian chi" look
for ``dianchi``. Unlike the embedded engine it is searched even when the typed words are words of the index.

Spelling suggestions come from a second index, ``<uid>__words``, of the Latin-script words of every document
upserted (never pruned on delete; each suggestion is verified by a count before it is offered).

Ranking rules put ``sort`` first, so a requested sort is strict (as in the embedded engine); without a sort the
order is Meilisearch's relevance. Totals are exhaustive up to ``pagination.maxTotalHits`` (100,000).
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import meilisearch
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

from market.integrations.search.analysis import (
    MAX_TOKEN_CHARS,
    ONE_TYPO_MIN_CHARS,
    TWO_TYPOS_MIN_CHARS,
    Alternative,
    Lexicon,
    ParsedQuery,
    QueryTerm,
    Synonyms,
    edit_distance,
    han_runs,
    parse_query,
    tokens,
    vocabulary_words,
)
from market.integrations.search.chinese import fold, pinyin_text
from market.integrations.search.engine import Plan, RawHit, RawResult, SearchEngine
from market.integrations.search.numbers import number_forms
from market.integrations.search.port import (
    HIGHLIGHT_FIELDS,
    RANGE_FIELDS,
    TERM_FACETS,
    IndexInfo,
    NumericRange,
    SearchDocument,
    SearchError,
    SearchUnavailable,
)

GRAM_PREFIX = "qx"
NUMBER_PREFIX = "qn"
NUMBER_FORMS = "number_forms"  # number_word of every numbers.number_forms form
GRAM_FIELDS = ("zh_title_grams", "zh_text_grams", "zh_meta_grams", "zh_syn_grams", "zh_pinyin")
SEARCHABLE_ATTRIBUTES = [
    "title_zh",
    "title_en",
    "zh_title_grams",
    NUMBER_FORMS,
    "patent_number",
    "abstract_zh",
    "abstract_en",
    "zh_text_grams",
    "zh_syn_grams",
    "claims_excerpt",
    "patentee",
    "ipc_codes",
    "tech_fields",
    "industries",
    "zh_meta_grams",
    "zh_pinyin",
]
NUMERIC_FACETS = frozenset({"university_org_id"})
SORTABLE_ATTRIBUTES = ["price_minor", "remaining_years", "publication_day"]
SORTS: dict[str, str] = {
    "price_asc": "price_minor:asc",
    "price_desc": "price_minor:desc",
    "remaining_years_asc": "remaining_years:asc",
    "remaining_years_desc": "remaining_years:desc",
    "publication_date_asc": "publication_day:asc",
    "publication_date_desc": "publication_day:desc",
}
MAX_TOTAL_HITS = 100_000
MAX_VALUES_PER_FACET = 500
BATCH = 1000
DELETE_BATCH = 500
WORDS_SUFFIX = "__words"
KNOWN_WORDS_REMEMBERED = 100_000
EPOCH = date(1970, 1, 1)
T = TypeVar("T")

# ----------------------------------------------------------------------------------------------- pure functions


def encode_han(ch: str) -> str:
    """Four lowercase letters for a Han character's code point (26**4 covers every plane up to U+6FFFF)."""
    n = ord(ch)
    letters = []
    for _ in range(4):
        n, r = divmod(n, 26)
        letters.append(chr(ord("a") + r))
    return "".join(reversed(letters))


def unigram(ch: str) -> str:
    return GRAM_PREFIX + encode_han(ch)


def bigram(a: str, b: str) -> str:
    return GRAM_PREFIX + encode_han(a) + encode_han(b)


def run_grams(run: str) -> tuple[list[str], list[str]]:
    """Unigram and bigram words of a Han run, folded to simplified (documents and queries alike)."""
    chars = list(fold(run))
    return [unigram(c) for c in chars], [bigram(a, b) for a, b in itertools.pairwise(chars)]


def grams_text(texts: Iterable[str]) -> str:
    """The gram field for some texts: per Han run, its unigram words, a hard separator, its bigram words; runs are
    separated by hard separators (".") so a phrase never spans two runs."""
    parts: list[str] = []
    for text in texts:
        for run in han_runs(text or ""):
            uni, bi = run_grams(run)
            parts.append(" ".join(uni))
            if bi:
                parts.append(" ".join(bi))
    return ". ".join(parts)


def han_phrase(run: str) -> str:
    """The quoted phrase a query sends for a Han run."""
    uni, bi = run_grams(run)
    return '"' + " ".join(bi or uni) + '"'


def number_word(key: str) -> str:
    """A number form as one Latin-letter word (Meilisearch would split letters from digits): ``qn`` + two letters
    per byte."""
    return NUMBER_PREFIX + "".join(chr(ord("a") + (b >> 4)) + chr(ord("a") + (b & 15)) for b in key.encode())


def _latin_word(term: QueryTerm, *, may_quote: bool) -> str:
    """A Latin-script word as sent: quoted (no typo, no prefix) when the embedded rules allow it no typo although
    Meilisearch would (a word the index knows, an acronym, a word with digits)."""
    exact = not term.prefix and term.typos == 0 and len(term.raw) >= ONE_TYPO_MIN_CHARS
    return f'"{term.raw}"' if exact and may_quote else term.raw


def _alternative_text(alt: Alternative, *, may_quote: bool) -> str:
    if alt.numbers:
        return f'"{number_word(alt.numbers[0])}"'  # the key; the kind code cannot rank (no OR in Meilisearch)
    if alt.phrase:
        # Latin words as one quoted phrase; Han runs as their gram phrases (a phrase cannot mix the two fields)
        latin = [t.raw for t in alt.terms if not t.han]
        parts = [han_phrase(t.raw) for t in alt.terms if t.han]
        if latin:
            parts.insert(0, '"' + " ".join(latin) + '"')
        return " ".join(parts)
    return " ".join(han_phrase(t.raw) if t.han else _latin_word(t, may_quote=may_quote) for t in alt.terms)


def meili_query_text(parsed: ParsedQuery) -> str:
    """The ``q`` sent for a parsed query: Latin-script words as typed (quoted where no typo is allowed and no
    synonym would be lost: quoted words bypass synonyms), Han runs as gram phrases, quoted phrases, numbers as
    their number word, ``-`` before excluded units. Meilisearch has no OR: a unit of several options sends its
    first. A trailing space turns off Meilisearch's prefix matching of the last word when the embedded rule would
    not use it."""
    parts: list[str] = []
    for unit in parsed.units:
        may_quote = len(unit.alternatives) == 1
        parts.append(_alternative_text(unit.typed, may_quote=may_quote))
    for unit in parsed.excluded:
        alt = unit.typed
        if alt.numbers or alt.phrase or any(t.han for t in alt.terms) or len(alt.terms) > 1:
            text = _alternative_text(alt, may_quote=True)
            parts.extend("-" + p for p in _quoted_parts(text))
        else:
            parts.append("-" + alt.terms[0].raw)
    q = " ".join(p for p in parts if p)
    terms = parsed.typed_terms
    if terms and not terms[-1].han and not terms[-1].prefix:
        q += " "
    return q


def _quoted_parts(text: str) -> list[str]:
    """Split sent text into its quoted phrases and bare words, each negatable on its own."""
    return re.findall(r'"[^"]*"|\S+', text)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def facet_clause(facet: str, values: Sequence[str]) -> str:
    rendered = []
    for v in values:
        if facet in NUMERIC_FACETS and v.strip().lstrip("-").isdigit():
            rendered.append(str(int(v)))
        else:
            rendered.append(_quote(v))
    return f"{facet} IN [{', '.join(rendered)}]"


def range_clause(field: str, bounds: NumericRange) -> str:
    parts = []
    if bounds.gte is not None:
        parts.append(f"{field} >= {_number(bounds.gte)}")
    if bounds.lte is not None:
        parts.append(f"{field} <= {_number(bounds.lte)}")
    return " AND ".join(parts)


def meili_filter(filters: Mapping[str, Sequence[str]], ranges: Mapping[str, NumericRange]) -> list[str]:
    """Filter clauses (ANDed by Meilisearch): ``facet IN [..]`` (OR within a facet) and numeric bounds."""
    clauses = [facet_clause(f, vs) for f, vs in filters.items() if vs]
    clauses += [range_clause(f, r) for f, r in ranges.items() if r.gte is not None or r.lte is not None]
    return clauses


def meili_settings(synonyms: Synonyms) -> dict[str, Any]:
    return {
        "searchableAttributes": SEARCHABLE_ATTRIBUTES,
        "filterableAttributes": ["id", *TERM_FACETS, *RANGE_FIELDS, "publication_day"],
        "sortableAttributes": SORTABLE_ATTRIBUTES,
        "rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"],
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": ONE_TYPO_MIN_CHARS, "twoTypos": TWO_TYPOS_MIN_CHARS},
            "disableOnAttributes": [*GRAM_FIELDS, NUMBER_FORMS, "patent_number", "ipc_codes"],
        },
        "localizedAttributes": [
            {"attributePatterns": ["*_zh", "claims_excerpt", "patentee"], "locales": ["cmn"]},
            {"attributePatterns": ["*_en"], "locales": ["eng"]},
        ],
        "synonyms": meili_synonyms(synonyms),
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "faceting": {"maxValuesPerFacet": MAX_VALUES_PER_FACET, "sortFacetValuesBy": {"*": "count"}},
        "proximityPrecision": "byWord",
        "displayedAttributes": ["id", *SearchDocument.model_fields],  # not the gram fields
    }


def words_settings() -> dict[str, Any]:
    return {
        "searchableAttributes": ["word"],
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 3, "twoTypos": 5}},
    }


def meili_terms(text: str) -> str:
    """A synonym member as Meilisearch should match it: Latin-script words as they are, Han runs as gram words."""
    parts = []
    for term in parse_query(text).typed_terms:
        if term.han:
            uni, bi = run_grams(term.raw)
            parts.append(" ".join(bi or uni))
        else:
            parts.append(term.raw)
    return " ".join(parts)


def meili_synonyms(synonyms: Synonyms) -> dict[str, list[str]]:
    """Each member without Han characters -> the other members (Han runs as gram words: a multi-word synonym is
    matched as a phrase). Members with Han characters need no key: Han runs are sent as quoted phrases, which
    bypass synonyms, and are served by ``zh_syn_grams`` instead."""
    out: dict[str, list[str]] = {}
    for group in synonyms.groups:
        for term in group:
            if han_runs(term):
                continue
            others = [meili_terms(other) for other in group if other != term]
            out[term] = list(dict.fromkeys(out.get(term, []) + [o for o in others if o]))
    return out


def _contains(member: str, have: Sequence[str], words: set[str]) -> bool:
    wanted = [t.text for t in tokens(member)]
    if len(wanted) == 1:
        return wanted[0] in words
    n = len(wanted)
    return any(list(have[i : i + n]) == wanted for i in range(len(have) - n + 1))


def synonym_grams(doc: SearchDocument, synonyms: Synonyms) -> str:
    """Grams of the Chinese members of every synonym group one of whose members the document contains."""
    text = " \n ".join([doc.title_zh, doc.title_en, doc.abstract_zh, doc.abstract_en, doc.claims_excerpt])
    have = [t.text for t in tokens(text)]
    words = set(have)
    found: list[str] = []
    for group in synonyms.groups:
        han_members = [m for m in group if han_runs(m)]
        if han_members and any(_contains(m, have, words) for m in group):
            found.extend(han_members)
    return grams_text(dict.fromkeys(found))


def to_meili_document(doc: SearchDocument, synonyms: Synonyms) -> dict[str, Any]:
    out = doc.model_dump(mode="json")
    if out.get("royalty_rate_bp") is None:
        out.pop("royalty_rate_bp", None)
    if out.get("published_at") is None:
        out.pop("published_at", None)
    out["publication_day"] = (doc.publication_date - EPOCH).days
    out["zh_title_grams"] = grams_text([doc.title_zh, doc.title_en])
    out["zh_text_grams"] = grams_text([doc.abstract_zh, doc.abstract_en, doc.claims_excerpt])
    out["zh_meta_grams"] = grams_text([doc.patentee, *doc.tech_fields, *doc.industries])
    out["zh_syn_grams"] = synonym_grams(doc, synonyms)
    out[NUMBER_FORMS] = [number_word(f) for f in number_forms(doc.patent_number, doc.application_number)]
    out["zh_pinyin"] = pinyin_text([doc.title_zh])
    return out


def from_meili_document(data: Mapping[str, Any]) -> SearchDocument:
    fields = SearchDocument.model_fields
    return SearchDocument.model_validate({k: v for k, v in data.items() if k in fields})


def word_documents(docs: Iterable[SearchDocument]) -> list[dict[str, str]]:
    words: set[str] = set()
    for doc in docs:
        for text in (
            doc.title_en,
            doc.title_zh,
            doc.abstract_en,
            doc.abstract_zh,
            doc.claims_excerpt,
            doc.patentee,
            *doc.tech_fields,
            *doc.industries,
        ):
            words |= vocabulary_words(text)
    return [{"id": w.encode().hex(), "word": w} for w in sorted(words) if len(w) <= MAX_TOKEN_CHARS]


def search_request(uid: str, plan: Plan) -> dict[str, Any]:
    """One query of a multi-search for a plan."""
    request: dict[str, Any] = {
        "indexUid": uid,
        "q": meili_query_text(plan.query),
        # a long input is searched by its most distinctive terms: documents with more of them first
        "matchingStrategy": "frequency" if plan.query.match_any else "all",
        "attributesToRetrieve": ["id", *HIGHLIGHT_FIELDS, "payload"],
        "showRankingScore": True,
    }
    clauses = meili_filter(plan.filters, plan.ranges)
    if clauses:
        request["filter"] = clauses
    if plan.limit > 0:
        if plan.offset % plan.limit:
            raise SearchError("offset must be a multiple of limit (pages)")
        request["page"] = plan.offset // plan.limit + 1
        request["hitsPerPage"] = plan.limit
    else:
        request["page"] = 0  # page 0: no hits, but the exhaustive totalHits and facet counts
        request["hitsPerPage"] = 1
    sort = SORTS.get(plan.sort)
    if sort:
        request["sort"] = [sort]
    facets = [*plan.facets, *plan.stats]
    if facets:
        request["facets"] = facets
    return request


def parse_response(plan: Plan, response: Mapping[str, Any]) -> RawResult:
    total = int(response.get("totalHits", response.get("estimatedTotalHits", 0)) or 0)
    hits = [
        RawHit(
            id=str(h["id"]),
            score=float(h["_rankingScore"]) if h.get("_rankingScore") is not None else None,
            texts={f: str(h.get(f) or "") for f in HIGHLIGHT_FIELDS},
            payload=str(h.get("payload") or ""),
        )
        for h in response.get("hits", [])
    ]
    distribution = response.get("facetDistribution") or {}
    facet_stats = response.get("facetStats") or {}
    facets = {f: [(str(v), int(c)) for v, c in (distribution.get(f) or {}).items()] for f in plan.facets}
    stats: dict[str, tuple[float | None, float | None]] = {}
    for f in plan.stats:
        st = facet_stats.get(f)
        stats[f] = (st.get("min"), st.get("max")) if st else (None, None)
    return RawResult(total, hits, facets, stats, float(response.get("processingTimeMs", 0) or 0))


# ------------------------------------------------------------------------------------------------------ adapter


class MeiliSearch(SearchEngine):
    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str = "",
        *,
        index_uid: str = "listings",
        synonyms: Synonyms | None = None,
        timeout: int = 10,
        task_timeout_ms: int = 120_000,
        client: Any = None,
    ) -> None:
        super().__init__(synonyms)
        self.url = url
        self.uid = index_uid
        self.words_uid = index_uid + WORDS_SUFFIX
        self.task_timeout_ms = task_timeout_ms
        self.client: Any = client or meilisearch.Client(url, api_key or None, timeout=timeout)
        self._known: set[str] = set()  # words the words index was found to hold (``known_words``)

    # -- plumbing ---------------------------------------------------------------------------------------------

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
            raise SearchUnavailable(f"meilisearch {action}: {exc}") from exc
        except MeilisearchApiError as exc:
            if exc.status_code >= 500 or exc.status_code == 429:
                raise SearchUnavailable(f"meilisearch {action}: {exc}") from exc
            raise SearchError(f"meilisearch {action}: {exc}") from exc
        except MeilisearchError as exc:
            raise SearchUnavailable(f"meilisearch {action}: {exc}") from exc

    def _call(self, action: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._errors(action):
            return fn(*args, **kwargs)

    def _wait(self, task_info: Any, action: str, *, tolerate: tuple[str, ...] = ()) -> None:
        task = self._call(
            action,
            self.client.wait_for_task,
            task_info.task_uid,
            timeout_in_ms=self.task_timeout_ms,
            interval_in_ms=50,
        )
        if task.status != "succeeded":
            error = task.error or {}
            if error.get("code") in tolerate:
                return
            raise SearchError(f"meilisearch {action} failed: {error.get('code')}: {error.get('message')}")

    # -- maintenance ------------------------------------------------------------------------------------------

    def ensure(self) -> IndexInfo:
        created = False
        for uid, settings in ((self.uid, meili_settings(self.synonyms)), (self.words_uid, words_settings())):
            try:
                self.client.get_index(uid)
            except MeilisearchApiError as exc:
                if exc.code != "index_not_found":
                    raise SearchError(f"meilisearch get index {uid}: {exc}") from exc
                info = self._call("create index", self.client.create_index, uid, {"primaryKey": "id"})
                self._wait(info, f"create index {uid}", tolerate=("index_already_exists",))
                created = created or uid == self.uid
            except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
                raise SearchUnavailable(f"meilisearch unreachable at {self.url}: {exc}") from exc
            info = self._call("update settings", self.client.index(uid).update_settings, settings)
            self._wait(info, f"settings of {uid}")
        return IndexInfo(
            backend=self.name, location=f"{self.url} index {self.uid}", created=created, documents=self.count()
        )

    def upsert(self, documents: Iterable[SearchDocument]) -> int:
        written = 0
        batch: list[SearchDocument] = []
        for doc in documents:
            batch.append(doc)
            if len(batch) >= BATCH:
                written += self._upsert_batch(batch)
                batch = []
        if batch:
            written += self._upsert_batch(batch)
        return written

    def _upsert_batch(self, docs: list[SearchDocument]) -> int:
        unique = list({d.id: d for d in docs}.values())  # last one wins, as in the embedded engine
        payload = [to_meili_document(d, self.synonyms) for d in unique]
        words = word_documents(unique)
        main = self._call("add documents", self.client.index(self.uid).add_documents, payload, "id")
        vocab = self._call("add words", self.client.index(self.words_uid).add_documents, words, "id") if words else None
        self._wait(main, "add documents")
        if vocab is not None:
            self._wait(vocab, "add words")
        return len(docs)

    def delete(self, ids: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(ids))
        for i in range(0, len(wanted), DELETE_BATCH):
            chunk = wanted[i : i + DELETE_BATCH]
            expr = facet_clause("id", chunk)
            info = self._call("delete documents", self.client.index(self.uid).delete_documents, filter=expr)
            self._wait(info, "delete documents")

    def clear(self) -> None:
        self._known.clear()
        for uid in (self.uid, self.words_uid):
            info = self._call("clear", self.client.index(uid).delete_all_documents)
            self._wait(info, f"clear {uid}")

    def count(self) -> int:
        stats = self._call("stats", self.client.index(self.uid).get_stats)
        return int(stats.number_of_documents)

    def fetch(self, ids: Sequence[str]) -> list[SearchDocument]:
        found: dict[str, SearchDocument] = {}
        wanted = list(dict.fromkeys(ids))
        for i in range(0, len(wanted), DELETE_BATCH):
            chunk = wanted[i : i + DELETE_BATCH]
            params = {"filter": facet_clause("id", chunk), "limit": len(chunk)}
            page = self._call("get documents", self.client.index(self.uid).get_documents, params)
            for d in page.results:
                doc = from_meili_document(dict(d))
                found[doc.id] = doc
        return [found[i] for i in ids if i in found]

    def all_ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            params = {"fields": ["id"], "limit": BATCH, "offset": offset}
            page = self._call("get documents", self.client.index(self.uid).get_documents, params)
            out.update(str(dict(d)["id"]) for d in page.results)
            offset += BATCH
            if offset >= int(page.total):
                return out

    def health(self) -> dict[str, Any]:
        try:
            status = self.client.health().get("status")
            documents = self.count()
        except Exception as exc:  # health reports, it does not raise
            return {"status": "down", "backend": self.name, "url": self.url, "error": type(exc).__name__}
        ok = status == "available"
        return {"status": "ok" if ok else "down", "backend": self.name, "url": self.url, "documents": documents}

    # -- queries ----------------------------------------------------------------------------------------------

    def _run(self, plans: Sequence[Plan]) -> list[RawResult]:
        if not plans:
            return []
        requests = [search_request(self.uid, p) for p in plans]
        answer = self._call("multi-search", self.client.multi_search, requests)
        results = answer.get("results", [])
        if len(results) != len(plans):
            raise SearchError("meilisearch multi-search: a different number of results than queries")
        return [parse_response(p, r) for p, r in zip(plans, results, strict=True)]

    def _lexicon(self) -> Lexicon:
        return _WordsLexicon(self)

    def known_words(self, folded: Sequence[str]) -> set[str]:
        """The words of the words index among ``folded``: one multi-search of quoted (exact) words. The words index
        is never pruned, so a word found once stays known (remembered); an unknown word is asked again."""
        found = {w for w in folded if w in self._known}
        ask = [w for w in folded if w not in found]
        if not ask:
            return found
        requests = [
            {"indexUid": self.words_uid, "q": f'"{w}"', "limit": 3, "attributesToRetrieve": ["word"]} for w in ask
        ]
        answer = self._call("words", self.client.multi_search, requests)
        for word, result in zip(ask, answer.get("results", []), strict=False):
            if any(h.get("word") == word for h in result.get("hits", [])):
                found.add(word)
                if len(self._known) < KNOWN_WORDS_REMEMBERED:
                    self._known.add(word)
        return found

    def _close_words(self, words: Sequence[str]) -> tuple[dict[str, list[str]], float]:
        if not words:
            return {}, 0.0
        requests = [{"indexUid": self.words_uid, "q": w, "limit": 20, "attributesToRetrieve": ["word"]} for w in words]
        started = time.perf_counter()
        answer = self._call("words", self.client.multi_search, requests)
        took = sum(float(r.get("processingTimeMs", 0) or 0) for r in answer.get("results", []))
        out: dict[str, list[str]] = {}
        for word, result in zip(words, answer.get("results", []), strict=False):
            found = [str(h["word"]) for h in result.get("hits", []) if h.get("word")]
            if word in found:
                out[word] = []
                continue
            limit = 1 if len(word) < 5 else 2
            scored = sorted((edit_distance(word, w, limit), n, w) for n, w in enumerate(found))
            out[word] = [w for d, _, w in scored if d <= limit]
        return out, took or (time.perf_counter() - started) * 1000


class _WordsLexicon:
    """``analysis.Lexicon`` over the words index: which words are known; no document frequencies (Meilisearch
    does not give them), so a long input's terms are chosen by ``analysis._heuristic_rank``."""

    def __init__(self, engine: MeiliSearch) -> None:
        self.engine = engine

    def known_words(self, folded: Sequence[str]) -> set[str]:
        return self.engine.known_words(folded)

    def document_frequencies(self, terms: Sequence[QueryTerm]) -> list[int] | None:
        return None
