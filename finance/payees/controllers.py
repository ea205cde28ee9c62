"""The university's payee account: read it (with its history) and record a new one (owners only)."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from finance.payees import service
from finance.payees.schemas import PayeeAccountIn, PayeeAccountOut, PayeeOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

UNIVERSITY = signed_in(OrgKind.university)
OWNER = signed_in(OrgKind.university, owner=True)


class PayeeController(Controller):
    path = "/api/university/payee-account"
    tags = ["payments"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY, summary="My university's payee account in force, and every earlier one")
    async def mine(self, principal: Principal) -> PayeeOut:
        return await service.mine(principal=principal)

    @put("/", opt=OWNER, status_code=HTTP_200_OK, summary="Record the payee account (户名, 开户行, 账号); owners only")
    async def record(self, principal: Principal, data: JSONBody[PayeeAccountIn]) -> PayeeAccountOut:
        return await service.record_account(principal=principal, data=data)
