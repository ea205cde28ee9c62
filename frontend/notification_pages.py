"""The notifications page: mine, newest first, unread marked in words; opening one marks it read and goes to its
object; "mark read" per item and "mark all read" (forms, with CSRF). The header's unread count comes from
``unread_into_state`` (a hook before each page)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template

from frontend.render import UNREAD_STATE, AnyRequest, lang_of, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.notifications import service as notifications
from market.web.access import signed_in

PER_PAGE = 50


class NotificationPages(Controller):
    include_in_schema = False
    path = "/notifications"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=signed_in())
    async def mine(self, request: AnyRequest, principal: Principal, page_no: int = 1, done: str = "") -> Template:
        number = max(1, page_no)
        rows = await notifications.list_mine(
            principal=principal, lang=lang_of(request), limit=PER_PAGE + 1, offset=(number - 1) * PER_PAGE
        )
        return page(
            request,
            "notifications.html",
            notes=rows[:PER_PAGE],
            page_no=number,
            more=len(rows) > PER_PAGE,
            unread=await notifications.unread_count(principal.user_id),
            done=done,
        )

    @get("/{notification_id:int}", opt=signed_in())
    async def open(self, request: AnyRequest, principal: Principal, notification_id: int) -> Redirect:
        """Open one: it is read now, and the reader goes to its object (or to it on this page, when it has none)."""
        note = await notifications.mark_read(
            principal=principal, notification_id=notification_id, lang=lang_of(request)
        )
        return Redirect(path=note.link or f"/notifications#n-{note.id}")

    @post("/{notification_id:int}/read", opt=signed_in(session_only=True))
    async def read(self, request: AnyRequest, principal: Principal, notification_id: int) -> Redirect:
        await notifications.mark_read(principal=principal, notification_id=notification_id, lang=lang_of(request))
        return Redirect(path=f"/notifications?done=read#n-{notification_id}")

    @post("/read-all", opt=signed_in(session_only=True))
    async def read_all(self, principal: Principal) -> Redirect:
        await notifications.mark_all_read(principal=principal)
        return Redirect(path="/notifications?done=all")


async def unread_into_state(request: AnyRequest) -> None:
    """Before a page: the signed-in reader's unread count, for the header (no query for the API or static files)."""
    path = request.url.path
    if path.startswith(("/api/", "/static/", "/schema")):
        return
    user = request.scope.get("user")
    if isinstance(user, Principal) and user.via == "session":
        request.state[UNREAD_STATE] = await notifications.unread_count(user.user_id)
