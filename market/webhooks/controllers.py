"""Webhooks API for an organisation's owners: endpoints (the secret shown once), deliveries, redelivery."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.settings import Settings
from market.web.access import signed_in
from market.webhooks import service
from market.webhooks.schemas import DeliveryDetailOut, DeliveryOut, EndpointCreated, EndpointIn, EndpointOut

OWNERS = signed_in(owner=True)


def loopback_http_allowed(settings: Settings) -> bool:
    """Plain http to localhost: tests and development only."""
    return settings.env != "production"


class WebhookController(Controller):
    path = "/api/webhooks"
    tags = ["webhooks"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/endpoints", opt=OWNERS, summary="The organisation's webhook endpoints")
    async def endpoints(self, principal: Principal) -> list[EndpointOut]:
        return await service.list_endpoints(principal=principal)

    @post(
        "/endpoints",
        opt=OWNERS,
        status_code=HTTP_201_CREATED,
        summary="Register an endpoint; the signing secret is in this answer only",
    )
    async def create(self, principal: Principal, settings: Settings, data: JSONBody[EndpointIn]) -> EndpointCreated:
        return await service.create_endpoint(
            principal=principal, data=data, allow_loopback_http=loopback_http_allowed(settings)
        )

    @get("/endpoints/{endpoint_id:int}", opt=OWNERS, summary="One endpoint")
    async def endpoint(self, principal: Principal, endpoint_id: int) -> EndpointOut:
        return await service.endpoint_of(principal=principal, endpoint_id=endpoint_id)

    @post(
        "/endpoints/{endpoint_id:int}/disable",
        opt=OWNERS,
        status_code=HTTP_200_OK,
        summary="Stop delivering to an endpoint (kept with its history)",
    )
    async def disable(self, principal: Principal, endpoint_id: int) -> EndpointOut:
        return await service.disable_endpoint(principal=principal, endpoint_id=endpoint_id)

    @post(
        "/endpoints/{endpoint_id:int}/ping",
        opt=OWNERS,
        status_code=HTTP_201_CREATED,
        summary="Send a test event (webhooks.ping) to an endpoint",
    )
    async def ping(self, principal: Principal, endpoint_id: int) -> DeliveryOut:
        return await service.ping(principal=principal, endpoint_id=endpoint_id)

    @get("/deliveries", opt=OWNERS, summary="Deliveries, newest first (filter by status or endpoint)")
    async def deliveries(
        self,
        principal: Principal,
        status: str | None = Parameter(default=None, pattern="^(pending|retrying|delivered|failed)$"),
        endpoint: int | None = Parameter(default=None, ge=1),
        limit: int = Parameter(default=50, ge=1, le=500),
        offset: int = Parameter(default=0, ge=0),
    ) -> list[DeliveryOut]:
        return await service.list_deliveries(
            principal=principal, status=status, endpoint_id=endpoint, limit=limit, offset=offset
        )

    @get("/deliveries/{delivery_id:int}", opt=OWNERS, summary="One delivery: its body and every attempt")
    async def delivery(self, principal: Principal, delivery_id: int) -> DeliveryDetailOut:
        return await service.get_delivery(principal=principal, delivery_id=delivery_id)

    @post(
        "/deliveries/{delivery_id:int}/redeliver",
        opt=OWNERS,
        status_code=HTTP_200_OK,
        summary="Send a delivery again (same event id and body)",
    )
    async def redeliver(self, principal: Principal, delivery_id: int) -> DeliveryOut:
        return await service.redeliver(principal=principal, delivery_id=delivery_id)
