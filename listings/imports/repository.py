"""Every query on import runs."""

from __future__ import annotations

from typing import Any

from listings.imports.records import ImportRunRecord
from listings.imports.tables import ImportRun


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


async def for_org(org_id: int, *, limit: int) -> list[ImportRunRecord]:
    rows = await (
        ImportRun.select()
        .where(ImportRun.organisation == org_id)
        .order_by(ImportRun.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [ImportRunRecord(**r) for r in rows]
