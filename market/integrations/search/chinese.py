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

Pinyin. The titles' Han runs are spelt in pinyin with ``pypinyin`` (its phrase dictionary picks the reading of a
character in context); every run of 2 to 4 characters becomes two words: its full pinyin ("电池" -> ``dianchi``)
and its initials (``dc``). Word units are these character n-grams rather than segmented words: no segmenter
dictionary has to be loaded, and a title is found by the pinyin of any 2-4 characters of it, whatever a segmenter
would have cut. The engines match these words only in their own field, exactly, below real word matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import opencc
from pypinyin import lazy_pinyin

GAP = "\ue000"  # private use: never typed; the analyzer drops it and leaves a hole in the token positions
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
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
    return {ord(c): f for c, f in zip(chars, folded, strict=True) if f != c and len(f) == 1}


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


def pinyin_words(texts: Iterable[str]) -> list[str]:
    """Full pinyin and initials of every run of 2-4 consecutive Han characters of ``texts`` (deduplicated)."""
    out: dict[str, None] = {}
    for text in texts:
        for run in han_runs(text):
            if len(run) < PINYIN_MIN_CHARS:
                continue
            syllables = lazy_pinyin(run)  # one syllable per character, read in context; "v" for ü as typed
            if len(syllables) != len(run):
                continue
            for n in range(PINYIN_MIN_CHARS, PINYIN_MAX_CHARS + 1):
                for i in range(len(syllables) - n + 1):
                    gram = syllables[i : i + n]
                    if not all(s.isascii() and s.isalpha() for s in gram):
                        continue  # a character without a reading
                    out["".join(gram)] = None
                    out["".join(s[0] for s in gram)] = None
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
