"""The public search API."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import Parameter
from pydantic import ValidationError

from listings.search import listing, service
from listings.search.schemas import MAX_QUERY_CHARS, ListingOut, ListingPage, SearchPageOut, SearchParams
from market.errors import FieldError, ValidationFailed
from market.i18n.localized import localized
from market.integrations.search import SortOrder
from market.kit.messages import Msg
from market.web.access import public


def validation_failed(exc: ValidationError) -> ValidationFailed:
    return ValidationFailed(
        Msg("search.invalid"),
        errors=[FieldError(".".join(str(p) for p in e["loc"]) or "query", e["msg"]) for e in exc.errors()],
    )


class SearchController(Controller):
    path = "/api/search"
    tags = ["search"]

    @get(
        "/",
        opt=public(),
        summary="Search the published open licences",
        description="Chinese, English or both (a Chinese run is found inside longer words; Latin-script typos are "
        "forgiven). Filters repeat their key (kind=invention&kind=design): OR within one, AND across. Facet counts "
        'are disjunctive. Query language: "a phrase", a OR b (also |), -word or NOT word, AND (the default); '
        "a patent number in any usual form; up to 2,000 characters (a long text is searched by its most "
        "distinctive terms). "
        "An empty result carries suggestions (a close spelling, a word or filter to drop), each "
        "with the parameters to apply it.",
    )
    async def search(
        self,
        lang: str,
        q: str = Parameter(default="", max_length=MAX_QUERY_CHARS),
        tech_fields: list[str] | None = None,
        industries: list[str] | None = None,
        kind: list[str] | None = None,
        payment_mode: list[str] | None = None,
        price_band: list[str] | None = None,
        region: list[str] | None = None,
        ipc_sections: list[str] | None = None,
        patentee: list[str] | None = None,
        university_org_id: list[str] | None = None,
        price_min_minor: int | None = Parameter(default=None, ge=0),
        price_max_minor: int | None = Parameter(default=None, ge=0),
        remaining_min_years: float | None = Parameter(default=None, ge=0, le=30),
        sort: SortOrder = "relevance",
        page: int = Parameter(default=1, ge=1, le=1000),
        per_page: int = Parameter(default=20, ge=1, le=100),
    ) -> SearchPageOut:
        try:
            params = SearchParams(
                q=q,
                tech_fields=tech_fields or [],
                industries=industries or [],
                kind=kind or [],
                payment_mode=payment_mode or [],
                price_band=price_band or [],
                region=region or [],
                ipc_sections=ipc_sections or [],
                patentee=patentee or [],
                university_org_id=university_org_id or [],
                price_min_minor=price_min_minor,
                price_max_minor=price_max_minor,
                remaining_min_years=remaining_min_years,
                sort=sort,
                page=page,
                per_page=per_page,
            )
        except ValidationError as exc:
            raise validation_failed(exc) from exc
        return localized(await service.search(params=params), lang)


class ListingController(Controller):
    path = "/api/listings"
    tags = ["listings"]

    @get("/", opt=public(), summary="Published open licences")
    async def list_listings(
        self, lang: str, page: int = Parameter(default=1, ge=1), per_page: int = Parameter(default=20, ge=1, le=100)
    ) -> ListingPage:
        return localized(await listing.listings(page=page, per_page=per_page), lang)

    @get("/{declaration_id:int}", opt=public(), summary="One published open licence")
    async def get_listing(self, declaration_id: int, lang: str) -> ListingOut:
        return localized(await listing.listing(declaration_id=declaration_id), lang)
