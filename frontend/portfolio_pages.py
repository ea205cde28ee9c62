"""The bank's portfolio page: its pledge book on the desk as charts (Apache ECharts, served from
``/static/vendor/`` when scripts/setup.sh could install it from npm; never a CDN), each chart with its table, which
is the page's content without JavaScript or without the library."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import Provide
from litestar.response import Template

from finance.exports import service as exports
from frontend.charts import charts_available
from frontend.render import AnyRequest, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

BANK = signed_in(OrgKind.bank, session_only=True)


class PortfolioPages(Controller):
    include_in_schema = False
    path = "/bank/portfolio"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=BANK)
    async def portfolio(self, request: AnyRequest, principal: Principal) -> Template:
        book = await exports.portfolio(principal=principal)
        currencies = sorted({s.currency for s in book.states} | {a.currency for a in book.ageing}) or ["CNY"]
        return page(
            request,
            "portfolio/portfolio.html",
            book=book,
            currencies=currencies,
            charts=charts_available(),
            total_count=sum(s.count for s in book.states),
        )
