"""Document checklists as data, the type of a document read from its bytes, and the reasons a dossier is not
complete. Pure: no database, no web.

A product's checklist is a list of ``Requirement``s (stored as JSON with the product: ``as_json``/``from_json``).
Each says whether it is required, the MIME types accepted (checked against the bytes, never the client's word), how
old the document may be (days from its issue date; None: no limit), its label (a catalogue code) and the source of
the requirement (a ``law.*`` code: the article that asks for it, or the product's own rule).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from finance.desk.reasons import SOURCE, Reason, ReasonCode, Severity, reason, register
from market.kit.messages import Msg

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
OFD = "application/ofd"  # GB/T 33190 (China's fixed-layout format; e-invoices, e-licences)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KNOWN_TYPES = (PDF, PNG, JPEG, OFD, DOCX, XLSX)
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", OFD: ".ofd", DOCX: ".docx", XLSX: ".xlsx"}

CHECKLIST_SOURCE = "law.dossiers.checklist"  # the product's document checklist (a product rule)

MISSING = "dossiers.missing"
EXPIRED = "dossiers.expired"
REJECTED = "dossiers.rejected"
# Why a reviewer rejects a document (its text: reason.<code>); the applicant sees it beside the requirement.
REJECT_REASONS = (
    "dossiers.reject.illegible",
    "dossiers.reject.wrong_document",
    "dossiers.reject.expired",
    "dossiers.reject.unsigned",
    "dossiers.reject.name_mismatch",
    "dossiers.reject.incomplete",
)
register(
    ReasonCode(MISSING, CHECKLIST_SOURCE, Severity.block),
    ReasonCode(EXPIRED, CHECKLIST_SOURCE, Severity.block),
    ReasonCode(REJECTED, CHECKLIST_SOURCE, Severity.block),
    *(ReasonCode(code, CHECKLIST_SOURCE, Severity.block) for code in REJECT_REASONS),
)


@dataclass(frozen=True)
class Requirement:
    """One line of a checklist. ``label`` defaults to ``Msg("dossiers.requirement.<code>")``."""

    code: str
    required: bool = True
    accepted_types: tuple[str, ...] = (PDF,)
    max_age_days: int | None = None
    label: Msg = field(default=Msg(""))
    source: str = CHECKLIST_SOURCE

    def __post_init__(self) -> None:
        if not self.code or len(self.code) > 60:
            raise ValueError("a requirement's code is 1 to 60 characters")
        unknown = [t for t in self.accepted_types if t not in KNOWN_TYPES]
        if unknown or not self.accepted_types:
            raise ValueError(f"requirement {self.code}: accepted types must be some of {KNOWN_TYPES}, not {unknown}")
        if self.max_age_days is not None and self.max_age_days < 0:
            raise ValueError(f"requirement {self.code}: max_age_days must be zero or more")
        if not SOURCE.match(self.source):
            raise ValueError(f"requirement {self.code}: its source must be a catalogue code (law.*)")
        if not self.label.code:
            object.__setattr__(self, "label", Msg(f"dossiers.requirement.{self.code}"))

    @property
    def needs_issue_date(self) -> bool:
        return self.max_age_days is not None

    def expired(self, issued_on: date | None, today: date) -> bool:
        """Older than allowed on ``today`` (a document without its issue date counts as too old when one is
        needed)."""
        if self.max_age_days is None:
            return False
        return issued_on is None or issued_on + timedelta(days=self.max_age_days) < today

    def expires_on(self, issued_on: date | None) -> date | None:
        if self.max_age_days is None or issued_on is None:
            return None
        return issued_on + timedelta(days=self.max_age_days)

    def as_json(self) -> dict[str, Any]:
        """As a product stores it (``from_json`` reads it back; a bank's own label as ``label_zh``/``label_en``)."""
        out: dict[str, Any] = {
            "code": self.code,
            "required": self.required,
            "accepted_types": list(self.accepted_types),
            "max_age_days": self.max_age_days,
            "source": self.source,
        }
        if self.label.code == "dossiers.requirement.custom":
            out["label_zh"] = str(self.label.params.get("label_zh") or "")
            out["label_en"] = str(self.label.params.get("label_en") or "")
        else:
            out["label"] = self.label.code
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Requirement:
        return cls(
            code=str(data["code"]),
            required=bool(data.get("required", True)),
            accepted_types=tuple(str(t) for t in data.get("accepted_types") or (PDF,)),
            max_age_days=None if data.get("max_age_days") is None else int(data["max_age_days"]),
            label=_label(data),
            source=str(data.get("source") or CHECKLIST_SOURCE),
        )


def custom_label(label_zh: str, label_en: str = "") -> Msg:
    """A label a bank wrote itself (data in both languages, not a catalogue entry)."""
    return Msg("dossiers.requirement.custom", {"label_zh": label_zh, "label_en": label_en or label_zh})


def _label(data: Mapping[str, Any]) -> Msg:
    if data.get("label_zh"):
        return custom_label(str(data["label_zh"]), str(data.get("label_en") or ""))
    return Msg(str(data.get("label") or f"dossiers.requirement.{data['code']}"))


@dataclass(frozen=True)
class Completeness:
    """Whether a dossier meets its checklist, and if not, why: one reason per requirement not met."""

    missing: tuple[Reason, ...] = ()
    expired: tuple[Reason, ...] = ()
    rejected: tuple[Reason, ...] = ()

    @property
    def complete(self) -> bool:
        return not (self.missing or self.expired or self.rejected)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.missing + self.expired + self.rejected


@dataclass(frozen=True)
class Current:
    """The latest version of a requirement's document, as completeness sees it."""

    requirement: str
    status: str
    issued_on: date | None
    reason_code: str


def assess(checklist: Sequence[Requirement], current: Mapping[str, Current], today: date) -> Completeness:
    """Each required requirement needs its latest document, not rejected and not too old on ``today``. An optional
    one is judged only when a document was given: a rejected or too old optional document blocks too."""
    missing: list[Reason] = []
    expired: list[Reason] = []
    rejected: list[Reason] = []
    for req in checklist:
        doc = current.get(req.code)
        if doc is None:
            if req.required:
                missing.append(_sourced(reason(MISSING, field=req.code, requirement=req.label), req))
            continue
        if doc.status == "rejected":
            why = Msg(f"reason.{doc.reason_code}") if doc.reason_code else Msg("dossiers.reject.unspecified")
            rejected.append(_sourced(reason(REJECTED, field=req.code, requirement=req.label, why=why), req))
        elif req.expired(doc.issued_on, today):
            limit = req.max_age_days or 0
            issued: Any = doc.issued_on
            expired.append(
                _sourced(reason(EXPIRED, field=req.code, requirement=req.label, days=limit, issued_on=issued), req)
            )
    return Completeness(missing=tuple(missing), expired=tuple(expired), rejected=tuple(rejected))


def _sourced(found: Reason, req: Requirement) -> Reason:
    """The reason with the requirement's own source (the article that asks for the document), if it has one."""
    if req.source == found.source:
        return found
    return Reason(code=found.code, source=req.source, severity=found.severity, params=found.params, field=found.field)


def sniff(content: bytes) -> str | None:
    """The type of a document from its bytes (magic numbers; for ZIP containers, the entries that name the format),
    or None when it is none of ``KNOWN_TYPES``."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def _zip_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return DOCX
        if any(n.startswith("xl/") for n in names):
            return XLSX
    return None
