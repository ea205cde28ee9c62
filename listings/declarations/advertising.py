"""Commercial advertising language in a declaration (Implementing Regulations Art 85(3)).

The terms are data (``listings/data/advertising_terms.csv``): Chinese terms match as substrings (Chinese is not
spaced), English terms on word boundaries, case-insensitively.
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
    pattern: re.Pattern[str]
    note: str


@lru_cache(maxsize=1)
def lexicon() -> tuple[AdTerm, ...]:
    text = resources.files("listings").joinpath("data/advertising_terms.csv").read_text(encoding="utf-8")
    terms = []
    for row in csv.DictReader(text.splitlines()):
        term = row["term"].strip()
        if row["match"] == "substring":
            pattern = re.compile(re.escape(term), re.IGNORECASE)
        else:
            # word boundaries that also work for terms starting or ending in punctuation ("#1", "no. 1")
            pattern = re.compile(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", re.IGNORECASE)
        terms.append(AdTerm(term=term, language=row["language"], pattern=pattern, note=row["note"]))
    return tuple(terms)


def find_advertising(text: str) -> list[str]:
    """The advertising terms found in ``text``, in the order of the lexicon, each once."""
    return [t.term for t in lexicon() if t.pattern.search(text)]
