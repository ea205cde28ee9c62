"""The bank's portfolio figures."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import Provide

from finance.exports import service
from finance.exports.schemas import PortfolioOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

BANK = signed_in(OrgKind.bank)


class PortfolioController(Controller):
    path = "/api/bank/portfolio"
    tags = ["bank"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=BANK, summary="The bank's pledge book on the desk: amounts by state, ageing, SLA breaches")
    async def portfolio(self, principal: Principal) -> PortfolioOut:
        return await service.portfolio(principal=principal)
