"""Events API for the platform's operators: what is stuck or failed, and a retry."""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK

from market.events import service
from market.events.schemas import EventOut
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ADMIN = signed_in(OrgKind.platform_admin)


class EventAdminController(Controller):
    path = "/api/admin/events"
    tags = ["events"]

    @get("/", opt=ADMIN, summary="Events failed, being retried, or pending too long")
    async def stuck(
        self,
        stuck_after_minutes: int = Parameter(default=5, ge=0, le=10_080),
        limit: int = Parameter(default=100, ge=1, le=1000),
    ) -> list[EventOut]:
        return await service.stuck(stuck_after=timedelta(minutes=stuck_after_minutes), limit=limit)

    @get("/{event_id:int}", opt=ADMIN, summary="One event and its handlers' deliveries")
    async def get_one(self, event_id: int) -> EventOut:
        return await service.get(event_id=event_id)

    @post("/{event_id:int}/retry", opt=ADMIN, status_code=HTTP_200_OK, summary="Try an event's handlers again")
    async def retry(self, event_id: int) -> EventOut:
        return await service.retry(event_id=event_id)
