"""Declarations API (universities). The public listings: ``listings.search.controllers``."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK

from listings.declarations import service
from listings.declarations.schemas import (
    DeclarationOut,
    DeclareIn,
    DeclareReport,
    TermsIn,
    WithdrawIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.jobs import unit_of_work
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

UNIVERSITY = signed_in(OrgKind.university)


class DeclarationController(Controller):
    path = "/api/declarations"
    tags = ["declarations"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/",
        opt=UNIVERSITY,
        status_code=HTTP_200_OK,
        summary="Declare one patent or many: each is published (or drafted) or refused with every reason",
    )
    async def declare(self, principal: Principal, data: JSONBody[DeclareIn]) -> DeclareReport:
        async with unit_of_work():
            return await service.declare(principal=principal, data=data)

    @post("/check", opt=UNIVERSITY, status_code=HTTP_200_OK, summary="Check eligibility without declaring")
    async def check(self, principal: Principal, data: JSONBody[DeclareIn]) -> DeclareReport:
        return await service.declare(principal=principal, data=data, dry_run=True)

    @get("/", opt=UNIVERSITY, summary="My organisation's declarations")
    async def list_mine(
        self,
        principal: Principal,
        status: str | None = Parameter(default=None, pattern="^(draft|published|withdrawn)$"),
        page: int = Parameter(default=1, ge=1),
        per_page: int = Parameter(default=50, ge=1, le=200),
    ) -> list[DeclarationOut]:
        return await service.list_mine(principal=principal, status=status, page=page, per_page=per_page)

    @get("/{declaration_id:int}", opt=UNIVERSITY, summary="One declaration with every version")
    async def get_one(self, principal: Principal, declaration_id: int) -> DeclarationOut:
        return await service.get(principal=principal, declaration_id=declaration_id)

    @post("/{declaration_id:int}/publish", opt=UNIVERSITY, status_code=HTTP_200_OK, summary="Publish a draft")
    async def publish(self, principal: Principal, declaration_id: int) -> DeclarationOut:
        async with unit_of_work():
            return await service.publish(principal=principal, declaration_id=declaration_id)

    @post(
        "/{declaration_id:int}/versions",
        opt=UNIVERSITY,
        status_code=HTTP_200_OK,
        summary="New terms: a draft changes; a published declaration gets a new version",
    )
    async def revise(self, principal: Principal, declaration_id: int, data: JSONBody[TermsIn]) -> DeclarationOut:
        async with unit_of_work():
            return await service.revise(principal=principal, declaration_id=declaration_id, terms=data)

    @post(
        "/{declaration_id:int}/withdraw",
        opt=UNIVERSITY,
        status_code=HTTP_200_OK,
        summary="Withdraw (Art 50(2)): licences already granted stay valid",
    )
    async def withdraw(self, principal: Principal, declaration_id: int, data: JSONBody[WithdrawIn]) -> DeclarationOut:
        async with unit_of_work():
            return await service.withdraw(principal=principal, declaration_id=declaration_id, data=data)
