"""Every query on declarations and their versions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from listings.declarations.records import DeclarationRecord, DeclarationVersionRecord
from listings.declarations.tables import Declaration, DeclarationVersion
from listings.patents.records import PatentRecord
from listings.patents.tables import Patent


async def get(declaration_id: int) -> DeclarationRecord | None:
    row = await Declaration.select().where(Declaration.id == declaration_id).first()
    return DeclarationRecord(**row) if row else None


async def latest_for_patents(patent_ids: Sequence[int]) -> dict[int, DeclarationRecord]:
    """Each patent's live declaration (draft or published), else its latest withdrawn one."""
    if not patent_ids:
        return {}
    rows = await Declaration.select().where(Declaration.patent.is_in(list(patent_ids))).order_by(Declaration.id)
    out: dict[int, DeclarationRecord] = {}
    for row in rows:
        current = out.get(row["patent"])
        if current is None or current.status == "withdrawn" or row["status"] != "withdrawn":
            out[row["patent"]] = DeclarationRecord(**row)
    return out


async def live_for_patent(patent_id: int) -> DeclarationRecord | None:
    row = await (
        Declaration.select()
        .where((Declaration.patent == patent_id) & Declaration.status.is_in(["draft", "published"]))
        .first()
    )
    return DeclarationRecord(**row) if row else None


async def create(*, org_id: int, patent_id: int, status: str, published_at: datetime | None) -> int:
    rows = await Declaration.insert(
        Declaration(organisation=org_id, patent=patent_id, status=status, current_version=1, published_at=published_at)
    ).returning(Declaration.id)
    return int(rows[0]["id"])


async def add_version(declaration_id: int, values: dict[str, Any]) -> None:
    await DeclarationVersion.insert(DeclarationVersion(declaration=declaration_id, **values))


async def update(declaration_id: int, values: dict[str, Any]) -> None:
    values = {**values, "updated_at": datetime.now(UTC)}
    await Declaration.update({getattr(Declaration, k): v for k, v in values.items()}).where(
        Declaration.id == declaration_id
    )


async def update_version(declaration_id: int, version: int, values: dict[str, Any]) -> None:
    await DeclarationVersion.update({getattr(DeclarationVersion, k): v for k, v in values.items()}).where(
        (DeclarationVersion.declaration == declaration_id) & (DeclarationVersion.version == version)
    )


async def versions(declaration_id: int) -> list[DeclarationVersionRecord]:
    rows = await (
        DeclarationVersion.select()
        .where(DeclarationVersion.declaration == declaration_id)
        .order_by(DeclarationVersion.version)
    )
    return [DeclarationVersionRecord(**r) for r in rows]


async def versions_of(declaration_ids: Sequence[int]) -> dict[int, list[DeclarationVersionRecord]]:
    out: dict[int, list[DeclarationVersionRecord]] = {}
    if not declaration_ids:
        return out
    rows = await (
        DeclarationVersion.select()
        .where(DeclarationVersion.declaration.is_in(list(declaration_ids)))
        .order_by(DeclarationVersion.declaration, DeclarationVersion.version)
    )
    for row in rows:
        out.setdefault(row["declaration"], []).append(DeclarationVersionRecord(**row))
    return out


async def for_org(org_id: int, *, status: str | None, limit: int, offset: int) -> tuple[list[DeclarationRecord], int]:
    where: Any = Declaration.organisation == org_id
    if status:
        where = where & (Declaration.status == status)
    rows = await Declaration.select().where(where).order_by(Declaration.id, ascending=False).limit(limit).offset(offset)
    return [DeclarationRecord(**r) for r in rows], int(await Declaration.count().where(where))


async def published(*, limit: int, offset: int) -> tuple[list[DeclarationRecord], int]:
    where = Declaration.status == "published"
    rows = await Declaration.select().where(where).order_by(Declaration.id, ascending=False).limit(limit).offset(offset)
    return [DeclarationRecord(**r) for r in rows], int(await Declaration.count().where(where))


async def patents_by_id(patent_ids: Sequence[int]) -> dict[int, PatentRecord]:
    """Reads the patents module's table (a boundary to mend: issue 10); typed with that module's record."""
    if not patent_ids:
        return {}
    rows = await Patent.select().where(Patent.id.is_in(list(patent_ids))).output(load_json=True)
    return {r["id"]: PatentRecord(**r) for r in rows}
