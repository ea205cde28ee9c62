"""Pricing suggestions API: for a recorded patent (its university) or for facts given directly (anyone signed in)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK

from listings.advice import service
from listings.advice.schemas import SuggestFactsIn, SuggestionOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.settings import Settings
from market.web.access import signed_in


class PricingController(Controller):
    path = "/api/pricing"
    tags = ["pricing"]
    dependencies = {"principal": Provide(provide_principal)}

    @get(
        "/patents/{patent_id:int}",
        opt=signed_in(OrgKind.university),
        summary="Suggested open-licence terms for one of my patents, explained factor by factor",
    )
    async def for_patent(
        self,
        principal: Principal,
        settings: Settings,
        patent_id: int,
        lang: str,
        expected_annual_net_sales_minor: int | None = Parameter(default=None, ge=0),
        term_years: int | None = Parameter(default=None, ge=1, le=20),
    ) -> SuggestionOut:
        suggestion = await service.suggest_for_patent(
            principal=principal,
            patent_id=patent_id,
            data_dir=settings.data_dir,
            expected_annual_net_sales_minor=expected_annual_net_sales_minor,
            term_years=term_years,
        )
        return localized(suggestion, lang)

    @post("/suggest", opt=signed_in(), status_code=HTTP_200_OK, summary="Suggested terms for facts given directly")
    async def for_facts(self, settings: Settings, data: JSONBody[SuggestFactsIn], lang: str) -> SuggestionOut:
        return localized(await service.suggest_for_facts(data=data, data_dir=settings.data_dir), lang)
