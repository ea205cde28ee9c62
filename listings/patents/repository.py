"""Every query on patents and their recorded licences."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from piccolo.columns.combination import And, Or
from piccolo.custom_types import Combinable
from piccolo.engine.postgres import PostgresEngine

from listings.patents.records import (
    OpenLicenceRecord,
    PatentFieldsRecord,
    PatentInventorsRecord,
    PatentRecord,
    PledgeeConsentRecord,
    RecordedLicenceRecord,
)
from listings.patents.tables import Patent, PledgeeConsent, RecordedLicence

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
        Patent.select(Patent.id, Patent.number, *[getattr(Patent, f) for f in RECORD_FIELDS], Patent.pledgee_org)
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
    if declared == "published":
        clauses.append(Patent.declaration_status == "published")
    elif declared == "none":
        clauses.append(Patent.declaration_status.not_in(["draft", "published"]))
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


async def set_declaration(patent_id: int, declaration_id: int, status: str) -> None:
    await Patent.update({Patent.declaration: declaration_id, Patent.declaration_status: status}).where(
        Patent.id == patent_id
    )


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


async def open_licences(limit: int) -> list[OpenLicenceRecord]:
    """The latest open licences granted on the platform (those that name the declaration version they follow)."""
    rows = await (
        RecordedLicence.select(RecordedLicence.reference, RecordedLicence.declaration_version, RecordedLicence.patent)
        .where((RecordedLicence.kind == "open") & RecordedLicence.declaration_version.is_not_null())
        .order_by(RecordedLicence.id, ascending=False)
        .limit(limit)
    )
    return [OpenLicenceRecord(**r) for r in rows]


async def add_licence(patent_id: int, values: dict[str, Any]) -> int:
    rows = await RecordedLicence.insert(RecordedLicence(patent=patent_id, **values)).returning(RecordedLicence.id)
    return int(rows[0]["id"])


async def get_licence(licence_id: int) -> RecordedLicenceRecord | None:
    row = await RecordedLicence.select().where(RecordedLicence.id == licence_id).first()
    return RecordedLicenceRecord(**row) if row else None


# ------------------------------------------------------------------------------------------------- pledges


async def pledge(
    patent_id: int, *, pledgee_org: int, registration_number: str, registered_on: date, consent: bool
) -> bool:
    """Record a registered pledge on a patent that has none on record (conditional: of two at once, one wins)."""
    rows = await (
        Patent.update(
            {
                Patent.pledged: True,
                Patent.pledgee_consent: consent,
                Patent.pledgee_org: pledgee_org,
                Patent.pledge_registration_number: registration_number,
                Patent.pledge_registered_on: registered_on,
                Patent.updated_at: datetime.now(UTC),
            }
        )
        .where((Patent.id == patent_id) & Patent.pledgee_org.is_null())
        .returning(Patent.id)
    )
    return bool(rows)


async def release(patent_id: int, *, registration_number: str) -> bool:
    """End the pledge on record whose registration is ``registration_number`` (conditional)."""
    rows = await (
        Patent.update(
            {
                Patent.pledged: False,
                Patent.pledgee_consent: False,
                Patent.pledgee_org: None,
                Patent.pledge_registration_number: "",
                Patent.pledge_registered_on: None,
                Patent.updated_at: datetime.now(UTC),
            }
        )
        .where(
            (Patent.id == patent_id)
            & Patent.pledgee_org.is_not_null()
            & (Patent.pledge_registration_number == registration_number)
        )
        .returning(Patent.id)
    )
    return bool(rows)


async def set_pledgee_consent(patent_id: int, *, registration_number: str) -> bool:
    """The pledgee consented to an open licence under the pledge on record (conditional on that pledge)."""
    rows = await (
        Patent.update({Patent.pledgee_consent: True, Patent.updated_at: datetime.now(UTC)})
        .where(
            (Patent.id == patent_id)
            & Patent.pledgee_org.is_not_null()
            & (Patent.pledge_registration_number == registration_number)
        )
        .returning(Patent.id)
    )
    return bool(rows)


async def add_consent(values: dict[str, Any]) -> int:
    rows = await PledgeeConsent.insert(PledgeeConsent(**values)).returning(PledgeeConsent.id)
    return int(rows[0]["id"])


async def consent_by_key(key: str) -> PledgeeConsentRecord | None:
    row = await PledgeeConsent.select().where(PledgeeConsent.consent_key == key).first()
    return PledgeeConsentRecord(**row) if row else None


async def consents(patent_id: int) -> list[PledgeeConsentRecord]:
    rows = await PledgeeConsent.select().where(PledgeeConsent.patent == patent_id).order_by(PledgeeConsent.id)
    return [PledgeeConsentRecord(**r) for r in rows]


async def pledged_to(pledgee_org: int) -> list[PatentRecord]:
    """The patents pledged, on record, to ``pledgee_org``."""
    rows = await Patent.select().where(Patent.pledgee_org == pledgee_org).order_by(Patent.id).output(load_json=True)
    return [PatentRecord(**r) for r in rows]


async def inventors_of_org(org_id: int) -> list[PatentInventorsRecord]:
    """The number and inventors of every patent of the organisation: those two columns only."""
    rows = await (
        Patent.select(Patent.number, Patent.inventors)
        .where(Patent.organisation == org_id)
        .order_by(Patent.id)
        .output(load_json=True)
    )
    return [PatentInventorsRecord(number=str(r["number"]), inventors=list(r["inventors"] or [])) for r in rows]


async def for_org(org_id: int, *, limit: int) -> list[PatentRecord]:
    rows = await (
        Patent.select().where(Patent.organisation == org_id).order_by(Patent.id).limit(limit).output(load_json=True)
    )
    return [PatentRecord(**r) for r in rows]
