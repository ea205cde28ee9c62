"""Every query on import runs and their rejected rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from listings.imports.records import ImportRunRecord, RejectionRecord
from listings.imports.tables import ImportRejection, ImportRun


async def create(*, org_id: int, user_id: int | None, filename: str, stored_path: str) -> int:
    rows = await ImportRun.insert(
        ImportRun(organisation=org_id, user_id=user_id, filename=filename[:255], stored_path=stored_path)
    ).returning(ImportRun.id)
    return int(rows[0]["id"])


async def get(run_id: int) -> ImportRunRecord | None:
    row = await ImportRun.select().where(ImportRun.id == run_id).output(load_json=True).first()
    return ImportRunRecord(**row) if row else None


async def update(run_id: int, values: dict[str, Any]) -> None:
    await ImportRun.update({getattr(ImportRun, k): v for k, v in values.items()}).where(ImportRun.id == run_id)


async def fail_if_stale(run_id: int, *, silent_since: datetime, values: dict[str, Any]) -> bool:
    """Mark a run failed if it is still running and has written no progress since ``silent_since`` (conditional:
    a run that moved on in the meantime is left alone)."""
    rows = await (
        ImportRun.update({getattr(ImportRun, k): v for k, v in values.items()})
        .where(
            (ImportRun.id == run_id)
            & (ImportRun.status == "running")
            & ((ImportRun.heartbeat_at < silent_since) | ImportRun.heartbeat_at.is_null())
        )
        .returning(ImportRun.id)
    )
    return bool(rows)


async def stale_runs(*, silent_since: datetime, limit: int = 1000) -> list[int]:
    rows = await (
        ImportRun.select(ImportRun.id)
        .where(
            (ImportRun.status == "running")
            & ((ImportRun.heartbeat_at < silent_since) | ImportRun.heartbeat_at.is_null())
        )
        .limit(limit)
    )
    return [int(r["id"]) for r in rows]


async def for_org(org_id: int, *, limit: int) -> list[ImportRunRecord]:
    rows = await (
        ImportRun.select()
        .where(ImportRun.organisation == org_id)
        .order_by(ImportRun.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [ImportRunRecord(**r) for r in rows]


async def add_rejections(run_id: int, rejections: list[RejectionRecord], *, kind: str = "rejection") -> None:
    if rejections:
        await ImportRejection.insert(
            *(
                ImportRejection(
                    run=run_id, kind=kind, line=r.line, field_name=r.field_name[:100], code=r.code, params=r.params
                )
                for r in rejections
            )
        )


async def rejections(run_id: int, *, limit: int, offset: int = 0, kind: str = "rejection") -> list[RejectionRecord]:
    rows = await (
        ImportRejection.select(
            ImportRejection.line, ImportRejection.field_name, ImportRejection.code, ImportRejection.params
        )
        .where((ImportRejection.run == run_id) & (ImportRejection.kind == kind))
        .order_by(ImportRejection.id)
        .limit(limit)
        .offset(offset)
        .output(load_json=True)
    )
    return [RejectionRecord(**r) for r in rows]


async def count_rejections(run_id: int, *, kind: str = "rejection") -> int:
    return int(await ImportRejection.count().where((ImportRejection.run == run_id) & (ImportRejection.kind == kind)))


async def clear_rejections(run_id: int) -> None:
    """A run imported again from the start (its job ran twice) reports each reason once."""
    await ImportRejection.delete().where(ImportRejection.run == run_id)
