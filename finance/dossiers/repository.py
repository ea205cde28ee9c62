"""Every query on dossier documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from finance.dossiers.records import DocumentContentRecord, DocumentRecord
from finance.dossiers.tables import DossierDocument

COLUMNS = (
    DossierDocument.id,
    DossierDocument.case,
    DossierDocument.requirement,
    DossierDocument.version,
    DossierDocument.filename,
    DossierDocument.content_type,
    DossierDocument.size,
    DossierDocument.sha256,
    DossierDocument.issued_on,
    DossierDocument.uploaded_by,
    DossierDocument.uploaded_by_org,
    DossierDocument.uploaded_at,
    DossierDocument.status,
    DossierDocument.reviewed_by,
    DossierDocument.reviewed_at,
    DossierDocument.reason_code,
    DossierDocument.note,
)


def _record(row: dict[str, Any]) -> DocumentRecord:
    return DocumentRecord(**row)


async def get(document_id: int) -> DocumentRecord | None:
    row = await DossierDocument.select(*COLUMNS).where(DossierDocument.id == document_id).first()
    return _record(row) if row else None


async def content_of(document_id: int) -> DocumentContentRecord | None:
    row = (
        await DossierDocument.select(
            DossierDocument.id,
            DossierDocument.case,
            DossierDocument.filename,
            DossierDocument.content_type,
            DossierDocument.sha256,
            DossierDocument.content,
        )
        .where(DossierDocument.id == document_id)
        .first()
    )
    if row is None:
        return None
    return DocumentContentRecord(**{**row, "content": bytes(row["content"])})


async def of_case(case_id: int) -> list[DocumentRecord]:
    """Every version of every requirement, oldest first."""
    rows = (
        await DossierDocument.select(*COLUMNS)
        .where(DossierDocument.case == case_id)
        .order_by(DossierDocument.requirement)
        .order_by(DossierDocument.version)
    )
    return [_record(r) for r in rows]


async def last_version(case_id: int, requirement: str) -> int:
    row = (
        await DossierDocument.select(DossierDocument.version)
        .where((DossierDocument.case == case_id) & (DossierDocument.requirement == requirement))
        .order_by(DossierDocument.version, ascending=False)
        .first()
    )
    return int(row["version"]) if row else 0


async def insert(
    *,
    case_id: int,
    requirement: str,
    version: int,
    filename: str,
    content_type: str,
    content: bytes,
    sha256: str,
    issued_on: date | None,
    uploaded_by: int | None,
    uploaded_by_org: int | None,
    at: datetime,
    status: str = "uploaded",
) -> int:
    rows = await DossierDocument.insert(
        DossierDocument(
            case=case_id,
            requirement=requirement,
            version=version,
            filename=filename,
            content_type=content_type,
            size=len(content),
            sha256=sha256,
            content=content,
            issued_on=issued_on,
            uploaded_by=uploaded_by,
            uploaded_by_org=uploaded_by_org,
            uploaded_at=at,
            status=status,
        )
    ).returning(DossierDocument.id)
    return int(rows[0]["id"])


async def review(
    document_id: int, *, from_status: str, to_status: str, reviewed_by: int | None, at: datetime, reason_code: str,
    note: str,
) -> bool:
    """Set the review, conditionally on the status read: of two reviewers at once, one wins."""
    rows = (
        await DossierDocument.update(
            {
                DossierDocument.status: to_status,
                DossierDocument.reviewed_by: reviewed_by,
                DossierDocument.reviewed_at: at,
                DossierDocument.reason_code: reason_code,
                DossierDocument.note: note,
            }
        )
        .where((DossierDocument.id == document_id) & (DossierDocument.status == from_status))
        .returning(DossierDocument.id)
    )
    return bool(rows)
