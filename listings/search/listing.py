"""The public listings: a published declaration as a firm reads it, with where its price lies against the advice.

Here rather than in ``listings.declarations`` because the price check comes from ``listings.advice``, which sits
above the declarations (it reads their terms); the declarations know nothing of the advice.
"""

from __future__ import annotations

from listings.advice import service as advice
from listings.advice.schemas import PriceCheckOut
from listings.declarations import service as declarations
from listings.declarations.records import DeclarationRecord, DeclarationVersionRecord
from listings.patents import service as patents
from listings.patents.lifetimes import remaining_years
from listings.patents.records import PatentRecord
from listings.search.schemas import ListingOut, ListingPage
from listings.technology import ipc_fields
from market import runtime
from market.errors import NotFound
from market.i18n import Msg
from market.orgs import service as org_service


async def listing(*, declaration_id: int, withdrawn_too: bool = False) -> ListingOut:
    """The public page of a published declaration; drafts are not public. A withdrawn one is not public either,
    except, with ``withdrawn_too``, for its withdrawal notice (status ``withdrawn`` and the date, no price check):
    Patent Law Art 50(2), licences already granted stay valid."""
    row = await declarations.declaration_by_id(declaration_id)
    shown = ("published", "withdrawn") if withdrawn_too else ("published",)
    if row is None or row.status not in shown:
        raise NotFound(Msg("listing.not_found"))
    patent = await patents.patent_by_id(row.patent)
    assert patent is not None
    versions = {declaration_id: await declarations.versions(declaration_id)}
    if row.status == "withdrawn":
        current = _current(row, versions[declaration_id])
        out = await _listing_out(row, patent, current, None)
        return out.model_copy(update={"status": row.status, "withdrawn_at": row.withdrawn_at})
    [item] = await _listing_outs([row], {patent.id: patent}, versions)
    return item


def _current(row: DeclarationRecord, versions: list[DeclarationVersionRecord]) -> DeclarationVersionRecord:
    return next(v for v in versions if v.version == row.current_version)


async def _listing_outs(
    rows: list[DeclarationRecord],
    patents_by_id: dict[int, PatentRecord],
    versions: dict[int, list[DeclarationVersionRecord]],
) -> list[ListingOut]:
    pairs = [(patents_by_id[r.patent], _current(r, versions[r.id])) for r in rows]
    checks = await advice.price_checks(pairs, data_dir=runtime.current().settings.data_dir)
    return [await _listing_out(r, p, v, c) for r, (p, v), c in zip(rows, pairs, checks, strict=True)]


async def _org_name(org_id: int) -> str:
    org = await org_service.org_by_id(org_id)
    return org.name if org else ""


async def _org_verified(org_id: int) -> bool:
    return (await org_service.verified([org_id])).get(org_id, False)


async def _listing_out(
    row: DeclarationRecord, patent: PatentRecord, current: DeclarationVersionRecord, price_check: PriceCheckOut | None
) -> ListingOut:
    return ListingOut(
        price_check=price_check,
        id=row.id,
        patent_number=patent.number,
        kind=patent.kind,
        title_zh=patent.title_zh,
        title_en=patent.title_en,
        abstract=patent.abstract,
        ipc=ipc_fields(patent.ipc_codes),
        patentees=patent.patentees,
        university=await _org_name(row.organisation),
        university_org_id=row.organisation,
        university_verified=await _org_verified(row.organisation),
        filing_date=patent.filing_date,
        expiry_date=patent.expiry_date,
        remaining_years=remaining_years(patent.expiry_date, patents.today()),
        version=row.current_version,
        published_at=row.published_at,
        terms=declarations.version_out(current, patent.expiry_date),
    )


async def listings(*, page: int = 1, per_page: int = 20) -> ListingPage:
    rows, total = await declarations.published(limit=per_page, offset=(page - 1) * per_page)
    patents_by_id = {p.id: p for p in await patents.patents_by_ids([r.patent for r in rows])}
    versions = await declarations.versions_of([r.id for r in rows])
    items = await _listing_outs(rows, patents_by_id, versions)
    return ListingPage(items=items, total=total, page=page, per_page=per_page)
