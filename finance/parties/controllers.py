"""Related-party facts API: an organisation's members read its facts (with every earlier version); its owners
record a new version."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from finance.parties import service
from finance.parties.schemas import PartiesOut, PartyFactsIn
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.web.access import signed_in

MEMBER = signed_in()
OWNER = signed_in(owner=True)


class PartiesController(Controller):
    path = "/api/parties"
    tags = ["parties"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=MEMBER, summary="My organisation's related-party facts in force, and every earlier version")
    async def mine(self, principal: Principal) -> PartiesOut:
        return await service.mine(principal=principal)

    @put(
        "/",
        opt=OWNER,
        status_code=HTTP_200_OK,
        summary="Record the facts (legal representative, phone, address, parent, shareholders); owners only",
    )
    async def record(self, principal: Principal, data: JSONBody[PartyFactsIn]) -> PartiesOut:
        return await service.record_facts(principal=principal, data=data)
