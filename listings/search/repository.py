"""Every query of the search sync and of the search results: the outbox, the record of indexed listings, and the
current state of declarations read in batches."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import fields
from datetime import UTC, datetime
from typing import TypeVar

from piccolo.columns.combination import WhereRaw

from listings.declarations.records import DeclarationRecord, DeclarationVersionRecord
from listings.declarations.tables import Declaration, DeclarationVersion
from listings.patents.records import PatentRecord
from listings.patents.tables import Patent
from listings.search.records import HitState, ListingState, OutboxEntryRecord, UniversityRecord
from listings.search.tables import IndexedListing, SearchOutbox
from market.orgs.tables import Organisation

T = TypeVar("T")

# The organisation (of the outer query) has a declaration in this status; the tables' names are asserted in the tests.
PUBLISHES_SQL = (
    "EXISTS (SELECT 1 FROM listings_declaration AS d WHERE d.organisation = market_organisation.id AND d.status = {})"
)
# A page's published declarations with their current version, university name and patent expiry (``hit_states``);
# ``{ids}`` becomes one placeholder per id.
HIT_STATES_SQL = (
    "SELECT v.*, d.organisation AS d_organisation, d.published_at AS d_published_at, o.name AS d_university,"
    " p.expiry_date AS d_expiry_date"
    " FROM listings_declaration AS d"
    " JOIN listings_declaration_version AS v ON v.declaration = d.id AND v.version = d.current_version"
    " LEFT JOIN market_organisation AS o ON o.id = d.organisation"
    " LEFT JOIN listings_patent AS p ON p.id = d.patent"
    " WHERE d.id IN ({ids}) AND d.status = 'published'"
)
_VERSION_COLUMNS = tuple(f.name for f in fields(DeclarationVersionRecord))
DRAIN_LOCK_KEY = 0x5EA4C4  # PostgreSQL advisory lock: one drain (or reindex batch) at a time, across processes


# -------------------------------------------------------------------------------------------------- outbox


async def add_outbox(declaration_id: int) -> int:
    row = await Declaration.select(Declaration.status).where(Declaration.id == declaration_id).first()
    rows = await SearchOutbox.insert(
        SearchOutbox(declaration=declaration_id, status=row["status"] if row else "")
    ).returning(SearchOutbox.id)
    return int(rows[0]["id"])


def reading() -> AbstractAsyncContextManager[object]:
    """One connection (and one consistent view) for a request's few reads: SQLite would otherwise open a connection
    per statement, PostgreSQL take one from its pool per statement. Joins an enclosing transaction."""
    transaction: AbstractAsyncContextManager[object] = Declaration._meta.db.transaction()
    return transaction


def current_transaction() -> object | None:
    """The transaction the outbox is written in (None outside one)."""
    transaction: object | None = SearchOutbox._meta.db.current_transaction.get()
    return transaction


async def lock_drain() -> None:
    """Serialise drains for the rest of the transaction. SQLite needs nothing: a unit of work there is an IMMEDIATE
    transaction, which already holds the database's one write lock; PostgreSQL takes an advisory lock."""
    if SearchOutbox._meta.db.engine_type == "postgres":
        await SearchOutbox.raw("SELECT pg_advisory_xact_lock({})", DRAIN_LOCK_KEY)


async def pending(limit: int) -> list[OutboxEntryRecord]:
    rows = await (
        SearchOutbox.select(SearchOutbox.id, SearchOutbox.declaration)
        .where(SearchOutbox.processed_at.is_null())
        .order_by(SearchOutbox.id)
        .limit(limit)
    )
    return [OutboxEntryRecord(id=int(r["id"]), declaration=int(r["declaration"])) for r in rows]


async def pending_count() -> int:
    return int(await SearchOutbox.count().where(SearchOutbox.processed_at.is_null()))


async def mark_processed(outbox_ids: Sequence[int], at: datetime) -> None:
    for chunk in _chunks(list(outbox_ids)):
        await SearchOutbox.update({SearchOutbox.processed_at: at}).where(SearchOutbox.id.is_in(chunk))


# ------------------------------------------------------------------------------------------ indexed listings


async def pending_declarations(declaration_ids: Sequence[int]) -> set[int]:
    """Those of these declarations with a change still in the outbox."""
    out: set[int] = set()
    for chunk in _chunks(list(declaration_ids)):
        rows = await SearchOutbox.select(SearchOutbox.declaration).where(
            SearchOutbox.declaration.is_in(chunk) & SearchOutbox.processed_at.is_null()
        )
        out |= {int(r["declaration"]) for r in rows}
    return out


async def record_indexed(declaration_ids: Sequence[int], *, alerted: bool = False) -> list[int]:
    """Record these declarations as indexed; returns those indexed for the first time. ``alerted``: record them as
    already alerted (a rebuild is not news)."""
    fresh: list[int] = []
    at = datetime.now(UTC) if alerted else None
    for chunk in _chunks(sorted(set(declaration_ids))):
        rows = await (
            IndexedListing.insert(*[IndexedListing(declaration=d, alerted_at=at) for d in chunk])
            .on_conflict(target=IndexedListing.declaration, action="DO NOTHING")
            .returning(IndexedListing.declaration)
        )
        fresh += [int(r["declaration"]) for r in rows]
    return fresh


async def unalerted(limit: int) -> list[int]:
    rows = await (
        IndexedListing.select(IndexedListing.declaration)
        .where(IndexedListing.alerted_at.is_null())
        .order_by(IndexedListing.id)
        .limit(limit)
    )
    return [int(r["declaration"]) for r in rows]


async def mark_alerted(declaration_ids: Sequence[int], at: datetime) -> None:
    for chunk in _chunks(list(declaration_ids)):
        await IndexedListing.update({IndexedListing.alerted_at: at}).where(IndexedListing.declaration.is_in(chunk))


# ------------------------------------------------------------------------------------------- listing state


async def published_after(after_id: int, limit: int) -> list[int]:
    """Ids of published declarations above ``after_id``, in order (reindex batches)."""
    rows = await (
        Declaration.select(Declaration.id)
        .where((Declaration.status == "published") & (Declaration.id > after_id))
        .order_by(Declaration.id)
        .limit(limit)
    )
    return [int(r["id"]) for r in rows]


async def published_count() -> int:
    return int(await Declaration.count().where(Declaration.status == "published"))


async def is_published(declaration_ids: Sequence[int]) -> set[int]:
    out: set[int] = set()
    for chunk in _chunks(list(declaration_ids)):
        rows = await Declaration.select(Declaration.id).where(
            Declaration.id.is_in(chunk) & (Declaration.status == "published")
        )
        out |= {int(r["id"]) for r in rows}
    return out


async def declaration(declaration_id: int) -> DeclarationRecord | None:
    row = await Declaration.select().where(Declaration.id == declaration_id).first()
    return DeclarationRecord(**row) if row else None


async def listing_states(declaration_ids: Sequence[int]) -> dict[int, ListingState]:
    """The published ones among these declarations, with their patent, current version and university."""
    out: dict[int, ListingState] = {}
    for chunk in _chunks(list(dict.fromkeys(declaration_ids))):
        declarations = await Declaration.select().where(
            Declaration.id.is_in(chunk) & (Declaration.status == "published")
        )
        if not declarations:
            continue
        patent_ids = list({d["patent"] for d in declarations})
        patents = {
            p["id"]: PatentRecord(**p)
            for p in await Patent.select().where(Patent.id.is_in(patent_ids)).output(load_json=True)
        }
        wanted = {(d["id"], d["current_version"]) for d in declarations}
        versions = {
            v["declaration"]: DeclarationVersionRecord(**v)
            for v in await DeclarationVersion.select().where(
                DeclarationVersion.declaration.is_in([d["id"] for d in declarations])
            )
            if (v["declaration"], v["version"]) in wanted
        }
        org_ids = list({d["organisation"] for d in declarations})
        orgs = {
            o["id"]: UniversityRecord(**o)
            for o in await Organisation.select(Organisation.id, Organisation.name, Organisation.region).where(
                Organisation.id.is_in(org_ids)
            )
        }
        for d in declarations:
            if d["patent"] in patents and d["id"] in versions:
                out[d["id"]] = ListingState(
                    DeclarationRecord(**d), patents[d["patent"]], versions[d["id"]], orgs.get(d["organisation"])
                )
    return out


async def hit_states(declaration_ids: Sequence[int]) -> dict[int, HitState]:
    """The published ones among these declarations (a page of hits) with their current version, university name and
    patent expiry: one statement, by primary keys, whatever the size of the corpus. Written out (``HIT_STATES_SQL``)
    because building the joined select column by column cost more than running it."""
    out: dict[int, HitState] = {}
    for chunk in _chunks(list(dict.fromkeys(declaration_ids))):
        sql = HIT_STATES_SQL.replace("{ids}", ", ".join(["{}"] * len(chunk)))
        for r in await DeclarationVersion.raw(sql, *chunk):
            out[int(r["declaration"])] = HitState(
                declaration_id=int(r["declaration"]),
                organisation=int(r["d_organisation"]),
                published_at=r["d_published_at"],
                university=str(r["d_university"] or ""),
                expiry_date=r["d_expiry_date"],
                version=DeclarationVersionRecord(**{k: r[k] for k in _VERSION_COLUMNS}),
            )
    return out


async def org_names(org_ids: Sequence[int]) -> dict[int, str]:
    """Names of the universities among ``org_ids`` that have a published listing: a facet value an index has not
    yet caught up on never names an organisation that publishes nothing. Each is one index lookup (EXISTS stops at
    the first published declaration of the organisation), so the cost does not grow with the corpus."""
    if not org_ids:
        return {}
    publishes = WhereRaw(PUBLISHES_SQL, "published")
    rows = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.id.is_in(list(org_ids)), publishes
    )
    return {int(r["id"]): str(r["name"]) for r in rows}


def _chunks(values: list[T], size: int = 500) -> list[list[T]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
