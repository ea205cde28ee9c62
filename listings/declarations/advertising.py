"""Commercial advertising language in a declaration: Implementing Regulations Art 85(3) (no commercial advertising
language) read with the Advertising Law Art 9(3) (no 国家级, 最高级, 最佳 "and similar" absolute terms).

The terms are reviewable data (``listings/data/advertising_terms.csv``), each with its reason code and its source
(a ``law.*`` catalogue code). A term matches as a whole term: Chinese terms (not spaced) where they occur unless
that occurrence lies inside one of the term's listed ordinary compounds (最佳化, 最优化, 唯一标识 ...); English
terms on word boundaries, case-insensitively, unless inside an ordinary compound (best mode). Ranking words that
are ordinary on their own (第一 in 第一季度, 最高 in 最高不超过) are listed only as the phrases that claim a rank.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class AdTerm:
    term: str
    language: str
    reason: str  # absolute, superlative, ranking, exclusivity, priority, promotional, sales_pressure, ...
    source: str  # the article it comes from: law.ads.art9.3, law.regs.art85.3
    pattern: re.Pattern[str]
    ordinary: tuple[re.Pattern[str], ...]  # compounds containing the term that are not advertising
    note: str


@dataclass(frozen=True)
class Finding:
    term: str
    reason: str
    source: str


def _pattern(text: str, language: str) -> re.Pattern[str]:
    if language == "zh":
        return re.compile(re.escape(text), re.IGNORECASE)
    # word boundaries that also work for terms starting or ending in punctuation ("#1", "no. 1")
    return re.compile(r"(?<![\w-])" + re.escape(text) + r"(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=1)
def lexicon() -> tuple[AdTerm, ...]:
    text = resources.files("listings").joinpath("data/advertising_terms.csv").read_text(encoding="utf-8")
    terms = []
    for row in csv.DictReader(text.splitlines()):
        term, language = row["term"].strip(), row["language"].strip()
        ordinary = tuple(_pattern(o.strip(), language) for o in row["ordinary"].split("|") if o.strip())
        terms.append(
            AdTerm(
                term=term,
                language=language,
                reason=row["reason"].strip(),
                source=row["source"].strip(),
                pattern=_pattern(term, language),
                ordinary=ordinary,
                note=row["note"],
            )
        )
    return tuple(terms)


def _advertising_at(term: AdTerm, text: str) -> bool:
    """Does ``term`` occur in ``text`` other than inside one of its ordinary compounds?"""
    excused = [m.span() for o in term.ordinary for m in o.finditer(text)]
    return any(
        not any(start <= m.start() and m.end() <= end for start, end in excused) for m in term.pattern.finditer(text)
    )


def findings(text: str) -> list[Finding]:
    """The advertising terms found in ``text``, in the order of the lexicon, each once, with reason and source."""
    return [Finding(t.term, t.reason, t.source) for t in lexicon() if _advertising_at(t, text)]


def find_advertising(text: str) -> list[str]:
    """The advertising terms found in ``text``, in the order of the lexicon, each once."""
    return [f.term for f in findings(text)]
