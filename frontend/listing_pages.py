"""Public pages: the published open licences and one listing (requesting a licence: frontend.licence_pages)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter
from litestar.response import Template

from finance.payees import service as payees
from frontend.render import AnyRequest, page, page_count
from listings.search import listing as public_listings
from market.web.access import public

PER_PAGE = 20


class ListingPages(Controller):
    include_in_schema = False
    path = "/listings"

    @get("/", opt=public())
    async def listings(self, request: AnyRequest, page_no: Annotated[int, QueryParameter(name="page")] = 1) -> Template:
        page_no = max(1, min(page_no, 100_000))
        result = await public_listings.listings(page=page_no, per_page=PER_PAGE)
        return page(request, "listings.html", result=result, pages=page_count(result.total, PER_PAGE))

    @get("/{declaration_id:int}", opt=public())
    async def listing(self, request: AnyRequest, declaration_id: int) -> Template:
        """A withdrawn listing answers 410 Gone with its withdrawal notice: the offer is gone for good (a withdrawn
        declaration is never published again), licences already granted stay valid (Patent Law Art 50(2))."""
        found = await public_listings.listing(declaration_id=declaration_id, withdrawn_too=True)
        if found.status == "withdrawn":
            return page(request, "listing_withdrawn.html", 410, listing=found)
        can_transfer = bool(await payees.can_receive_transfers([found.university_org_id]))
        return page(request, "listing.html", listing=found, can_transfer=can_transfer)
