from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import computed_field, field_validator

from market.kit.messages import Msg
from market.kit.schema import Out
from market.kit.words import MsgOut, Renderer


class Rejection(MsgOut):
    """One reason a row is refused: its line, the field, and the reason as a code with parameters (``message`` in
    the reader's language). ``reason`` is the text reports stored before reasons were codes."""

    row: int  # the line in the file
    field: str
    code: str = ""
    reason: str = ""

    @field_validator("params", mode="before")
    @classmethod
    def _stored(cls, value: Any) -> Any:
        """A stored report keeps a parameter that is a message as ``{"code", "params"}``: a message again."""
        if not isinstance(value, dict):
            return value
        return {k: cls._message(v) for k, v in value.items()}

    @classmethod
    def _message(cls, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"code", "params"}:
            return Msg(str(value["code"]), {k: cls._message(v) for k, v in dict(value["params"]).items()})
        if isinstance(value, list):
            return tuple(value)
        return value

    def rendered(self, render: Renderer) -> Rejection:
        return self.model_copy(update={"message": render(self.code, self.params) if self.code else self.reason})


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
    rejections: list[Rejection]  # the first REPORT_SHOWN reasons, in line order (one run's GET; none in a list)
    rejections_total: int = 0  # every reason stored
    # rows imported, with something to look at (a patentee not the importer): the first REPORT_SHOWN, as rejections
    warnings: list[Rejection] = []
    warnings_total: int = 0
    error: str  # a run that failed before failures were codes: the reason in words
    failure: MsgOut | None = None  # why the file as a whole failed (a limit, its layout, a crash)
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
