"""What the imports repository returns: frozen records of its table, built from Piccolo's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ImportRunRecord:
    """A row of ``listings_import_run`` (the rejections, a JSON list of ``{row, field, reason}``, loaded)."""

    id: int
    organisation: int
    user_id: int | None
    filename: str
    stored_path: str
    layout: str
    status: str
    total_rows: int
    processed_rows: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    rejections: list[dict[str, Any]]
    warnings: list[dict[str, Any]]  # same shape: rows imported with something to look at
    error: str
    created_at: datetime
    finished_at: datetime | None
