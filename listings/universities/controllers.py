"""A university's settings API."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.di import Provide
from litestar.params import JSONBody

from listings.universities import service
from listings.universities.schemas import UniversitySettingsIn, UniversitySettingsOut
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
