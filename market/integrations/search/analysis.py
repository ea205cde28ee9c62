"""Text analysis shared by both adapters: tokens, Han runs, query parsing, synonyms, edit distance.

One analyzer decides what a word is everywhere (the embedded index, query parsing, highlighting, the Meilisearch
document transformation), so the engines cannot disagree about tokens:

- every Han character is a token of its own, and a run of Han characters in a query is matched as a phrase of
  those characters, so any Chinese substring is found exactly ("处理" finds "待处理");
- any other run of letters and digits (``[\\p{L}\\p{N}--\\p{Han}]+``: the Han class is subtracted, otherwise a
  whole Chinese sentence would be one "word") is a Latin-script word, lower-cased, folded to ASCII and stemmed
  (English Snowball) for matching, and matched with a typo budget that grows with its length.

The analyzers are tantivy's (Rust ``regex`` crate classes), built once per thread because a tantivy
``TextAnalyzer`` is not meant to be shared between threads.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import tantivy

from market.integrations.search.chinese import GAP, fold

HAN = r"\p{Han}"
LATIN_WORD = r"[\p{L}\p{N}--\p{Han}]+"
GAP_PATTERN = r"\x{E000}"  # chinese.GAP: tokenized, then dropped, leaving a hole in the positions
TOKEN = HAN + "|" + LATIN_WORD + "|" + GAP_PATTERN
MAX_TOKEN_CHARS = 64

# The same limits as the Meilisearch settings (minWordSizeForTypos and its 10-term query limit).
ONE_TYPO_MIN_CHARS = 4
TWO_TYPOS_MIN_CHARS = 9
PREFIX_MIN_CHARS = 3
MAX_QUERY_TERMS = 10

SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.json"


def text_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer of every searchable text field: one token per Han character, stemmed Latin-script words. The
    gap markers ``chinese.index_text`` puts where punctuation touches Han are dropped after the positions are
    counted, so a phrase of Han characters never matches across punctuation."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(TOKEN))
        .filter(tantivy.Filter.custom_stopword([GAP]))
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def vocabulary_analyzer() -> tantivy.TextAnalyzer:
    """Latin-script words as typed (lower-cased, folded, not stemmed): the vocabulary for spelling suggestions."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(LATIN_WORD))
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


class _Analyzers(threading.local):
    def __init__(self) -> None:
        self.text = text_analyzer()
        self.vocabulary = vocabulary_analyzer()
        self.han = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(HAN)).build()


_local = _Analyzers()


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # normalised: the Han character folded to simplified, or the lower-cased, folded, stemmed word
    start: int  # character offsets in the analysed string
    end: int
    han: bool


def tokens(text: str) -> list[Token]:
    """The tokens of ``text`` with their character offsets, each marked Han or not (Han folded to simplified:
    ``chinese.fold`` keeps offsets)."""
    if not text:
        return []
    text = fold(text)
    han_starts = {t.char_offset_from for t in _local.han.pre_tokenize(text).tokens}
    return [
        Token(t.text, t.char_offset_from, t.char_offset_to, t.char_offset_from in han_starts)
        for t in _local.text.pre_tokenize(text).tokens
    ]


def han_runs(text: str) -> list[str]:
    """The maximal runs of consecutive Han characters in ``text``, folded to simplified ("LED顯示屏和触摸屏" ->
    ["显示屏和触摸屏"])."""
    text = fold(text)
    runs: list[str] = []
    current: list[str] = []
    last_end = -1
    for t in _local.han.pre_tokenize(text).tokens if text else []:
        if current and t.char_offset_from != last_end:
            runs.append("".join(current))
            current = []
        current.append(text[t.char_offset_from : t.char_offset_to])
        last_end = t.char_offset_to
    if current:
        runs.append("".join(current))
    return runs


def folded_words(text: str) -> dict[int, str]:
    """Start offset -> the Latin-script word there, lower-cased and folded but not stemmed."""
    if not text:
        return {}
    return {t.char_offset_from: t.text for t in _local.vocabulary.pre_tokenize(text).tokens}


def vocabulary_words(text: str) -> set[str]:
    """Alphabetic Latin-script words (3 to 40 letters) of ``text``, lower-cased and folded, for the vocabulary."""
    if not text:
        return set()
    return {w for w in _local.vocabulary.analyze(text) if 3 <= len(w) <= 40 and w.isalpha()}


def fold_word(word: str) -> str:
    """A typed word as the vocabulary stores it."""
    folded = _local.vocabulary.analyze(word)
    return folded[0] if len(folded) == 1 else word.lower()


def stem(word: str) -> str:
    analysed = _local.text.analyze(word)
    return analysed[0] if analysed else word.lower()


def normalise_facet_value(value: str) -> str:
    """How filters compare facet values in both engines (Meilisearch: trimmed, NFKD, lower-cased)."""
    return unicodedata.normalize("NFKD", value.strip()).lower()


def typo_budget(word: str) -> int:
    """Edit distance allowed for a typed Latin-script word: 0 under 4 characters, 1 under 9, else 2; none for
    words containing a digit (patent numbers, IPC codes, model numbers are not misspelt words)."""
    if any(ch.isdigit() for ch in word):
        return 0
    n = len(word)
    if n < ONE_TYPO_MIN_CHARS:
        return 0
    return 1 if n < TWO_TYPOS_MIN_CHARS else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a transposition counts as one edit); ``limit + 1`` once it exceeds
    ``limit``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit or len(set(a) ^ set(b)) > 2 * limit:  # each edit changes <= 2 letters
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[len(b)], limit + 1)


# --------------------------------------------------------------------------------------------------- synonyms


def _term_key(term: QueryTerm) -> str:
    """A query term as synonym keys spell it: a Han run folded to simplified, a Latin-script word case-folded."""
    return "".join(term.tokens) if term.han else term.raw.casefold()


def _synonym_key(term: str) -> str:
    """A term as its sequence of query terms: "COVID-19" -> "covid 19", "3D打印" -> "3d 打印", "鋰電" -> "锂电"."""
    return " ".join(_term_key(t) for t in _terms(unicodedata.normalize("NFKC", term), typed=False))


def read_synonym_groups(path: Path) -> list[list[str]]:
    """The groups of a synonym file: JSON ``{"groups": [["锂电", "锂离子电池"], ...]}`` (as ``data/synonyms.json``),
    or text with one group a line, its members separated by commas (``锂电, 锂离子电池, lithium battery``; full-width
    commas too; ``#`` starts a comment). A file that cannot be read raises ``ValueError`` naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the synonym file {path}: {exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            groups = json.loads(text)["groups"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f'{path}: expected {{"groups": [[term, ...], ...]}}: {exc}') from exc
        if not isinstance(groups, list) or not all(
            isinstance(g, list) and all(isinstance(t, str) for t in g) for g in groups
        ):
            raise ValueError(f"{path}: every group must be a list of strings")
        return groups
    out: list[list[str]] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].replace("，", ",").strip()
        if line:
            out.append([t.strip() for t in line.split(",") if t.strip()])
    return out


@dataclass(frozen=True)
class Synonyms:
    """Groups of equivalent terms (Chinese or English, one or more words), from ``data/synonyms.json``."""

    groups: tuple[tuple[str, ...], ...] = ()
    _index: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_groups(cls, groups: Iterable[Sequence[str]]) -> Synonyms:
        clean = tuple(tuple(dict.fromkeys(_synonym_key(t) for t in g if t.strip())) for g in groups)
        clean = tuple(g for g in clean if len(g) > 1)
        index: dict[str, tuple[str, ...]] = {}
        for group in clean:
            for term in group:
                others = tuple(t for t in group if t != term)
                index[term] = tuple(dict.fromkeys(index.get(term, ()) + others))
        return cls(clean, index)

    @classmethod
    def load(cls, path: Path = SYNONYMS_FILE, *extra: Path) -> Synonyms:
        """The groups of ``path`` and of each ``extra`` file (an operator's, ``MARKET_SEARCH_SYNONYMS_FILE``): groups
        sharing a term are merged for that term, so a file can add members to a curated group."""
        groups: list[list[str]] = []
        for p in (path, *extra):
            groups.extend(read_synonym_groups(p))
        return cls.from_groups(groups)

    def of(self, term: str) -> tuple[str, ...]:
        """The other members of every group ``term`` belongs to (empty when it is in none)."""
        return self._index.get(_synonym_key(term), ())

    def of_terms(self, terms: Sequence[QueryTerm]) -> tuple[str, ...]:
        return self._index.get(" ".join(_term_key(t) for t in terms), ())

    @property
    def max_terms(self) -> int:
        """The most query terms a member has ("unmanned aerial vehicle": 3)."""
        return max((len(t.split()) for t in self._index), default=1)


@lru_cache(maxsize=1)
def default_synonyms() -> Synonyms:
    return Synonyms.load()


@lru_cache(maxsize=4)
def synonyms_with(extra: Path | None) -> Synonyms:
    """The curated groups, merged with an operator's file when one is set (``Settings.search_synonyms_file``)."""
    return default_synonyms() if extra is None else Synonyms.load(SYNONYMS_FILE, extra)


# ------------------------------------------------------------------------------------------------ query parsing


@dataclass(frozen=True, slots=True)
class QueryTerm:
    raw: str  # as typed: a run of Han characters, or one Latin-script word
    han: bool
    tokens: tuple[str, ...]  # analysed: the Han characters, or the single stemmed word
    typos: int = 0  # edit distance allowed (Latin-script words only)
    prefix: bool = False  # the last word typed, without a space after it: also matches as a prefix
    folded: str = ""  # Latin-script words: lower-cased and folded, not stemmed (typos are counted on this form)


@dataclass(frozen=True, slots=True)
class Alternative:
    terms: tuple[QueryTerm, ...]
    phrase: bool  # True: the terms must follow each other exactly (a synonym); False: each must match somewhere


@dataclass(frozen=True, slots=True)
class QueryUnit:
    text: str  # the words typed for this unit
    alternatives: tuple[Alternative, ...]  # [0] is what was typed; the rest come from the synonym file

    @property
    def typed(self) -> Alternative:
        return self.alternatives[0]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str
    units: tuple[QueryUnit, ...]

    @property
    def is_empty(self) -> bool:
        return not self.units

    @property
    def typed_terms(self) -> list[QueryTerm]:
        return [t for u in self.units for t in u.typed.terms]

    @property
    def all_terms(self) -> list[QueryTerm]:
        return [t for u in self.units for a in u.alternatives for t in a.terms]

    def text_without(self, index: int) -> str:
        return " ".join(u.text for i, u in enumerate(self.units) if i != index)

    def text_replacing(self, corrections: dict[str, str]) -> str:
        return " ".join(" ".join(corrections.get(t.raw, t.raw) for t in u.typed.terms) for u in self.units)


def _terms(text: str, *, typed: bool) -> list[QueryTerm]:
    """Han runs and Latin-script words of ``text`` in order; typed terms get typo budgets and a last prefix."""
    out: list[QueryTerm] = []
    run_raw: list[str] = []
    run_end = -1
    for tok in tokens(text):
        if tok.han and run_raw and tok.start == run_end:
            run_raw.append(text[tok.start : tok.end])
            run_end = tok.end
            continue
        if run_raw:
            out.append(QueryTerm("".join(run_raw), True, tuple(fold("".join(run_raw)))))
            run_raw = []
        if tok.han:
            run_raw = [text[tok.start : tok.end]]
            run_end = tok.end
        else:
            raw = text[tok.start : tok.end]
            out.append(QueryTerm(raw, False, (tok.text,), typo_budget(raw) if typed else 0, folded=fold_word(raw)))
    if run_raw:
        out.append(QueryTerm("".join(run_raw), True, tuple(fold("".join(run_raw)))))
    return out


def parse_query(text: str, synonyms: Synonyms | None = None) -> ParsedQuery:
    """Split a query into units (a Han run or a Latin-script word, or several typed words forming one synonym),
    each with its synonym alternatives. At most ``MAX_QUERY_TERMS`` typed terms are kept, as Meilisearch does."""
    typed = unicodedata.normalize("NFKC", text or "")
    text = typed.strip()
    terms = _terms(text, typed=True)[:MAX_QUERY_TERMS]
    if terms and not terms[-1].han and len(terms[-1].raw) >= PREFIX_MIN_CHARS and typed.endswith(terms[-1].raw):
        last = terms[-1]
        terms[-1] = QueryTerm(last.raw, False, last.tokens, last.typos, prefix=True, folded=last.folded)
    syn = synonyms or Synonyms()
    units: list[QueryUnit] = []
    i = 0
    while i < len(terms):
        matched = 0
        others: tuple[str, ...] = ()
        if syn.groups:
            for n in range(min(syn.max_terms, len(terms) - i), 0, -1):
                found = syn.of_terms(terms[i : i + n])
                if found:
                    others, matched = found, n
                    break
        span = terms[i : i + max(matched, 1)]
        alternatives = [Alternative(tuple(span), phrase=False)]
        for other in others:
            alt_terms = _terms(other, typed=False)
            if alt_terms:
                alternatives.append(Alternative(tuple(alt_terms), phrase=True))
        units.append(QueryUnit(" ".join(t.raw for t in span), tuple(alternatives)))
        i += len(span)
    return ParsedQuery(text, tuple(units))
