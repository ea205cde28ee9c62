"""Members and invitations: the owners' page (invite, revoke, change a role, remove), and the invitee's pages (my
invitations; an invitation's link, accepted signed in with its address or by signing up with it)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from frontend.confirm import unless_confirmed
from frontend.render import Errors, Form, field_messages, lang_of, page
from market.accounts import service as accounts
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.accounts.schemas import InvitedSignUpIn
from market.errors import MarketError, NotFound
from market.i18n import Msg
from market.orgs import service as orgs
from market.orgs.schemas import InvitationIn, Role
from market.settings import Settings
from market.web.access import public, signed_in
from market.web.auth import start_session
from market.web.limits import INVITATION, limited

OWNER_SESSION = signed_in(owner=True, session_only=True)


def _errors(exc: MarketError, lang: str, field: str = "form") -> Errors:
    return [{"field": e.field, "message": e.text(lang)} for e in exc.errors] or [
        {"field": field, "message": exc.text(lang)}
    ]


class MemberPages(Controller):
    include_in_schema = False
    path = "/members"
    dependencies = {"principal": Provide(provide_principal)}

    async def _page(
        self, request: Request[Any, Any, Any], principal: Principal, status: int = 200, **kw: Any
    ) -> Template:
        invitations = (
            await orgs.list_invitations(principal=principal, org_id=principal.org_id) if principal.is_owner else []
        )
        return page(
            request,
            "members.html",
            status,
            members=await orgs.list_members(principal=principal, org_id=principal.org_id),
            invitations=invitations,
            roles=list(Role),
            **{"errors": [], "form": {}, "invited": None, **kw},
        )

    @get("/", opt=signed_in(session_only=True))
    async def members(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        return await self._page(request, principal)

    @post("/invite", opt=OWNER_SESSION)
    async def invite(
        self, request: Request[Any, Any, Any], principal: Principal, settings: Settings, data: Form
    ) -> Template:
        lang = lang_of(request)
        form = {"email": data.get("email", ""), "role": data.get("role", "member")}
        try:
            payload = InvitationIn.model_validate(form)
            invited = await orgs.invite(
                principal=principal,
                org_id=principal.org_id,
                data=payload,
                key=settings.secret_key.get_secret_value(),
                days=settings.invitation_days,
                lang=lang,
            )
        except ValidationError as exc:
            return await self._page(request, principal, 400, errors=field_messages(exc, lang), form=form)
        except MarketError as exc:
            return await self._page(request, principal, exc.status, errors=_errors(exc, lang, "email"), form=form)
        return await self._page(request, principal, 201, invited=invited)

    @post("/invitations/{invitation_id:int}/revoke", opt=OWNER_SESSION)
    async def revoke(self, request: Request[Any, Any, Any], principal: Principal, invitation_id: int) -> Any:
        pending = await orgs.list_invitations(principal=principal, org_id=principal.org_id)
        if all(i.id != invitation_id for i in pending):
            raise NotFound(Msg("org.invitation_not_found"))  # another's: 404, no confirmation page
        if step := await unless_confirmed(request, button="ui.confirm_revoke_invitation", back="/members"):
            return step
        await orgs.revoke_invitation(principal=principal, org_id=principal.org_id, invitation_id=invitation_id)
        return Redirect(path="/members")

    @post("/{user_id:int}/role", opt=OWNER_SESSION)
    async def change_role(
        self, request: Request[Any, Any, Any], principal: Principal, user_id: int, data: Form
    ) -> Template | Redirect:
        try:
            role = data.get("role", "")
            await orgs.change_role(principal=principal, org_id=principal.org_id, user_id=user_id, role=role)
        except MarketError as exc:
            return await self._page(request, principal, exc.status, errors=_errors(exc, lang_of(request)))
        return Redirect(path="/members")

    @post("/{user_id:int}/remove", opt=OWNER_SESSION)
    async def remove(self, request: Request[Any, Any, Any], principal: Principal, user_id: int) -> Template | Redirect:
        if all(m.user_id != user_id for m in await orgs.list_members(principal=principal, org_id=principal.org_id)):
            raise NotFound(Msg("org.member_not_found"))  # another's: 404, no confirmation page
        if step := await unless_confirmed(request, button="ui.confirm_remove_member", back="/members"):
            return step
        try:
            await orgs.remove_member(principal=principal, org_id=principal.org_id, user_id=user_id)
        except MarketError as exc:
            return await self._page(request, principal, exc.status, errors=_errors(exc, lang_of(request)))
        return Redirect(path="/members")


class InvitationPages(Controller):
    include_in_schema = False
    path = "/invitations"

    @get("/", opt=signed_in(session_only=True), dependencies={"principal": Provide(provide_principal)})
    async def mine(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        return page(request, "invitations.html", invitations=await orgs.my_invitations(principal=principal))

    @post(
        "/mine/{invitation_id:int}/accept",
        opt=signed_in(session_only=True),
        dependencies={"principal": Provide(provide_principal)},
    )
    async def accept_mine(self, request: Request[Any, Any, Any], principal: Principal, invitation_id: int) -> Redirect:
        org_id = await orgs.accept_mine(principal=principal, invitation_id=invitation_id)
        return await _act_for(request, principal, org_id)

    @get("/{token:str}", opt=public())
    async def view(self, request: Request[Any, Any, Any], settings: Settings, token: str) -> Template:
        return await _invitation_page(request, settings, token)

    @post(
        "/{token:str}/accept",
        opt={**signed_in(session_only=True), **limited(INVITATION)},
        dependencies={"principal": Provide(provide_principal)},
    )
    async def accept(
        self, request: Request[Any, Any, Any], principal: Principal, settings: Settings, token: str
    ) -> Template | Redirect:
        try:
            org_id = await orgs.accept_with_token(
                principal=principal, token=token, key=settings.secret_key.get_secret_value()
            )
        except MarketError as exc:
            return await _invitation_page(request, settings, token, exc.status, errors=_errors(exc, lang_of(request)))
        return await _act_for(request, principal, org_id)

    @post("/{token:str}/sign-up", opt={**public(), **limited(INVITATION)})
    async def sign_up(
        self, request: Request[Any, Any, Any], settings: Settings, token: str, data: Form
    ) -> Template | Redirect:
        lang = lang_of(request)
        form = {"display_name": data.get("display_name", "")}
        try:
            payload = InvitedSignUpIn(token=token, display_name=form["display_name"], password=data.get("password", ""))
            principal = await accounts.sign_up_invited(
                token=payload.token,
                display_name=payload.display_name,
                password=payload.password,
                key=settings.secret_key.get_secret_value(),
                min_password_length=settings.password_min_length,
                locale=lang,
            )
        except ValidationError as exc:
            errors = field_messages(exc, lang)
            return await _invitation_page(request, settings, token, 400, errors=errors, form=form)
        except MarketError as exc:
            errors = _errors(exc, lang)
            return await _invitation_page(request, settings, token, exc.status, errors=errors, form=form)
        start_session(request, principal)
        return Redirect(path="/dashboard")


async def _invitation_page(
    request: Request[Any, Any, Any], settings: Settings, token: str, status: int = 200, **kw: Any
) -> Template:
    """An invitation as its link's holder sees it, or why it cannot be accepted (unknown, used, expired)."""
    me = request.scope.get("user")
    try:
        invitation = await orgs.view_invitation(token=token, key=settings.secret_key.get_secret_value())
    except MarketError as exc:
        return page(request, "invitation.html", exc.status, invitation=None, problem=exc.text(lang_of(request)))
    signed_in_as = me.email if isinstance(me, Principal) and me.via == "session" else None
    return page(
        request,
        "invitation.html",
        status,
        invitation=invitation,
        token=token,
        signed_in_as=signed_in_as,
        **{"errors": [], "form": {}, "problem": None, **kw},
    )


async def _act_for(request: Request[Any, Any, Any], principal: Principal, org_id: int) -> Redirect:
    """After accepting: act for the organisation just joined."""
    joined = await accounts.principal_for(user_id=principal.user_id, org_id=org_id)
    if joined is not None:
        start_session(request, joined)
    return Redirect(path="/dashboard")
