"""Needs and saved searches (SMEs), and the needs matching a listing (its university)."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from listings.needs import service
from listings.needs.schemas import (
    ListingNeedOut,
    NeedIn,
    NeedMatchesOut,
    NeedOut,
    SavedSearchIn,
    SavedSearchOut,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme)
UNIVERSITY = signed_in(OrgKind.university)


class NeedController(Controller):
    path = "/api/needs"
    tags = ["needs"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/", opt=SME, summary="Post a technology need")
    async def create(self, principal: Principal, data: JSONBody[NeedIn]) -> NeedOut:
        return await service.create_need(principal=principal, data=data)

    @get("/", opt=SME, summary="My organisation's needs")
    async def list_mine(self, principal: Principal) -> list[NeedOut]:
        return await service.list_needs(principal=principal)

    @get("/{need_id:int}", opt=SME, summary="One need")
    async def get_one(self, principal: Principal, need_id: int) -> NeedOut:
        return await service.get_need(principal=principal, need_id=need_id)

    @put("/{need_id:int}", opt=SME, summary="Change a need")
    async def update(self, principal: Principal, need_id: int, data: JSONBody[NeedIn]) -> NeedOut:
        return await service.update_need(principal=principal, need_id=need_id, data=data)

    @post("/{need_id:int}/close", opt=SME, status_code=HTTP_200_OK, summary="Close a need (no more matching)")
    async def close(self, principal: Principal, need_id: int) -> NeedOut:
        return await service.close_need(principal=principal, need_id=need_id)

    @delete("/{need_id:int}", opt=SME, status_code=HTTP_204_NO_CONTENT, summary="Delete a need")
    async def remove(self, principal: Principal, need_id: int) -> None:
        await service.delete_need(principal=principal, need_id=need_id)

    @get(
        "/{need_id:int}/matches",
        opt=SME,
        summary="Published listings ranked for a need",
        description="Each with a score out of 100 and its reasons (matched terms, technology field, budget fit, "
        "remaining life) in Chinese and English.",
    )
    async def matches(self, principal: Principal, need_id: int, lang: str) -> NeedMatchesOut:
        return localized(await service.matches_for_need(principal=principal, need_id=need_id), lang)


class SavedSearchController(Controller):
    path = "/api/saved-searches"
    tags = ["search"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/", opt=SME, summary="Save a search: new listings it finds are notified")
    async def create(self, principal: Principal, data: JSONBody[SavedSearchIn]) -> SavedSearchOut:
        return await service.save_search(principal=principal, data=data)

    @get("/", opt=SME, summary="My organisation's saved searches")
    async def list_mine(self, principal: Principal) -> list[SavedSearchOut]:
        return await service.list_saved(principal=principal)

    @get("/{saved_search_id:int}", opt=SME, summary="One saved search")
    async def get_one(self, principal: Principal, saved_search_id: int) -> SavedSearchOut:
        return await service.get_saved(principal=principal, saved_search_id=saved_search_id)

    @delete("/{saved_search_id:int}", opt=SME, status_code=HTTP_204_NO_CONTENT, summary="Delete a saved search")
    async def remove(self, principal: Principal, saved_search_id: int) -> None:
        await service.delete_saved(principal=principal, saved_search_id=saved_search_id)


class ListingNeedsController(Controller):
    path = "/api/listings/{declaration_id:int}/needs"
    tags = ["needs"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY, summary="The open needs matching one of my listings, best first")
    async def needs(self, principal: Principal, declaration_id: int, lang: str) -> list[ListingNeedOut]:
        return localized(await service.needs_for_listing(principal=principal, declaration_id=declaration_id), lang)
