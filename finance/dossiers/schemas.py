from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from market.kit.schema import Out, Schema


class ReasonOut(Out):
    code: str = Field(description="Stable reason code, e.g. dossiers.missing")
    source: str = Field(description="The law.* catalogue code of its source (article or product rule)")
    severity: str = Field(description="block | warn | acknowledge")
    field: str = Field(default="", description="The checklist requirement it is about")
    text: str = Field(description="The reason in the reader's language")
    article: str = Field(default="", description="The source in the reader's language")


class DocumentOut(Out):
    id: int
    case_id: int
    requirement: str
    version: int = Field(description="1, 2, ... per case and requirement")
    filename: str
    content_type: str = Field(description="Read from the bytes, not from the upload's header")
    size: int
    sha256: str
    issued_on: date | None = None
    expires_on: date | None = Field(default=None, description="When it becomes too old for its requirement")
    uploaded_at: datetime
    status: str = Field(description="uploaded | verified | rejected")
    reviewed_at: datetime | None = None
    reason_code: str = Field(default="", description="Why it was rejected")
    reason_text: str = ""
    note: str = ""
    url: str = Field(description="Where to download it (the case's two organisations only)")


class ChecklistItemOut(Out):
    code: str
    label: str
    required: bool
    accepted: list[str] = Field(description="File kinds accepted (PDF, PNG, ...)")
    accept_attr: str = Field(description="For an <input type=file accept=...>")
    max_age_days: int | None = None
    needs_issue_date: bool = False
    documents: list[DocumentOut] = Field(default_factory=list, description="Every version, newest first")
    problem: ReasonOut | None = Field(default=None, description="Why this requirement is not met, if it is not")


class ChecklistOut(Out):
    case_id: int
    reference: str
    complete: bool = Field(description="False while any required document is missing, too old or rejected")
    reasons: list[ReasonOut] = Field(default_factory=list)
    items: list[ChecklistItemOut] = Field(default_factory=list)
    max_mb: int
    reviewer: bool = Field(description="Whether the caller reviews the case (may verify or reject)")
    reject_reasons: list[tuple[str, str]] = Field(default_factory=list, description="(code, text) to reject with")


class RejectIn(
    Schema,
    json_schema_extra={"examples": [{"reason_code": "dossiers.reject.illegible", "note": "p. 2 is blurred"}]},
):
    reason_code: str = Field(max_length=60, description="One of the dossiers.reject.* codes")
    note: str = Field(default="", max_length=2000)
