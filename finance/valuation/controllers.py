"""Valuation API: an SME values one of its patents by relief-from-royalty, every input and year shown."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from finance.valuation import service
from finance.valuation.schemas import ValuationIn, ValuationOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

HOLDERS = signed_in(OrgKind.sme, OrgKind.university)


class ValuationController(Controller):
    path = "/api/valuations"
    tags = ["valuation"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/relief-from-royalty",
        opt=HOLDERS,
        status_code=HTTP_200_OK,
        summary="Value one of my patents by relief-from-royalty (method external, internal or agreed)",
    )
    async def value(self, principal: Principal, data: JSONBody[ValuationIn], lang: str) -> ValuationOut:
        return localized(await service.valuate(principal=principal, data=data), lang)
