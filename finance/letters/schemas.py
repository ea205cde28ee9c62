from __future__ import annotations

from datetime import datetime

from pydantic import Field

from market.kit.schema import Out


class LetterOut(Out):
    id: int
    decision: int
    case_id: int
    sha256: str = Field(description="SHA-256 of the sealed PDF (also in the audit trail)")
    template: str
    template_version: str
    created_at: datetime
    text: str = Field(description="The letter's text in the reader's language (the notification's body)")
    url: str = Field(description="The sealed PDF (the case's two organisations only)")
