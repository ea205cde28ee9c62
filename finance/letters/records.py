"""The letters module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LetterRecord:
    """A decision's letter: the sealed PDF is dossier document ``document`` (SHA-256 ``sha256``)."""

    id: int
    decision: int
    case: int
    document: int
    sha256: str
    template: str
    template_version: str
    text_zh: str
    text_en: str
    created_at: datetime

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_zh
