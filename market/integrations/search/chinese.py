"""Chinese as people type it: traditional characters folded to simplified, run boundaries at punctuation, pinyin.

Folding. Documents and queries are folded to simplified characters with OpenCC's traditional-to-simplified
character table (``t2s``), one character at a time. Why per character and not OpenCC's phrase conversion: a phrase
conversion depends on the neighbours of a character, so a query substring could fold differently from the same
characters inside a document; a per-character table folds a substring exactly as it folds inside any text. It also
keeps the length, so a character offset in the folded text is the offset in the original, and highlights mark the
characters of the original text. The table is built once (from OpenCC, about 15 ms) on first use.

Run boundaries. The embedded index has one token per Han character and matches a Han run of the query as a phrase
of its characters. Punctuation is not a token, so without care "方法、存储" would be indexed as the four adjacent
characters that "方法存储" asks for. ``index_text`` puts a gap marker (a private-use character the analyzer
tokenizes and then drops, leaving a hole in the positions) where punctuation touches a Han character, so a phrase
never spans it. Punctuation between Latin-script words ("lithium-ion", "COVID-19", "6,332,189") gets no gap:
English phrases and numbers still match as before.

Pinyin. The titles' Han runs are spelt in pinyin with ``pypinyin``: its phrase dictionary (the words whose reading
differs from their characters' usual one: 银行 yinhang, 重庆 chongqing) matched longest first, as pypinyin's own
segmenter does, and each character's usual reading otherwise. Both are memoised per phrase and per character, so a
title costs about 20 µs instead of pypinyin's 110 µs (its per-call style conversion), with the same readings on
every title of the real records. Every run of 2 to 4 characters becomes two words: its full pinyin ("电池" ->
``dianchi``) and its initials (``dc``). Word units are these character n-grams rather than segmented words: no segmenter
dictionary has to be loaded, and a title is found by the pinyin of any 2-4 characters of it, whatever a segmenter
would have cut. The engines match these words only in their own field, exactly, below real word matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

import opencc
from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT

GAP = "\ue000"  # private use: never typed; the analyzer drops it and leaves a hole in the token positions
HAN_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # escapes, read by re
# Code point blocks folded by the table: the unified ideographs, extension A, the compatibility ideographs and the
# supplementary planes' extensions (t2s maps a few of them).
_FOLD_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))
# Punctuation and symbols (anything neither a word character nor a space) touching a Han character, spaces between.
_HAN_BOUNDARY = re.compile(rf"(?<=[{HAN_CLASS}])\s*[^\w\s]+\s*|\s*[^\w\s]+\s*(?=[{HAN_CLASS}])")
_HAN_RUN = re.compile(rf"[{HAN_CLASS}]+")
PINYIN_MIN_CHARS = 2
PINYIN_MAX_CHARS = 4
PINYIN_MAX_TYPED = 40  # longer Latin input is not looked up as pinyin


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Code point -> simplified character, for every Han character OpenCC's t2s changes into ONE character."""
    converter = opencc.OpenCC("t2s")
    chars = [chr(c) for lo, hi in _FOLD_BLOCKS for c in range(lo, hi + 1)]
    # one character a line: a phrase of the dictionary cannot span a line break, so each is converted alone
    folded = converter.convert("\n".join(chars)).split("\n")
    if len(folded) != len(chars):  # defensive: OpenCC changed how it treats line breaks
        raise RuntimeError("OpenCC t2s did not keep one character per line")
    table = {ord(c): f for c, f in zip(chars, folded, strict=True) if f != c and len(f) == 1}
    for code, target in table.items():  # folding twice must give what folding once gives (薴 -> 苧 -> 苎)
        seen = {code}
        while ord(target) in table and ord(target) not in seen:
            seen.add(ord(target))
            target = table[ord(target)]
        table[code] = target
    return table


def fold(text: str) -> str:
    """``text`` with traditional Han characters replaced by simplified ones; same length, same offsets."""
    if not text or text.isascii():
        return text
    return text.translate(_fold_table())


def index_text(text: str) -> str:
    """A text as the embedded index analyses it: folded, with a gap marker where punctuation touches Han."""
    if not text or text.isascii():
        return text
    return _HAN_BOUNDARY.sub(GAP, fold(text))


def han_runs(text: str) -> list[str]:
    """The maximal runs of Han characters of ``text``, folded."""
    return _HAN_RUN.findall(fold(text)) if text and not text.isascii() else []


@cache  # bounded by the Han characters there are
def _char_syllable(ch: str) -> str:
    return lazy_pinyin(ch)[0]


@cache  # bounded by pypinyin's phrase dictionary (about 47,000 phrases)
def _phrase_syllables(phrase: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(phrase))


@lru_cache(maxsize=1)
def _longest_phrase() -> int:
    return max((len(p) for p in PHRASES_DICT), default=1)


def syllables(run: str) -> list[str]:
    """One toneless syllable per character of a Han run ("v" for ü, as typed), read in context: the longest
    phrase of pypinyin's dictionary starting at each position, else the character's usual reading."""
    out: list[str] = []
    i, end, longest = 0, len(run), _longest_phrase()
    while i < end:
        for n in range(min(longest, end - i), 1, -1):
            phrase = run[i : i + n]
            if phrase in PHRASES_DICT:
                out.extend(_phrase_syllables(phrase))
                i += n
                break
        else:
            out.append(_char_syllable(run[i]))
            i += 1
    return out


def pinyin_words(texts: Iterable[str]) -> list[str]:
    """Full pinyin and initials of every run of 2-4 consecutive Han characters of ``texts`` (deduplicated)."""
    out: dict[str, None] = {}
    for text in texts:
        for run in han_runs(text):
            if len(run) < PINYIN_MIN_CHARS:
                continue
            spelt = syllables(run)
            readable = [s.isascii() and s.isalpha() for s in spelt]  # False: a character without a reading
            initials = [s[0] for s in spelt]
            for n in range(PINYIN_MIN_CHARS, PINYIN_MAX_CHARS + 1):
                for i in range(len(spelt) - n + 1):
                    if all(readable[i : i + n]):
                        out["".join(spelt[i : i + n])] = None
                        out["".join(initials[i : i + n])] = None
    return list(out)


def pinyin_text(texts: Iterable[str]) -> str:
    """The pinyin words of ``texts`` as one space-separated string (the embedded field and Meilisearch's)."""
    return " ".join(pinyin_words(texts))


def pinyin_query(words: Sequence[str]) -> str | None:
    """What typed Latin-script words may be as pinyin: the words joined, lower-cased ("dian chi" -> ``dianchi``,
    "DC" -> ``dc``); ``None`` when they cannot be pinyin (digits, non-ASCII letters, a single letter, too long)."""
    joined = "".join(words).lower()
    if not (PINYIN_MIN_CHARS <= len(joined) <= PINYIN_MAX_TYPED) or not (joined.isascii() and joined.isalpha()):
        return None
    return joined
