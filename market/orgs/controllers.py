"""Organisations API: my organisation and its members."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs import service
from market.orgs.schemas import MemberIn, MemberOut, OrgOut
from market.web.access import signed_in


class OrgController(Controller):
    path = "/api/orgs/{org_id:int}"
    tags = ["organisations"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=signed_in())
    async def get_org(self, principal: Principal, org_id: int) -> OrgOut:
        return await service.get_org(principal=principal, org_id=org_id)

    @get("/members", opt=signed_in())
    async def list_members(self, principal: Principal, org_id: int) -> list[MemberOut]:
        return await service.list_members(principal=principal, org_id=org_id)

    @post("/members", opt=signed_in(owner=True), status_code=HTTP_201_CREATED)
    async def add_member(self, principal: Principal, org_id: int, data: JSONBody[MemberIn]) -> MemberOut:
        return await service.add_member(principal=principal, org_id=org_id, data=data)

    @delete("/members/{user_id:int}", opt=signed_in(owner=True), status_code=HTTP_204_NO_CONTENT)
    async def remove_member(self, principal: Principal, org_id: int, user_id: int) -> None:
        await service.remove_member(principal=principal, org_id=org_id, user_id=user_id)
