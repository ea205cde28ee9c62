"""The search index kept in step with the database, and the public search. No HTTP here.

Sync (the transactional outbox):

- every change of a declaration (publish, revise, withdraw) emits ``declaration.changed`` in the change's own
  transaction (``market.events``); its handler (``listings.search.jobs``) writes this outbox row and queues
  ``listings.sync_search`` (sent after the handler's commit, one per transaction);
- the job drains the pending rows in order: it reads each declaration's state *now*, upserts the published ones
  and deletes the others, then marks the rows processed. It is safe to run twice and in any order, and drains are
  serialised (SQLite's write lock, a PostgreSQL advisory lock), so the last write to the index for a declaration
  always reflects its last committed change;
- a process starting (the app, the worker) queues one drain, so rows whose job was lost (a crash between the commit
  and the job, an in-process queue that died with its process) are carried over then;
- a declaration indexed for the first time is *new*: the needs and saved searches are checked against it once
  (``listings.alert_new_listings``);
- ``reindex()`` (``market reindex``) rebuilds the index from the database and deletes what the database lacks.

One ``SearchIndex`` per process, the runtime's (``market.runtime``); ``start`` opens it when a process starts.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, date, datetime

import structlog

from listings.advice import service as advice
from listings.declarations.service import cnipa_out, plain_terms
from listings.patents.lifetimes import remaining_years
from listings.patents.service import today
from listings.search import payload, repository
from listings.search.documents import build_document, declaration_id_of, document_id, upfront_minor
from listings.search.labels import field_names, field_number, label
from listings.search.payload import HitPayload
from listings.search.records import HitState, ListingState
from listings.search.schemas import (
    DrainReport,
    FacetOut,
    FacetValueOut,
    LabelOut,
    RangeStatsOut,
    ReindexReport,
    SearchHitOut,
    SearchPageOut,
    SearchParams,
    SuggestionOut,
)
from market import events, jobs, runtime
from market.errors import ServiceUnavailable
from market.integrations.search import SearchDocument, SearchHit, SearchIndex, SearchResult, SearchUnavailable
from market.kit.messages import Msg
from market.kit.words import MsgOut

log = structlog.get_logger("listings.search")

SYNC_JOB = "listings.sync_search"
ALERT_JOB = "listings.alert_new_listings"
REINDEX_JOB = "listings.reindex_search"
DRAIN_BATCH = 500
REINDEX_BATCH = 1000

# ------------------------------------------------------------------------------------- the process's index


def use_index(index: SearchIndex | None) -> None:
    """Make ``index`` the one this process's jobs and searches use (tests: a flaky or separate index)."""
    runtime.replace(search=index)


def current_index() -> SearchIndex:
    """The runtime's search index."""
    index = runtime.current().search
    if index is None:
        raise ServiceUnavailable(Msg("search.not_configured"))
    return index


async def start(index: SearchIndex | None, *, catch_up: bool = True) -> None:
    """At a process's start (the app, the worker, the CLI), after the runtime is open: open the index and
    (``catch_up``) queue a drain of what is pending, or a rebuild when the index was created empty while listings
    exist. An engine that is down does not stop the process: /health says so and the jobs retry."""
    if index is None:
        return
    try:
        info = await index.ensure()
    except SearchUnavailable as exc:
        log.warning("search.unavailable_at_start", error=str(exc))
        return
    if not catch_up:
        return
    if info.created and await repository.published_count():
        await jobs.enqueue(REINDEX_JOB, job_id=f"{REINDEX_JOB}:start:{time.time_ns()}")
    elif await repository.pending_count():
        await jobs.enqueue(SYNC_JOB, job_id=f"{SYNC_JOB}:start:{time.time_ns()}")


# ------------------------------------------------------------------------------------------ the outbox

# The transaction a drain was last queued for, in this context: one drain job per transaction, however many
# declarations it changes (a strong reference, so a later transaction can never be mistaken for it).
_queued_for: ContextVar[object | None] = ContextVar("listings_search_drain_queued_for", default=None)


async def listing_changed(declaration_id: int) -> None:
    """Called in the transaction that changed a declaration: the outbox row, and a drain after the commit."""
    row_id = await repository.add_outbox(declaration_id)
    transaction = repository.current_transaction()
    if transaction is not None and _queued_for.get() is transaction:
        return
    _queued_for.set(transaction)
    # A job id of its own per transaction: never merged with a drain already running, which may have read the
    # pending rows before this transaction committed.
    await jobs.enqueue(SYNC_JOB, job_id=f"{SYNC_JOB}:{row_id}")


_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _local_lock() -> asyncio.Lock:
    """One drain at a time in this process (the database lock orders processes; this spares the waiting)."""
    loop = asyncio.get_running_loop()
    lock = _locks.get(loop)
    if lock is None:
        lock = _locks[loop] = asyncio.Lock()
    return lock


async def _documents(states: dict[int, ListingState]) -> list[SearchDocument]:
    """The documents of these listings, each with its hit's payload (the price badge computed here, once per write,
    rather than for every page that shows it)."""
    documents = _bare_documents(states)
    payloads = await _payloads(list(states.values()), documents)
    return [doc.model_copy(update={"payload": payload.dump(p)}) for doc, p in zip(documents, payloads, strict=True)]


def _bare_documents(states: dict[int, ListingState]) -> list[SearchDocument]:
    on = today()
    return [
        build_document(declaration=s.declaration, patent=s.patent, version=s.version, university=s.university, today=on)
        for s in states.values()
    ]


async def _payloads(states: list[ListingState], documents: list[SearchDocument]) -> list[HitPayload]:
    """What a hit of each listing shows that is fixed when its document is written; the badges in one batch (the
    platform's licences, their comparables, read once)."""
    data_dir = runtime.current().settings.data_dir
    try:
        badges = await advice.price_checks([(s.patent, s.version) for s in states], data_dir=data_dir)
    except Exception:  # a badge that cannot be computed never keeps a listing out of the index
        log.exception("search.badges_failed", declarations=[s.declaration.id for s in states])
        badges = [None] * len(states)
    return [
        HitPayload(
            version=s.version.version,
            patent_number=doc.patent_number,
            kind=doc.kind,
            title_zh=doc.title_zh,
            title_en=doc.title_en,
            patentee=doc.patentee,
            tech_fields=tuple(doc.tech_fields),
            price_badge=badge,
        )
        for s, doc, badge in zip(states, documents, badges, strict=True)
    ]


async def drain(*, batch: int = DRAIN_BATCH) -> DrainReport:
    """Carry every pending outbox row into the index, in order, batch by batch (each batch one transaction, under
    the drain lock). ``SearchUnavailable`` leaves the batch pending (the job retries it)."""
    index = runtime.current().search
    if index is None:
        log.info("search.no_index", detail="pending outbox rows wait for a process with a search index")
        return DrainReport(processed=0, upserted=0, deleted=0, first_indexed=0)
    processed = upserted = deleted = first = 0
    async with _local_lock():
        while True:
            async with jobs.unit_of_work():
                await repository.lock_drain()
                rows = await repository.pending(batch)
                if not rows:
                    break
                ids = list(dict.fromkeys(r.declaration for r in rows))
                states = await repository.listing_states(ids)
                documents = await _documents(states)
                gone = [document_id(i) for i in ids if i not in states]
                if documents:
                    await index.upsert(documents)
                if gone:
                    await index.delete(gone)
                await repository.mark_processed([r.id for r in rows], datetime.now(UTC))
                fresh = await repository.record_indexed(list(states))
                if fresh:
                    await jobs.enqueue(ALERT_JOB, job_id=f"{ALERT_JOB}:{min(fresh)}")
            processed += len(rows)
            upserted += len(documents)
            deleted += len(gone)
            first += len(fresh)
            if len(rows) < batch:
                break
    if processed:
        log.info("search.drained", processed=processed, upserted=upserted, deleted=deleted, new=first)
    return DrainReport(processed=processed, upserted=upserted, deleted=deleted, first_indexed=first)


async def reindex(
    *, batch: int = REINDEX_BATCH, on_progress: Callable[[int, int], None] | None = None
) -> ReindexReport:
    """Rebuild the index from the database: every published declaration written again, every document the database
    does not have deleted. Listings met here for the first time are recorded as indexed without alerts (a rebuild
    is not news); those with a change still pending are left to the drain, which alerts."""
    index = current_index()
    started = time.perf_counter()
    await index.ensure()
    total = await repository.published_count()
    indexed = 0
    after = 0
    published: set[str] = set()
    while True:
        async with _local_lock(), jobs.unit_of_work():
            await repository.lock_drain()
            ids = await repository.published_after(after, batch)
            if not ids:
                break
            states = await repository.listing_states(ids)
            await index.upsert(await _documents(states))
            # A change still in the outbox, or still in an event not handled yet, is left to the drain (it alerts).
            waiting = await repository.pending_declarations(list(states)) | await events.unhandled(
                "declaration.changed", "declaration_id", list(states)
            )
            await repository.record_indexed([i for i in states if i not in waiting], alerted=True)
        after = ids[-1]
        indexed += len(states)
        published |= {document_id(i) for i in states}
        if on_progress:
            on_progress(indexed, max(total, indexed))
    async with _local_lock(), jobs.unit_of_work():
        await repository.lock_drain()
        stale = [i for i in await index.all_ids() if i not in published]
        # a listing published since its batch was read is in the database: keep it (its drain will write it)
        ids_of_stale = [d for d in (declaration_id_of(i) for i in stale) if d is not None]
        still = await repository.is_published(ids_of_stale)
        stale = [i for i in stale if declaration_id_of(i) not in still]
        if stale:
            await index.delete(stale)
    await jobs.enqueue(SYNC_JOB, job_id=f"{SYNC_JOB}:after-reindex:{time.time_ns()}")
    return ReindexReport(indexed=indexed, deleted=len(stale), seconds=round(time.perf_counter() - started, 2))


# ------------------------------------------------------------------------------------------ the search


async def search(*, params: SearchParams) -> SearchPageOut:
    """Published listings for ``params``: hits with their summaries, facet counts with names, suggestions when empty.

    A request reads the engine once and the database twice, whatever the corpus or the page size: the current terms
    of the page's listings (one statement, which also leaves out a hit withdrawn a moment ago) and the names of the
    universities in the facet. What else a hit shows (number, titles, fields, price badge) is stored with its
    document (``listings.search.payload``); a hit whose document is older than its current terms is read back."""
    result = await current_index().search(params.to_query())
    ids = [d for d in (declaration_id_of(h.id) for h in result.hits) if d is not None]
    org_ids = [int(v.value) for v in result.facets.get("university_org_id", []) if v.value.isdigit()]
    stored = {h.id: payload.load(h.payload) for h in result.hits}
    async with repository.reading():
        current = await repository.hit_states(ids)
        names = await repository.org_names(org_ids)
        read_back = await _read_back(
            [
                d
                for h in result.hits
                if (d := declaration_id_of(h.id)) in current and not _fits(stored[h.id], current[d])
            ]
        )
    on = today()
    hits = []
    for h in result.hits:
        d = declaration_id_of(h.id)
        if d is None or d not in current:
            continue
        shown = read_back.get(d, stored[h.id])
        if shown is not None:  # None: withdrawn between the two reads
            hits.append(_hit_out(h, current[d], shown, on))
    return SearchPageOut(
        params=params,
        total=result.total,
        page=params.page,
        per_page=params.per_page,
        pages=result.pages,
        hits=hits,
        facets=_facets(result, names),
        ranges=[RangeStatsOut(name=k, min=v.min, max=v.max) for k, v in result.stats.items()],
        suggestions=[
            SuggestionOut(
                kind=s.kind,
                total=s.total,
                removed=s.removed,
                corrections=s.corrections,
                params=SearchParams.from_query(s.query, per_page=params.per_page),
            )
            for s in result.suggestions
        ],
        backend=result.backend,
        took_ms=result.took_ms,
    )


def _facets(result: SearchResult, names: dict[int, str]) -> list[FacetOut]:
    out = []
    for facet, values in result.facets.items():
        rows = []
        for v in values:
            zh, en = label(facet, v.value, names)
            rows.append(FacetValueOut(value=v.value, count=v.count, selected=v.selected, label_zh=zh, label_en=en))
        out.append(FacetOut(name=facet, values=rows))
    return out


def tech_field_labels(codes: list[str]) -> list[LabelOut]:
    out = []
    for code in codes:
        number = field_number(code)
        if number is not None:
            zh, en = field_names()[number]
            out.append(LabelOut(code=code, name_zh=zh, name_en=en))
    return out


def _fits(shown: HitPayload | None, state: HitState) -> bool:
    """The stored part of a hit belongs to the listing's current terms (the badge depends on them)."""
    return shown is not None and shown.version == state.version.version


async def _read_back(declaration_ids: list[int]) -> dict[int, HitPayload]:
    """The stored part of these hits built from the database (their document is older than their current terms, or
    has no payload): rare, and one batch for the page."""
    if not declaration_ids:
        return {}
    states = await repository.listing_states(declaration_ids)
    return dict(zip(states, await _payloads(list(states.values()), _bare_documents(states)), strict=True))


def _hit_out(hit: SearchHit, state: HitState, shown: HitPayload, on: date) -> SearchHitOut:
    version = state.version
    return SearchHitOut(
        declaration_id=state.declaration_id,
        patent_number=shown.patent_number,
        kind=shown.kind,
        title_zh=shown.title_zh,
        title_en=shown.title_en,
        highlights=hit.highlights,
        university=state.university,
        university_org_id=state.organisation,
        patentee=shown.patentee,
        tech_fields=tech_field_labels(list(shown.tech_fields)),
        remaining_years=float(remaining_years(state.expiry_date, on)),
        payment_mode=version.payment_mode,
        currency=version.currency,
        price_minor=upfront_minor(version),
        royalty_rate_bp=version.royalty_rate_bp,
        terms_summary=[MsgOut.of(m) for m in plain_terms(version, state.expiry_date)],
        cnipa=cnipa_out(version),
        price_badge=shown.price_badge,
        published_at=state.published_at,
        score=hit.score,
    )


async def documents_for(declaration_ids: list[int], *, with_payload: bool = True) -> dict[int, SearchDocument]:
    """The documents of these declarations as they stand (published ones only), built from the database; without
    their payload (no price badges computed) when the caller only matches on them (the needs)."""
    states = await repository.listing_states(declaration_ids)
    documents = await _documents(states) if with_payload else _bare_documents(states)
    return dict(zip(states, documents, strict=True))


async def university_names(org_ids: list[int]) -> dict[int, str]:
    return await repository.org_names(list(set(org_ids)))


async def owns_declaration(*, org_id: int, declaration_id: int) -> bool:
    row = await repository.declaration(declaration_id)
    return row is not None and row.organisation == org_id


async def unalerted_listings(limit: int) -> list[int]:
    """Declarations indexed for the first time whose needs and saved searches have not been checked yet."""
    return await repository.unalerted(limit)


async def mark_alerted(declaration_ids: list[int]) -> None:
    await repository.mark_alerted(declaration_ids, datetime.now(UTC))
