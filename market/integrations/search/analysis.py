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
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import tantivy
from rapidfuzz.distance import OSA

from market.integrations.search.chinese import GAP, fold
from market.integrations.search.numbers import query_keys
from market.integrations.search.querylang import Clause, Operand, clauses, clean

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
LONG_INPUT_HAN = 32  # more Han characters than this (or more than MAX_QUERY_TERMS terms): a pasted paragraph

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


def latin_words(text: str) -> list[tuple[int, int, str]]:
    """The Latin-script words of ``text`` as (start, end, word lower-cased and folded but not stemmed): one pass of
    the vocabulary analyzer, the same word boundaries as the text analyzer's (Han is not a word character)."""
    if not text:
        return []
    return [(t.char_offset_from, t.char_offset_to, t.text) for t in _local.vocabulary.pre_tokenize(text).tokens]


def vocabulary_words(text: str) -> set[str]:
    """Alphabetic Latin-script words (3 to 40 letters) of ``text``, lower-cased and folded, for the vocabulary."""
    if not text:
        return set()
    return {w for w in _local.vocabulary.analyze(text) if 3 <= len(w) <= 40 and w.isalpha()}


def fold_word(word: str) -> str:
    """A typed word as the vocabulary stores it."""
    folded = _local.vocabulary.analyze(word)
    return folded[0] if len(folded) == 1 else word.lower()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stemmed form of a Latin-script word, as the text analyzer indexes it (memoised: highlighting asks for
    the same words of every hit)."""
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
    ``limit`` (rapidfuzz's OSA, in C++: highlighting compares many words of every hit)."""
    return int(OSA.distance(a, b, score_cutoff=limit))


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


class Lexicon(Protocol):
    """What an engine's index knows about words, asked while a query is parsed."""

    def known_words(self, folded: Sequence[str]) -> set[str]:
        """The words (lower-cased, folded, not stemmed) that occur in some document."""
        ...

    def document_frequencies(self, terms: Sequence[QueryTerm]) -> list[int] | None:
        """How many documents contain each term (Han terms: each character's count is an upper bound of a run's),
        or None when the engine cannot tell."""
        ...


@dataclass(frozen=True, slots=True)
class QueryTerm:
    raw: str  # as typed: a run of Han characters, or one Latin-script word
    han: bool
    tokens: tuple[str, ...]  # analysed: the Han characters, or the single stemmed word
    typos: int = 0  # edit distance allowed against indexed words as typed (lower-cased, folded, not stemmed)
    prefix: bool = False  # the last word typed, without a space after it: also matches as a prefix
    folded: str = ""  # Latin-script words: lower-cased and folded, not stemmed (``typos`` is counted on this form)
    stem_typos: int = 0  # edit distance allowed against stems (sized on the stem, which may be much shorter)


@dataclass(frozen=True, slots=True)
class Alternative:
    terms: tuple[QueryTerm, ...]
    phrase: bool  # True: the terms must follow each other exactly (a synonym, a quoted phrase); False: each somewhere
    synonym: bool = False  # from the synonym file, not typed
    numbers: tuple[str, ...] = ()  # a patent number: the key it must match, then forms ranking higher; else ()


@dataclass(frozen=True, slots=True)
class QueryUnit:
    text: str  # the words typed for this unit
    alternatives: tuple[Alternative, ...]  # any of them matches: what was typed (OR: several), then synonyms
    source: str = ""  # the unit as it can be typed again, operators included ('"a b"', 'x OR y', '-z')

    @property
    def typed(self) -> Alternative:
        return self.alternatives[0]

    @property
    def typed_alternatives(self) -> list[Alternative]:
        return [a for a in self.alternatives if not a.synonym]

    @property
    def typed_source(self) -> str:
        return self.source or self.text


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str
    units: tuple[QueryUnit, ...]  # every one must match (any of them when ``match_any``)
    excluded: tuple[QueryUnit, ...] = ()  # none may match (-word, NOT word)
    match_any: bool = False  # long input: the units are its most distinctive terms; more matched rank higher

    @property
    def is_empty(self) -> bool:
        return not self.units and not self.excluded

    @property
    def typed_terms(self) -> list[QueryTerm]:
        return [t for u in self.units for a in u.typed_alternatives for t in a.terms]

    @property
    def all_terms(self) -> list[QueryTerm]:
        """The terms a hit's text is highlighted with: typed and synonyms, never excluded ones nor numbers."""
        return [t for u in self.units for a in u.alternatives if not a.numbers for t in a.terms]

    def _units_in_order(self) -> list[QueryUnit]:
        return [*self.units, *self.excluded]

    def text_without(self, index: int) -> str:
        """The query typed again without one unit (index over ``units`` then ``excluded``), operators kept."""
        return " ".join(u.typed_source for i, u in enumerate(self._units_in_order()) if i != index)

    def text_replacing(self, corrections: dict[str, str]) -> str:
        out = []
        for unit in self._units_in_order():
            source = unit.typed_source
            for raw, better in corrections.items():
                source = re.sub(rf"(?<![\w]){re.escape(raw)}(?![\w])", better, source)
            out.append(source)
        return " ".join(out)


def is_acronym(raw: str) -> bool:
    """All capitals as typed (LED, QLED, OLED): an acronym is not a misspelt word of its neighbours."""
    return len(raw) >= 2 and raw.isupper()


def _typed_term(raw: str, analysed: str) -> QueryTerm:
    folded = fold_word(raw)
    if is_acronym(raw) or any(ch.isdigit() for ch in raw):
        return QueryTerm(raw, False, (analysed,), 0, folded=folded)
    return QueryTerm(raw, False, (analysed,), typo_budget(folded), folded=folded, stem_typos=typo_budget(analysed))


def _terms(text: str, *, typed: bool) -> list[QueryTerm]:
    """Han runs and Latin-script words of ``text`` in order; typed terms get typo budgets."""
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
            out.append(
                _typed_term(raw, tok.text) if typed else QueryTerm(raw, False, (tok.text,), folded=fold_word(raw))
            )
    if run_raw:
        out.append(QueryTerm("".join(run_raw), True, tuple(fold("".join(run_raw)))))
    return out


def _exact(term: QueryTerm) -> QueryTerm:
    return replace(term, typos=0, stem_typos=0, prefix=False)


def _synonym_alternatives(terms: Sequence[QueryTerm], syn: Synonyms) -> list[Alternative]:
    out = []
    for other in syn.of_terms(terms) if syn.groups else ():
        alt_terms = _terms(other, typed=False)
        if alt_terms:
            out.append(Alternative(tuple(alt_terms), phrase=True, synonym=True))
    return out


def _operand_alternatives(op: Operand, syn: Synonyms, *, exact: bool) -> list[Alternative]:
    """What one operand of a clause matches: its words (and their synonyms), its phrase, or its number."""
    terms = _terms(op.text, typed=not exact)
    if exact:
        terms = [_exact(t) for t in terms]
    if not terms and op.kind != "number":
        return []
    if op.kind == "number":
        return [Alternative(tuple(_exact(t) for t in terms), phrase=True, numbers=query_keys(op.text))]
    if op.kind == "phrase":
        return [Alternative(tuple(_exact(t) for t in terms), phrase=True)]
    return [Alternative(tuple(terms), phrase=False), *_synonym_alternatives(terms, syn)]


def _word_units(terms: list[QueryTerm], syn: Synonyms) -> list[QueryUnit]:
    """Consecutive typed words: one unit per term, or several terms forming one synonym ("unmanned aerial
    vehicle"), each with its synonym alternatives."""
    units: list[QueryUnit] = []
    i = 0
    while i < len(terms):
        matched = 0
        if syn.groups:
            for n in range(min(syn.max_terms, len(terms) - i), 0, -1):
                if syn.of_terms(terms[i : i + n]):
                    matched = n
                    break
        span = terms[i : i + max(matched, 1)]
        alternatives = [Alternative(tuple(span), phrase=False), *_synonym_alternatives(span, syn)]
        text = " ".join(t.raw for t in span)
        units.append(QueryUnit(text, tuple(alternatives), text))
        i += len(span)
    return units


def _clause_unit(clause: Clause, syn: Synonyms, *, exact: bool) -> QueryUnit | None:
    alternatives = [a for op in clause.options for a in _operand_alternatives(op, syn, exact=exact)]
    if not alternatives:
        return None
    text = " OR ".join(op.text for op in clause.options)
    return QueryUnit(text, tuple(alternatives), clause.source)


def _with_prefix(units: list[QueryUnit], typed: str) -> list[QueryUnit]:
    """The last word typed without a space after it also matches as a prefix (search as you type)."""
    if not units or len(units[-1].alternatives[0].terms) == 0:
        return units
    last_unit = units[-1]
    first = last_unit.alternatives[0]
    last = first.terms[-1]
    if first.phrase or last.han or len(last.raw) < PREFIX_MIN_CHARS or not typed.endswith(last.raw):
        return units
    alt = replace(first, terms=(*first.terms[:-1], replace(last, prefix=True)))
    return [*units[:-1], replace(last_unit, alternatives=(alt, *last_unit.alternatives[1:]))]


def _map_terms(units: Sequence[QueryUnit], fn: Callable[[QueryTerm], QueryTerm]) -> list[QueryUnit]:
    out = []
    for unit in units:
        alts = tuple(a if a.synonym else replace(a, terms=tuple(fn(t) for t in a.terms)) for a in unit.alternatives)
        out.append(replace(unit, alternatives=alts))
    return out


def _settle_known(units: list[QueryUnit], lexicon: Lexicon | None) -> list[QueryUnit]:
    """A typed word the index knows is matched exactly (and by its stem): typo tolerance and prefix are only for
    words the index does not know, so "compression" never matches "comprising"."""
    if lexicon is None:
        return units
    asked = sorted(
        {t.folded for u in units for a in u.typed_alternatives for t in a.terms if (t.typos or t.prefix) and t.folded}
    )
    if not asked:
        return units
    known = lexicon.known_words(asked)
    if not known:
        return units
    return _map_terms(units, lambda t: _exact(t) if t.folded in known else t)


def _pieces(term: QueryTerm) -> list[QueryTerm]:
    """A long input's candidate terms: a Latin-script word as it is, a Han run as its overlapping pairs."""
    if not term.han or len(term.raw) <= 2:
        return [_exact(term)]
    chars = term.raw
    return [QueryTerm(chars[i : i + 2], True, (chars[i], chars[i + 1])) for i in range(len(chars) - 1)]


def _heuristic_rank(term: QueryTerm) -> int:
    """Without counts from the index: long Latin-script words first, then the rest as typed."""
    return 0 if not term.han and len(term.raw) >= 6 else 1


def _distinctive(units: Sequence[QueryUnit], lexicon: Lexicon | None) -> list[QueryUnit]:
    """The ``MAX_QUERY_TERMS`` most distinctive terms of a long input (fewest documents first; numbers first)."""
    numbers = [u for u in units if any(a.numbers for a in u.alternatives)]
    seen: dict[tuple[bool, tuple[str, ...]], QueryTerm] = {}
    for unit in units:
        if unit in numbers:
            continue
        for alt in unit.typed_alternatives:
            for term in alt.terms:
                for piece in _pieces(term):
                    seen.setdefault((piece.han, piece.tokens), piece)
    candidates = list(seen.values())
    freqs = lexicon.document_frequencies(candidates) if lexicon is not None and candidates else None
    ranked = []
    if freqs is not None:  # terms no document has cannot help; when none has any, the result is rightly empty
        ranked = [(f, n, t) for n, (t, f) in enumerate(zip(candidates, freqs, strict=True)) if f > 0]
    if not ranked:
        ranked = [(_heuristic_rank(t), n, t) for n, t in enumerate(candidates)]
    ranked.sort(key=lambda r: (r[0], r[1]))
    kept = [t for _, _, t in ranked[: max(0, MAX_QUERY_TERMS - len(numbers))]]
    return numbers[:MAX_QUERY_TERMS] + [QueryUnit(t.raw, (Alternative((t,), phrase=False),), t.raw) for t in kept]


def parse_query(text: str, synonyms: Synonyms | None = None, lexicon: Lexicon | None = None) -> ParsedQuery:
    """Split a query into units: a Han run or a Latin-script word (or several typed words forming one synonym), a
    quoted phrase, a patent number, or options joined by OR; each with its synonym alternatives. ``-word`` and
    ``NOT word`` units are excluded. A query of more than ``MAX_QUERY_TERMS`` terms or ``LONG_INPUT_HAN`` Han
    characters (a pasted paragraph) is searched by its most distinctive terms, any of which may match.
    ``lexicon``: the engine's index, to keep typo tolerance off known words and to rank a long input's terms."""
    typed = clean(text)
    stripped = typed.strip()
    syn = synonyms or Synonyms()
    units: list[QueryUnit] = []
    excluded: list[QueryUnit] = []
    plain: list[QueryTerm] = []  # consecutive plain words, grouped into synonym units when the run ends
    for clause in clauses(stripped):
        single = clause.options[0]
        if not clause.negated and len(clause.options) == 1 and single.kind == "words":
            plain.extend(_terms(single.text, typed=True))
            continue
        units.extend(_word_units(plain, syn))
        plain = []
        unit = _clause_unit(clause, syn, exact=clause.negated)
        if unit is not None:
            (excluded if clause.negated else units).append(unit)
    units.extend(_word_units(plain, syn))
    typed_terms = [t for u in units for a in u.typed_alternatives for t in a.terms]
    if len(typed_terms) > MAX_QUERY_TERMS or sum(len(t.raw) for t in typed_terms if t.han) > LONG_INPUT_HAN:
        return ParsedQuery(stripped, tuple(_distinctive(units, lexicon)), tuple(excluded), match_any=True)
    units = _settle_known(_with_prefix(units, typed), lexicon)
    return ParsedQuery(stripped, tuple(units), tuple(excluded))
