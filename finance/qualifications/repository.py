"""Every query on recorded qualifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from finance.qualifications.records import QualificationContentRecord, QualificationRecord
from finance.qualifications.tables import Qualification

Q = Qualification
COLUMNS = (
    Q.id,
    Q.organisation,
    Q.kind,
    Q.certificate_number,
    Q.issuing_body,
    Q.issued_on,
    Q.expires_on,
    Q.filename,
    Q.content_type,
    Q.size,
    Q.sha256,
    Q.status,
    Q.version,
    Q.reason_code,
    Q.note,
    Q.superseded_by,
    Q.recorded_by,
    Q.recorded_at,
    Q.reviewed_by,
    Q.reviewed_at,
    Q.ended_at,
)
LIVE = ("recorded", "verified")


def live_key(org_id: int, kind: str) -> str:
    return f"{org_id}:{kind}"


def _record(row: dict[str, Any]) -> QualificationRecord:
    return QualificationRecord(**row)


async def get(qualification_id: int) -> QualificationRecord | None:
    row = await Q.select(*COLUMNS).where(Q.id == qualification_id).first()
    return _record(row) if row else None


async def content_of(qualification_id: int) -> QualificationContentRecord | None:
    row = (
        await Q.select(Q.id, Q.organisation, Q.filename, Q.content_type, Q.sha256, Q.content)
        .where(Q.id == qualification_id)
        .first()
    )
    return QualificationContentRecord(**row) if row else None


async def of_org(org_id: int) -> list[QualificationRecord]:
    """Every record of an organisation, newest first."""
    rows = await Q.select(*COLUMNS).where(Q.organisation == org_id).order_by(Q.id, ascending=False)
    return [_record(r) for r in rows]


async def live_of(org_id: int, kinds: Sequence[str] | None = None) -> list[QualificationRecord]:
    """The organisation's live records (recorded or verified), of these kinds if given."""
    query = Q.select(*COLUMNS).where((Q.organisation == org_id) & Q.status.is_in(list(LIVE)))
    if kinds is not None:
        if not kinds:
            return []
        query = query.where(Q.kind.is_in(list(kinds)))
    rows = await query.order_by(Q.id)
    return [_record(r) for r in rows]


async def live_on(org_id: int, *, on: date) -> list[QualificationRecord]:
    rows = (
        await Q.select(*COLUMNS)
        .where(
            (Q.organisation == org_id)
            & Q.status.is_in(list(LIVE))
            & (Q.issued_on <= on)
            & (Q.expires_on >= on)
        )
        .order_by(Q.kind)
    )
    return [_record(r) for r in rows]


async def by_status(statuses: Sequence[str], *, limit: int = 500) -> list[QualificationRecord]:
    """Records in these statuses, oldest first (the administrator's queue)."""
    rows = await Q.select(*COLUMNS).where(Q.status.is_in(list(statuses))).order_by(Q.id).limit(limit)
    return [_record(r) for r in rows]


async def create(
    *,
    org_id: int,
    kind: str,
    certificate_number: str,
    issuing_body: str,
    issued_on: date,
    expires_on: date,
    filename: str,
    content_type: str,
    sha256: str,
    content: bytes,
    recorded_by: int | None,
    at: datetime,
) -> int:
    """A new live record. The unique ``live_key`` makes a second live record of the kind fail (the caller ends
    the one in force first, conditionally)."""
    rows = await Q.insert(
        Q(
            organisation=org_id,
            kind=kind,
            live_key=live_key(org_id, kind),
            certificate_number=certificate_number,
            issuing_body=issuing_body,
            issued_on=issued_on,
            expires_on=expires_on,
            filename=filename,
            content_type=content_type,
            size=len(content),
            sha256=sha256,
            content=content,
            status="recorded",
            version=1,
            recorded_by=recorded_by,
            recorded_at=at,
        )
    ).returning(Q.id)
    return int(rows[0]["id"])


async def move(
    qualification_id: int,
    *,
    from_status: str,
    version: int,
    to_status: str,
    at: datetime,
    by: int | None,
    reason_code: str = "",
    note: str = "",
    superseded_by: int | None = None,
) -> bool:
    """Change a record's status, conditionally on (status, version): of two racers, one wins. Ending a record
    (any status but recorded or verified) clears its ``live_key``."""
    values: dict[Any, Any] = {Q.status: to_status, Q.version: version + 1, Q.reason_code: reason_code, Q.note: note}
    if to_status == "verified" or to_status == "rejected":
        values[Q.reviewed_by] = by
        values[Q.reviewed_at] = at
    if to_status not in LIVE:
        values[Q.live_key] = None
        values[Q.ended_at] = at
    if superseded_by is not None:
        values[Q.superseded_by] = superseded_by
    rows = (
        await Q.update(values)
        .where((Q.id == qualification_id) & (Q.status == from_status) & (Q.version == version))
        .returning(Q.id)
    )
    return bool(rows)


async def set_superseded_by(qualification_id: int, newer_id: int) -> None:
    """Point a superseded record at the record that replaced it (written once, in the same transaction)."""
    await Q.update({Q.superseded_by: newer_id}).where(
        (Q.id == qualification_id) & (Q.status == "superseded") & Q.superseded_by.is_null()
    )


async def live_expiring(*, first: date, last: date) -> list[QualificationRecord]:
    """Live records whose expiry date is between ``first`` and ``last`` (both included), by expiry."""
    rows = (
        await Q.select(*COLUMNS)
        .where(Q.status.is_in(list(LIVE)) & (Q.expires_on >= first) & (Q.expires_on <= last))
        .order_by(Q.expires_on)
    )
    return [_record(r) for r in rows]
