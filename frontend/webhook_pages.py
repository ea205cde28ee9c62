"""An organisation's webhooks, for its owners: endpoints (the secret shown once, when made), the deliveries with
their attempts and failures, a test event, redelivery; disabling an endpoint goes through the confirmation step."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from frontend.confirm import confirm_page, confirmed
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError
from market.settings import Settings
from market.web.access import signed_in
from market.webhooks import service as webhooks
from market.webhooks.controllers import loopback_http_allowed
from market.webhooks.schemas import EndpointCreated, EndpointIn

OWNERS = signed_in(owner=True, session_only=True)
STATUSES = ("pending", "retrying", "delivered", "failed")


class WebhookPages(Controller):
    include_in_schema = False
    path = "/webhooks"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=OWNERS)
    async def overview(self, request: AnyRequest, principal: Principal, status: str = "", done: str = "") -> Template:
        return await webhooks_page(request, principal, status=status, done=done)

    @post("/", opt=OWNERS)
    async def create(self, request: AnyRequest, principal: Principal, settings: Settings) -> Template:
        form = await form_of(request)
        typed = {
            "url": str(form.get("url") or ""),
            "description": str(form.get("description") or ""),
            "events": [str(e) for e in form.getall("events", [])],
        }
        lang = lang_of(request)
        try:
            data = EndpointIn(**typed)
            created = await webhooks.create_endpoint(
                principal=principal, data=data, allow_loopback_http=loopback_http_allowed(settings)
            )
        except ValidationError as exc:
            return await webhooks_page(request, principal, errors=field_messages(exc, lang), typed=typed, code=400)
        except MarketError as exc:
            errors = market_messages(exc, lang)
            return await webhooks_page(request, principal, errors=errors, typed=typed, code=exc.status)
        return await webhooks_page(request, principal, created=created, code=201)

    @post("/endpoints/{endpoint_id:int}/disable", opt=OWNERS)
    async def disable(self, request: AnyRequest, principal: Principal, endpoint_id: int) -> Any:
        endpoint = await webhooks.endpoint_of(principal=principal, endpoint_id=endpoint_id)  # another's: 404
        if not confirmed(await form_of(request)):
            return confirm_page(
                request,
                action=f"/webhooks/endpoints/{endpoint_id}/disable",
                heading="ui.webhooks_disable",
                question="ui.webhooks_disable_question",
                button="ui.webhooks_disable",
                back="/webhooks",
                details=[endpoint.url],
                danger=True,
            )
        await webhooks.disable_endpoint(principal=principal, endpoint_id=endpoint_id)
        return Redirect(path="/webhooks?done=disabled")

    @post("/endpoints/{endpoint_id:int}/ping", opt=OWNERS)
    async def ping(self, request: AnyRequest, principal: Principal, endpoint_id: int) -> Any:
        try:
            await webhooks.ping(principal=principal, endpoint_id=endpoint_id)
        except MarketError as exc:
            if exc.status == 404:
                raise
            return await webhooks_page(request, principal, errors=market_messages(exc, lang_of(request)), code=409)
        return Redirect(path="/webhooks?done=pinged")

    @get("/deliveries/{delivery_id:int}", opt=OWNERS)
    async def delivery(self, request: AnyRequest, principal: Principal, delivery_id: int, done: str = "") -> Template:
        detail = await webhooks.get_delivery(principal=principal, delivery_id=delivery_id)
        return page(request, "webhooks/delivery.html", d=detail, done=done, errors=[])

    @post("/deliveries/{delivery_id:int}/redeliver", opt=OWNERS)
    async def redeliver(self, request: AnyRequest, principal: Principal, delivery_id: int) -> Any:
        try:
            await webhooks.redeliver(principal=principal, delivery_id=delivery_id)
        except MarketError as exc:
            if exc.status == 404:
                raise
            detail = await webhooks.get_delivery(principal=principal, delivery_id=delivery_id)
            errors = market_messages(exc, lang_of(request))
            return page(request, "webhooks/delivery.html", exc.status, d=detail, done="", errors=errors)
        return Redirect(path=f"/webhooks/deliveries/{delivery_id}?done=redelivered")


async def webhooks_page(
    request: AnyRequest,
    principal: Principal,
    *,
    status: str = "",
    done: str = "",
    errors: Errors | None = None,
    typed: dict[str, Any] | None = None,
    created: EndpointCreated | None = None,
    code: int = 200,
) -> Template:
    errors = errors or []
    chosen = status if status in STATUSES else ""
    return page(
        request,
        "webhooks/index.html",
        code,
        endpoints=await webhooks.list_endpoints(principal=principal),
        deliveries=await webhooks.list_deliveries(principal=principal, status=chosen or None, limit=50),
        event_types=webhooks.EVENT_TYPES,
        statuses=STATUSES,
        status=chosen,
        done=done,
        created=created,
        form=typed or {"url": "", "description": "", "events": ["desk.case_moved"]},
        errors=errors,
        bad={e["field"].split(".")[0] for e in errors},
    )
