"""Every query on patents and their recorded licences."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from piccolo.columns.combination import And, Or
from piccolo.custom_types import Combinable
from piccolo.engine.postgres import PostgresEngine

from listings.declarations.tables import Declaration
from listings.patents.records import PatentFieldsRecord, PatentRecord, RecordedLicenceRecord
from listings.patents.tables import Patent, RecordedLicence

# Columns the import compares to tell an update from an unchanged row.
RECORD_FIELDS = (
    "number_type", "jurisdiction", "application_number", "kind", "title_zh", "title_en", "abstract", "claims",
    "claims_count", "ipc_codes", "patentees", "inventors", "filing_date", "publication_date", "grant_date",
    "expiry_date", "legal_status", "annual_fees_paid_through", "other_fee_reduction_pct", "pledged",
    "pledgee_consent", "suspension", "evaluation_report_ref",
)  # fmt: skip


async def get(patent_id: int) -> PatentRecord | None:
    row = await Patent.select().where(Patent.id == patent_id).output(load_json=True).first()
    return PatentRecord(**row) if row else None


async def get_many(patent_ids: Sequence[int]) -> list[PatentRecord]:
    if not patent_ids:
        return []
    rows = await Patent.select().where(Patent.id.is_in(list(patent_ids))).output(load_json=True)
    return [PatentRecord(**r) for r in rows]


async def by_numbers(org_id: int, numbers: Sequence[str]) -> dict[str, PatentFieldsRecord]:
    if not numbers:
        return {}
    rows = await (
        Patent.select(Patent.id, Patent.number, *[getattr(Patent, f) for f in RECORD_FIELDS])
        .where((Patent.organisation == org_id) & Patent.number.is_in(list(numbers)))
        .output(load_json=True)
    )
    return {r["number"]: PatentFieldsRecord(**r) for r in rows}


async def insert_many(rows: Iterable[dict[str, Any]]) -> list[int]:
    objects = [Patent(**row) for row in rows]
    if not objects:
        return []
    result = await Patent.insert(*objects).returning(Patent.id)
    return [int(r["id"]) for r in result]


async def refresh_statistics() -> None:
    """Let PostgreSQL's planner see a table that a large import is filling: with the statistics of an empty table it
    scans the whole table for each batch's lookup instead of using the (organisation, number) index."""
    from piccolo.engine.postgres import PostgresEngine

    if isinstance(Patent._meta.db, PostgresEngine):
        await Patent.raw("ANALYZE listings_patent")


async def update(patent_id: int, values: dict[str, Any]) -> None:
    values = {**values, "updated_at": datetime.now(UTC)}
    await Patent.update({getattr(Patent, k): v for k, v in values.items()}).where(Patent.id == patent_id)


def _filters(org_id: int, *, q: str, kind: str | None, status: str | None, declared: str | None) -> Combinable:
    clauses: list[Combinable] = [Patent.organisation == org_id]
    if q:
        like = f"%{q}%"
        # SQLite's LIKE is already case-insensitive (for ASCII); PostgreSQL needs ILIKE
        postgres = isinstance(Patent._meta.db, PostgresEngine)
        cols = (Patent.number, Patent.title_zh, Patent.title_en)
        found = [c.ilike(like) if postgres else c.like(like) for c in cols]
        clauses.append(Or(Or(found[0], found[1]), found[2]))
    if kind:
        clauses.append(Patent.kind == kind)
    if status:
        clauses.append(Patent.legal_status == status)
    live = Declaration.select(Declaration.patent).where(Declaration.status.is_in(["draft", "published"]))
    if declared == "published":
        clauses.append(Patent.id.is_in(Declaration.select(Declaration.patent).where(Declaration.status == "published")))
    elif declared == "none":
        clauses.append(Patent.id.not_in(live))
    combined = clauses[0]
    for clause in clauses[1:]:
        combined = And(combined, clause)
    return combined


async def search(
    org_id: int,
    *,
    q: str = "",
    kind: str | None = None,
    status: str | None = None,
    declared: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[PatentRecord], int]:
    where = _filters(org_id, q=q, kind=kind, status=status, declared=declared)
    rows = await Patent.select().where(where).order_by(Patent.id).limit(limit).offset(offset).output(load_json=True)
    total = await Patent.count().where(where)
    return [PatentRecord(**r) for r in rows], int(total)


async def count_for_org(org_id: int) -> int:
    return int(await Patent.count().where(Patent.organisation == org_id))


async def licences(patent_id: int) -> list[RecordedLicenceRecord]:
    rows = await RecordedLicence.select().where(RecordedLicence.patent == patent_id).order_by(RecordedLicence.id)
    return [RecordedLicenceRecord(**r) for r in rows]


async def licences_in_force(patent_ids: Sequence[int], on: date) -> list[RecordedLicenceRecord]:
    if not patent_ids:
        return []
    rows = await RecordedLicence.select().where(
        RecordedLicence.patent.is_in(list(patent_ids))
        & (RecordedLicence.starts_on <= on)
        & (RecordedLicence.ends_on.is_null() | (RecordedLicence.ends_on >= on))
    )
    return [RecordedLicenceRecord(**r) for r in rows]


async def add_licence(patent_id: int, values: dict[str, Any]) -> int:
    rows = await RecordedLicence.insert(RecordedLicence(patent=patent_id, **values)).returning(RecordedLicence.id)
    return int(rows[0]["id"])


async def get_licence(licence_id: int) -> RecordedLicenceRecord | None:
    row = await RecordedLicence.select().where(RecordedLicence.id == licence_id).first()
    return RecordedLicenceRecord(**row) if row else None
