"""The query language: what a typed query says before any word is analysed.

- words are ANDed (``AND`` is accepted and changes nothing);
- ``"a quoted phrase"`` matches those words in that order, exactly (no typo, no prefix, no synonym);
  full-width and Chinese quotes (“…”, 「…」, 『…』, ＂…＂) count too; an unbalanced quote is ignored;
- ``a OR b``, ``a | b`` (also ｜ and a standalone 或 / 或者) match either; OR binds tighter than the implicit AND
  ("电池 正极 OR 负极" is 电池 AND (正极 OR 负极));
- ``-word``, ``-"a phrase"``, ``NOT word`` exclude documents that match them;
- a patent number (``US 6,332,189 B1``, ``ZL201510123456.7``) is one operand however it is punctuated.

Operator words are upper-case as typed (``or`` is a word) and need operands: a lone ``OR`` or a trailing ``NOT``
is searched as a word, a lone ``-`` or ``|`` is dropped. Control characters are spaces. Nothing here refuses input:
whatever is typed parses to something (maybe nothing, which lists everything).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from market.integrations.search.numbers import number_spans

QUOTES = frozenset('"“”„‟「」『』')
OR_WORDS = frozenset({"OR", "|", "或", "或者"})  # words: data
AND_WORDS = frozenset({"AND", "&", "&&", "和", "且", "并且"})  # words: data
NOT_WORDS = frozenset({"NOT"})
OperandKind = Literal["words", "phrase", "number"]


@dataclass(frozen=True, slots=True)
class Operand:
    text: str  # the words, the phrase without its quotes, or the number as typed
    kind: OperandKind
    negated: bool = False

    @property
    def source(self) -> str:
        """The operand as it can be typed again."""
        body = f'"{self.text}"' if self.kind == "phrase" else self.text
        return ("-" + body) if self.negated else body


@dataclass(slots=True)
class Clause:
    """Operands joined by OR (one when there is no OR); a negated clause has a single operand."""

    options: list[Operand] = field(default_factory=list)

    @property
    def negated(self) -> bool:
        return self.options[0].negated

    @property
    def source(self) -> str:
        return " OR ".join(o.source for o in self.options)


@dataclass(frozen=True, slots=True)
class _Op:
    word: str  # OR, AND, NOT as typed


_Lexeme = Operand | _Op


def clean(text: str) -> str:
    """NFKC (full-width letters, digits, ｜ and － become ASCII), control and format characters as spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)


def _balanced(text: str) -> str:
    """``text`` with its last quote removed when the quotes do not pair up."""
    positions = [i for i, ch in enumerate(text) if ch in QUOTES]
    if len(positions) % 2:
        last = positions[-1]
        text = text[:last] + " " + text[last + 1 :]
    return text


def _lex(text: str) -> list[_Lexeme]:
    text = _balanced(text)
    numbers = dict(number_spans(text))
    out: list[_Lexeme] = []
    chunk: list[str] = []
    negate = False

    def flush() -> None:
        nonlocal negate
        word = "".join(chunk).strip()
        chunk.clear()
        if not word:
            return
        if not negate and (word in OR_WORDS or word in AND_WORDS or word in NOT_WORDS):
            out.append(_Op(word))
        else:
            out.append(Operand(word, "words", negate))
        negate = False

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            flush()
            negate = False
        elif ch in QUOTES:
            flush()
            end = next((j for j in range(i + 1, n) if text[j] in QUOTES), n)
            phrase = " ".join(text[i + 1 : end].split())
            if phrase:
                out.append(Operand(phrase, "phrase", negate))
            negate = False
            i = end
        elif ch == "|":
            flush()
            out.append(_Op("|"))
        elif ch == "-" and not chunk:
            nxt = text[i + 1] if i + 1 < n else " "
            negate = not nxt.isspace() and nxt != "-"
        elif not chunk and i in numbers:
            end = numbers[i]
            out.append(Operand(" ".join(text[i:end].split()), "number", negate))
            negate = False
            i = end
            continue
        else:
            chunk.append(ch)
        i += 1
    flush()
    return out


def _is_operand(lexeme: _Lexeme | None) -> bool:
    return isinstance(lexeme, Operand)


def clauses(text: str) -> list[Clause]:
    """The clauses of a query, in the order typed."""
    lexemes = _lex(clean(text))
    out: list[Clause] = []
    join_next = False  # the previous lexeme was OR between two operands
    negate_next = False  # the previous lexeme was NOT before an operand
    for k, lex in enumerate(lexemes):
        before = lexemes[k - 1] if k > 0 else None
        after = lexemes[k + 1] if k + 1 < len(lexemes) else None
        if isinstance(lex, _Op):
            word = lex.word
            if word in NOT_WORDS and _is_operand(after):
                negate_next = True
                continue
            if word in OR_WORDS and _is_operand(before) and _is_operand(after):
                join_next = True
                continue
            if word in AND_WORDS and _is_operand(before) and _is_operand(after):
                continue
            if not any(ch.isalnum() for ch in word):
                continue  # a stray | or &
            lex = Operand(word, "words")
        operand = lex
        if negate_next:
            operand = Operand(operand.text, operand.kind, True)
        if join_next and out and not out[-1].negated and not operand.negated:
            out[-1].options.append(operand)
        else:
            out.append(Clause([operand]))
        join_next = negate_next = False
    return out
