from __future__ import annotations

from datetime import datetime

from pydantic import computed_field

from market.kit.schema import Out


class Rejection(Out):
    row: int  # the line in the file
    field: str
    reason: str


class ImportRunOut(Out):
    id: int
    filename: str
    layout: str
    status: str  # queued, running, done, failed
    total_rows: int
    processed_rows: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    rejections: list[Rejection]
    error: str
    created_at: datetime
    finished_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged

    @computed_field  # type: ignore[prop-decorator]
    @property
    def percent(self) -> int:
        return (
            100
            if self.total_rows == 0 and self.status == "done"
            else (int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0)
        )
