"""Every query on declarations and their versions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from listings.declarations.records import DeclarationRecord, DeclarationVersionRecord
from listings.declarations.tables import Declaration, DeclarationVersion


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


async def versions_by_ids(version_ids: Sequence[int]) -> list[DeclarationVersionRecord]:
    if not version_ids:
        return []
    rows = await DeclarationVersion.select().where(DeclarationVersion.id.is_in(list(version_ids)))
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


async def record_announcement(
    declaration_id: int, version: int, *, number: str, announced_on: date, now: datetime
) -> bool:
    """Record CNIPA's announcement of a published version, once: a conditional update on a version that is
    published and not yet announced, so two racers cannot both record one. True if this call recorded it."""
    rows = await (
        DeclarationVersion.update(
            {
                DeclarationVersion.cnipa_number: number,
                DeclarationVersion.cnipa_announced_on: announced_on,
                DeclarationVersion.cnipa_recorded_at: now,
            }
        )
        .where(
            (DeclarationVersion.declaration == declaration_id)
            & (DeclarationVersion.version == version)
            & DeclarationVersion.published_at.is_not_null()
            & (DeclarationVersion.cnipa_number == "")
        )
        .returning(DeclarationVersion.id)
    )
    return bool(rows)


async def unannounced_published(org_id: int | None = None) -> list[tuple[DeclarationRecord, DeclarationVersionRecord]]:
    """The current versions of published declarations that CNIPA's announcement has not been recorded for (of one
    organisation's declarations if ``org_id`` is given)."""
    where: Any = Declaration.status == "published"
    if org_id is not None:
        where = where & (Declaration.organisation == org_id)
    rows = await Declaration.select().where(where).order_by(Declaration.id)
    declarations = {r["id"]: DeclarationRecord(**r) for r in rows}
    if not declarations:
        return []
    versions = await (
        DeclarationVersion.select()
        .where(
            DeclarationVersion.declaration.is_in(list(declarations))
            & DeclarationVersion.published_at.is_not_null()
            & DeclarationVersion.superseded_at.is_null()
            & (DeclarationVersion.cnipa_number == "")
        )
        .order_by(DeclarationVersion.id)
    )
    return [(declarations[v["declaration"]], DeclarationVersionRecord(**v)) for v in versions]


async def mark_reminded(version_id: int, now: datetime) -> None:
    await DeclarationVersion.update({DeclarationVersion.cnipa_reminded_at: now}).where(
        DeclarationVersion.id == version_id
    )
