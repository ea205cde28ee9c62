"""What the imports repository returns: frozen records of its table, built from Piccolo's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ImportRunRecord:
    """A row of ``listings_import_run`` (a report stored before listings_0008, a JSON list of ``{row, field, reason}``,
    loaded)."""

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
    error_code: str
    error_params: dict[str, Any]
    created_at: datetime
    heartbeat_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class RejectionRecord:
    """A row of ``listings_import_rejection``."""

    line: int
    field_name: str
    code: str
    params: dict[str, Any]
