"""Technology needs and saved searches of SMEs, and matching them with published listings. No HTTP here.

- A need and a saved search belong to the organisation that made them; another organisation gets 404.
- Matches of a need: candidates from the search index (each of the need's terms searched on its own, and its
  technology field), then each candidate read as it stands in the database and scored by ``matching.score``.
- A university sees, for one of its listings, the open needs that match it (scored the same way).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from listings.needs import repository
from listings.needs.matching import Match, NeedFacts, query_terms, score
from listings.needs.records import NeedRecord, SavedSearchRecord
from listings.needs.schemas import (
    ListingNeedOut,
    MatchOut,
    NeedIn,
    NeedMatchesOut,
    NeedOut,
    ReasonOut,
    SavedSearchIn,
    SavedSearchOut,
)
from listings.patents.service import today
from listings.search import service as search
from listings.search.documents import declaration_id_of
from listings.search.labels import field_code, field_names
from listings.search.schemas import LabelOut, SearchParams
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import FieldError, NotFound, ValidationFailed
from market.integrations.search import SearchDocument, SearchQuery
from market.kit.messages import Msg

CANDIDATES_PER_TERM = 30
MAX_CANDIDATES = 80
MAX_MATCHES = 20


# ------------------------------------------------------------------------------------------------- needs


def need_out(row: NeedRecord) -> NeedOut:
    field = row.tech_field
    label = None
    if field is not None and field in field_names():
        zh, en = field_names()[field]
        label = LabelOut(code=field_code(field), name_zh=zh, name_en=en)
    return NeedOut(
        id=row.id,
        org_id=row.organisation,
        org_name=row.org_name or "",
        title=row.title,
        description=row.description,
        tech_field=field,
        tech_field_label=label,
        budget_max_minor=row.budget_max_minor,
        currency=row.currency,
        region=row.region,
        deadline=row.deadline,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _check(data: NeedIn) -> None:
    if data.deadline is not None and data.deadline < today():
        past = Msg("need.deadline_passed")
        raise ValidationFailed(past, errors=[FieldError("deadline", past, code="past")])


async def _owned(principal: Principal, need_id: int) -> NeedRecord:
    row = await repository.get_need(need_id)
    if row is None or row.organisation != principal.org_id:
        raise NotFound(Msg("need.not_found"))
    return row


async def create_need(*, principal: Principal, data: NeedIn) -> NeedOut:
    _check(data)
    need_id = await repository.create_need(org_id=principal.org_id, user_id=principal.user_id, values=data.model_dump())
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.need_posted",
        entity_type="need",
        entity_id=need_id,
        after=data.model_dump(mode="json"),
    )
    return await get_need(principal=principal, need_id=need_id)


async def get_need(*, principal: Principal, need_id: int) -> NeedOut:
    return need_out(await _owned(principal, need_id))


async def list_needs(*, principal: Principal) -> list[NeedOut]:
    return [need_out(r) for r in await repository.needs_of(principal.org_id)]


async def update_need(*, principal: Principal, need_id: int, data: NeedIn) -> NeedOut:
    before = need_out(await _owned(principal, need_id))
    _check(data)
    await repository.update_need(need_id, data.model_dump())
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.need_changed",
        entity_type="need",
        entity_id=need_id,
        before=before.model_dump(mode="json", include=set(NeedIn.model_fields)),
        after=data.model_dump(mode="json"),
    )
    return await get_need(principal=principal, need_id=need_id)


async def close_need(*, principal: Principal, need_id: int) -> NeedOut:
    """A need met or given up: it stays readable, is no longer matched and alerts no more."""
    await _owned(principal, need_id)
    await repository.update_need(need_id, {"status": "closed"})
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.need_closed",
        entity_type="need",
        entity_id=need_id,
    )
    return await get_need(principal=principal, need_id=need_id)


async def delete_need(*, principal: Principal, need_id: int) -> None:
    await _owned(principal, need_id)
    await repository.delete_need(need_id)
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.need_deleted",
        entity_type="need",
        entity_id=need_id,
    )


def facts_of(row: NeedRecord | NeedOut) -> NeedFacts:
    return NeedFacts(
        title=row.title,
        description=row.description,
        tech_field=row.tech_field,
        budget_max_minor=row.budget_max_minor,
    )


# --------------------------------------------------------------------------------------------- matching


async def candidate_ids(facts: NeedFacts) -> list[int]:
    """Declarations worth scoring for a need: each term searched alone (results merged, a listing found by more
    terms and higher up first), and the newest listings of the need's field."""
    index = search.current_index()
    queries = [SearchQuery(text=t, per_page=CANDIDATES_PER_TERM, suggest=False) for t in query_terms(facts)]
    if facts.tech_field is not None:
        queries.append(
            SearchQuery(
                filters={"tech_fields": [field_code(facts.tech_field)]}, per_page=CANDIDATES_PER_TERM, suggest=False
            )
        )
    results = await asyncio.gather(*(index.search(q) for q in queries))
    weight: dict[str, float] = {}
    for result in results:
        for rank, hit in enumerate(result.hits):
            weight[hit.id] = weight.get(hit.id, 0.0) + 1.0 / (rank + 10)
    best = sorted(weight, key=lambda i: -weight[i])[:MAX_CANDIDATES]
    return [d for d in (declaration_id_of(i) for i in best) if d is not None]


def _reasons(match: Match) -> list[ReasonOut]:
    return [
        ReasonOut(
            code=r.code,
            points=r.points,
            max_points=r.max_points,
            message_code=r.message.code,
            params=dict(r.message.params),
        )
        for r in match.reasons
    ]


async def rank(facts: NeedFacts, *, limit: int = MAX_MATCHES) -> list[MatchOut]:
    """Published listings for a need, best first, each with its score and reasons."""
    documents = await search.documents_for(await candidate_ids(facts), with_payload=False)
    scored = [(declaration_id, doc, score(facts, doc)) for declaration_id, doc in documents.items()]
    scored = [s for s in scored if s[2].relevant]
    scored.sort(key=lambda s: (-s[2].score, -s[2].text_points, s[0]))
    universities = await search.university_names([doc.university_org_id for _, doc, _ in scored[:limit]])
    return [_match_out(d, doc, m, universities.get(doc.university_org_id, "")) for d, doc, m in scored[:limit]]


def _match_out(declaration_id: int, doc: SearchDocument, match: Match, university: str) -> MatchOut:
    return MatchOut(
        declaration_id=declaration_id,
        patent_number=doc.patent_number,
        title_zh=doc.title_zh,
        title_en=doc.title_en,
        university=university,
        tech_fields=search.tech_field_labels(doc.tech_fields),
        payment_mode=doc.payment_mode,
        price_minor=doc.price_minor,
        royalty_rate_bp=doc.royalty_rate_bp,
        remaining_years=doc.remaining_years,
        score=match.score,
        matched_terms=match.matched_terms,
        reasons=_reasons(match),
    )


async def matches_for_need(*, principal: Principal, need_id: int, limit: int = MAX_MATCHES) -> NeedMatchesOut:
    need = need_out(await _owned(principal, need_id))
    return NeedMatchesOut(need=need, matches=await rank(facts_of(need), limit=limit))


async def needs_for_listing(*, principal: Principal, declaration_id: int, limit: int = 50) -> list[ListingNeedOut]:
    """The open needs matching one of the caller's listings, best first (none while it is not published)."""
    if not await search.owns_declaration(org_id=principal.org_id, declaration_id=declaration_id):
        raise NotFound(Msg("declaration.not_found"))
    doc = (await search.documents_for([declaration_id], with_payload=False)).get(declaration_id)
    if doc is None:
        return []
    out = []
    for row in await repository.open_needs(today()):
        match = score(facts_of(row), doc)
        if match.relevant:
            out.append(
                ListingNeedOut(
                    need=need_out(row), score=match.score, matched_terms=match.matched_terms, reasons=_reasons(match)
                )
            )
    out.sort(key=lambda n: (-n.score, -n.need.id))
    return out[:limit]


# ---------------------------------------------------------------------------------------- saved searches


def saved_out(row: SavedSearchRecord) -> SavedSearchOut:
    return SavedSearchOut(
        id=row.id, name=row.name, params=SearchParams.model_validate(row.params), created_at=row.created_at
    )


async def save_search(*, principal: Principal, data: SavedSearchIn) -> SavedSearchOut:
    if data.params.is_blank:
        blank = Msg("search.saved_blank")
        raise ValidationFailed(blank, errors=[FieldError("params", blank, code="blank")])
    params = data.params.model_copy(update={"page": 1}).model_dump(mode="json")
    saved_id = await repository.create_saved(
        org_id=principal.org_id, user_id=principal.user_id, name=data.name, params=params
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.search_saved",
        entity_type="saved_search",
        entity_id=saved_id,
        after={"name": data.name, "params": params},
    )
    return await get_saved(principal=principal, saved_search_id=saved_id)


async def _owned_saved(principal: Principal, saved_search_id: int) -> SavedSearchRecord:
    row = await repository.get_saved(saved_search_id)
    if row is None or row.organisation != principal.org_id:
        raise NotFound(Msg("search.saved_not_found"))
    return row


async def get_saved(*, principal: Principal, saved_search_id: int) -> SavedSearchOut:
    return saved_out(await _owned_saved(principal, saved_search_id))


async def list_saved(*, principal: Principal) -> list[SavedSearchOut]:
    return [saved_out(r) for r in await repository.saved_of(principal.org_id)]


async def delete_saved(*, principal: Principal, saved_search_id: int) -> None:
    await _owned_saved(principal, saved_search_id)
    await repository.delete_saved(saved_search_id)
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.saved_search_deleted",
        entity_type="saved_search",
        entity_id=saved_search_id,
    )


def now() -> datetime:
    return datetime.now(UTC)
