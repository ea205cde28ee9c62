"""Notifications API: mine, and marking one read."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK

from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.notifications import service
from market.notifications.schemas import NotificationOut, UnreadOut
from market.web.access import signed_in


class NotificationController(Controller):
    path = "/api/notifications"
    tags = ["notifications"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=signed_in())
    async def list_mine(self, principal: Principal, lang: str) -> list[NotificationOut]:
        """Mine, newest first, in the ``Accept-Language`` language (each carries its code and parameters too)."""
        return await service.list_mine(principal=principal, lang=lang)

    @post("/read-all", opt=signed_in(), status_code=HTTP_200_OK)
    async def mark_all_read(self, principal: Principal) -> UnreadOut:
        """Mark all mine read; the unread count after (0) and how many were marked."""
        marked = await service.mark_all_read(principal=principal)
        return UnreadOut(unread=await service.unread_count(principal.user_id), marked=marked)

    @get("/unread", opt=signed_in())
    async def unread(self, principal: Principal) -> UnreadOut:
        return UnreadOut(unread=await service.unread_count(principal.user_id))

    @post("/{notification_id:int}/read", opt=signed_in(), status_code=HTTP_200_OK)
    async def mark_read(self, principal: Principal, notification_id: int, lang: str) -> NotificationOut:
        return await service.mark_read(principal=principal, notification_id=notification_id, lang=lang)
