"""The platform admin's refund list: money received for something no longer due (paid another way, the licence
cancelled), kept until it is given back."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template

from finance.payments import service as payments
from frontend.confirm import unless_confirmed
from frontend.render import AnyRequest, Errors, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import Conflict
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ADMIN = signed_in(OrgKind.platform_admin, session_only=True)


class RefundPages(Controller):
    include_in_schema = False
    path = "/admin/refunds"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ADMIN)
    async def due(self, request: AnyRequest, done: str = "") -> Template:
        return await refunds_page(request, done=done == "refunded")

    @post("/{payment_id:int}/refunded", opt=ADMIN)
    async def refunded(self, request: AnyRequest, principal: Principal, payment_id: int) -> Any:
        if step := await unless_confirmed(request, button="ui.confirm_mark_refunded", back="/admin/refunds"):
            return step
        try:
            await payments.mark_refunded(principal=principal, payment_id=payment_id)
        except Conflict as exc:  # marked already: say so beside the list (one not on the list stays a 404)
            return await refunds_page(request, errors=market_messages(exc, lang_of(request)), status=exc.status)
        return Redirect(path="/admin/refunds?done=refunded")


async def refunds_page(
    request: AnyRequest, *, errors: Errors | None = None, done: bool = False, status: int = 200
) -> Template:
    return page(
        request, "finance/refunds.html", status, refunds=await payments.refunds_due(), errors=errors or [], done=done
    )
