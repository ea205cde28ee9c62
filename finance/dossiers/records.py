"""The dossiers module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One stored version of a requirement's document (without its bytes: ``service.content`` reads them)."""

    id: int
    case: int
    requirement: str
    version: int
    filename: str
    content_type: str
    size: int
    sha256: str
    issued_on: date | None
    uploaded_by: int | None
    uploaded_by_org: int | None
    uploaded_at: datetime
    status: str  # uploaded | verified | rejected
    reviewed_by: int | None
    reviewed_at: datetime | None
    reason_code: str
    note: str


@dataclass(frozen=True, slots=True)
class DocumentContentRecord:
    """A document's bytes with what a download needs."""

    id: int
    case: int
    filename: str
    content_type: str
    sha256: str
    content: bytes
