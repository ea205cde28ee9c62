"""Licences API: request, read, cancel, export the filing. Paying, royalty reports and the contract are served
under the same path by their own modules' controllers (finance.payments, finance.royalties, finance.contracts)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.licences import service
from finance.licences.schemas import FilingOut, LicenceOut, LicenceRequestIn
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

PARTIES = signed_in(OrgKind.university, OrgKind.sme)
LICENSEE = signed_in(OrgKind.sme)


class LicenceController(Controller):
    path = "/api/licences"
    tags = ["licences"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/",
        opt=LICENSEE,
        status_code=HTTP_201_CREATED,
        summary="Take an open licence: accept the announced terms (Patent Law Art 51)",
    )
    async def request_licence(self, principal: Principal, data: JSONBody[LicenceRequestIn], lang: str) -> LicenceOut:
        return localized(await service.request_licence(principal=principal, data=data), lang)

    @get("/", opt=PARTIES, summary="My licences (a university: granted; a firm: taken)")
    async def list_mine(self, principal: Principal, lang: str) -> list[LicenceOut]:
        return localized(await service.list_mine(principal=principal), lang)

    @get("/{licence_id:int}", opt=PARTIES, summary="One licence, for its two parties")
    async def get_one(self, principal: Principal, licence_id: int, lang: str) -> LicenceOut:
        return localized(await service.get(principal=principal, licence_id=licence_id), lang)

    @post("/{licence_id:int}/cancel", opt=LICENSEE, status_code=HTTP_200_OK, summary="Cancel an unpaid request")
    async def cancel(self, principal: Principal, licence_id: int, lang: str) -> LicenceOut:
        return localized(await service.cancel(principal=principal, licence_id=licence_id), lang)

    @get(
        "/{licence_id:int}/filing",
        opt=PARTIES,
        summary="What the CNIPA filing needs, and its 3-month deadline (Implementing Regulations Art 15, 87)",
    )
    async def filing(self, principal: Principal, licence_id: int, lang: str) -> FilingOut:
        return localized(await service.filing(principal=principal, licence_id=licence_id, lang=lang), lang)
