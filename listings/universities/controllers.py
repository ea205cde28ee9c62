"""A university's settings API, and its patentee aliases (an SME records its own aliases here too)."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.di import Provide
from litestar.params import JSONBody

from listings.universities import service
from listings.universities.schemas import AliasIn, AliasOut, UniversitySettingsIn, UniversitySettingsOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs.schemas import OrgKind
from market.web.access import signed_in


class UniversitySettingsController(Controller):
    path = "/api/university/settings"
    tags = ["universities"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=signed_in(OrgKind.university), summary="Inventor reward share")
    async def get_settings(self, principal: Principal) -> UniversitySettingsOut:
        return await service.get_settings(principal=principal)

    @put("/", opt=signed_in(OrgKind.university, owner=True), summary="Set the inventor reward share (at least 20%)")
    async def set_settings(self, principal: Principal, data: JSONBody[UniversitySettingsIn]) -> UniversitySettingsOut:
        return await service.set_settings(principal=principal, data=data)


class PatenteeAliasController(Controller):
    path = "/api/university/aliases"
    tags = ["universities"]
    dependencies = {"principal": Provide(provide_principal)}

    @get(
        "/",
        opt=signed_in(OrgKind.university, OrgKind.sme),
        summary="The other names the university or SME is patentee under",
    )
    async def list_aliases(self, principal: Principal) -> list[AliasOut]:
        return await service.aliases(principal.org_id)

    @post(
        "/",
        opt=signed_in(OrgKind.university, OrgKind.sme, owner=True),
        summary="Record an alias (a former, formal or English name) with its evidence; checked at declaration",
    )
    async def record_alias(self, principal: Principal, data: JSONBody[AliasIn]) -> AliasOut:
        return await service.record_alias(principal=principal, data=data)

    @delete("/{alias_id:int}", opt=signed_in(OrgKind.university, OrgKind.sme, owner=True), summary="Remove an alias")
    async def remove_alias(self, principal: Principal, alias_id: int) -> None:
        await service.remove_alias(principal=principal, alias_id=alias_id)
