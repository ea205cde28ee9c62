"""The licence contract PDF, for the licence's two parties."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import Provide

from finance.contracts import service as contracts
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

PARTIES = signed_in(OrgKind.university, OrgKind.sme)


class LicenceContractController(Controller):
    path = "/api/licences"
    tags = ["licences"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/{licence_id:int}/contract", opt=PARTIES, summary="The licence contract PDF (the two parties only)")
    async def contract(self, principal: Principal, licence_id: int) -> Response[bytes]:
        name, data = await contracts.download(principal=principal, licence_id=licence_id)
        return Response(
            data, media_type="application/pdf", headers={"content-disposition": f'attachment; filename="{name}"'}
        )
