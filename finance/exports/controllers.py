"""A pledge application's package (for its two parties) and the bank's portfolio figures."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import Provide

from finance.exports import service
from finance.exports.schemas import PortfolioOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

PARTIES = signed_in(OrgKind.sme, OrgKind.bank)
BANK = signed_in(OrgKind.bank)


class PledgePackageController(Controller):
    path = "/api/pledges"
    tags = ["pledges"]
    dependencies = {"principal": Provide(provide_principal)}

    @get(
        "/{application_id:int}/package",
        opt=PARTIES,
        summary="The application's package: a zip of manifest.json (SHA-256 of each file), the application, its "
        "decisions and documents",
        media_type="application/zip",
    )
    async def package(self, principal: Principal, application_id: int) -> Response[bytes]:
        made = await service.package(principal=principal, application_id=application_id)
        return Response(
            made.content,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
        )


class PortfolioController(Controller):
    path = "/api/bank/portfolio"
    tags = ["bank"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=BANK, summary="The bank's pledge book on the desk: amounts by state, ageing, SLA breaches")
    async def portfolio(self, principal: Principal) -> PortfolioOut:
        return await service.portfolio(principal=principal)
