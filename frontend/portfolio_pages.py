"""The bank's portfolio page: its pledge book on the desk as charts (Apache ECharts, served from
``/static/vendor/`` when scripts/setup.sh could install it from npm; never a CDN), each chart with its table, which
is the page's content without JavaScript or without the library."""

from __future__ import annotations

from pathlib import Path

from litestar import Controller, get
from litestar.di import Provide
from litestar.response import Template

from finance.exports import service as exports
from frontend.render import AnyRequest, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ECHARTS = Path(__file__).parent / "static" / "vendor" / "echarts.min.js"
BANK = signed_in(OrgKind.bank, session_only=True)


def charts_available() -> bool:
    """Whether setup installed Apache ECharts (without npm the page shows its tables alone)."""
    return ECHARTS.is_file()


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
