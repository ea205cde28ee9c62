"""Organisations API: my organisation, its members and its invitations; the invitee's side of an invitation.

Changing members and invitations needs an owner's browser session: no API token, whatever its scopes, can add,
remove or promote anyone (a leaked token cannot make its thief an owner).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs import service
from market.orgs.schemas import (
    AcceptIn,
    InvitationIn,
    InvitationOut,
    InvitationView,
    MemberOut,
    MyInvitationOut,
    OrgOut,
    RoleIn,
)
from market.settings import Settings
from market.web.access import public, signed_in
from market.web.limits import INVITATION, limited
from market.web.problems import language

OWNER_SESSION = signed_in(owner=True, session_only=True)


def signing_key(settings: Settings) -> str:
    return settings.secret_key.get_secret_value()


class OrgController(Controller):
    path = "/api/orgs/{org_id:int}"
    tags = ["organisations"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=signed_in())
    async def get_org(self, principal: Principal, org_id: int) -> OrgOut:
        return await service.get_org(principal=principal, org_id=org_id)

    @get("/members", opt=signed_in())
    async def list_members(self, principal: Principal, org_id: int) -> list[MemberOut]:
        return await service.list_members(principal=principal, org_id=org_id)

    @patch("/members/{user_id:int}", opt=OWNER_SESSION, summary="Make a member an owner, or an owner a member")
    async def change_role(self, principal: Principal, org_id: int, user_id: int, data: JSONBody[RoleIn]) -> MemberOut:
        return await service.change_role(principal=principal, org_id=org_id, user_id=user_id, role=data.role)

    @delete("/members/{user_id:int}", opt=OWNER_SESSION, status_code=HTTP_204_NO_CONTENT)
    async def remove_member(self, principal: Principal, org_id: int, user_id: int) -> None:
        await service.remove_member(principal=principal, org_id=org_id, user_id=user_id)

    @get("/invitations", opt=OWNER_SESSION, summary="Pending invitations")
    async def list_invitations(self, principal: Principal, org_id: int) -> list[InvitationOut]:
        return await service.list_invitations(principal=principal, org_id=org_id)

    @post(
        "/invitations",
        opt=OWNER_SESSION,
        status_code=HTTP_201_CREATED,
        summary="Invite an e-mail address (the same answer whether or not it has an account)",
    )
    async def invite(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        settings: Settings,
        org_id: int,
        data: JSONBody[InvitationIn],
    ) -> InvitationOut:
        return await service.invite(
            principal=principal,
            org_id=org_id,
            data=data,
            key=signing_key(settings),
            days=settings.invitation_days,
            lang=language(request),
        )

    @delete("/invitations/{invitation_id:int}", opt=OWNER_SESSION, status_code=HTTP_200_OK)
    async def revoke_invitation(self, principal: Principal, org_id: int, invitation_id: int) -> InvitationOut:
        return await service.revoke_invitation(principal=principal, org_id=org_id, invitation_id=invitation_id)


class InvitationController(Controller):
    """The invitee's side: see an invitation, accept it signed in with its address (or sign up with it:
    ``POST /api/auth/sign-up/invited``)."""

    path = "/api/invitations"
    tags = ["organisations"]

    @post("/view", opt={**public(), **limited(INVITATION)}, status_code=HTTP_200_OK)
    async def view(self, settings: Settings, data: JSONBody[AcceptIn]) -> InvitationView:
        return await service.view_invitation(token=data.token, key=signing_key(settings))

    @get("/mine", opt=signed_in(session_only=True), dependencies={"principal": Provide(provide_principal)})
    async def mine(self, principal: Principal) -> list[MyInvitationOut]:
        return await service.my_invitations(principal=principal)

    @post(
        "/accept",
        opt={**signed_in(session_only=True), **limited(INVITATION)},
        status_code=HTTP_200_OK,
        dependencies={"principal": Provide(provide_principal)},
        summary="Accept an invitation by its token, signed in with its address",
    )
    async def accept(self, principal: Principal, settings: Settings, data: JSONBody[AcceptIn]) -> OrgOut:
        org_id = await service.accept_with_token(principal=principal, token=data.token, key=signing_key(settings))
        return OrgOut.model_validate(await service.org_by_id(org_id))

    @post(
        "/{invitation_id:int}/accept",
        opt=signed_in(session_only=True),
        status_code=HTTP_200_OK,
        dependencies={"principal": Provide(provide_principal)},
        summary="Accept one of my address's invitations",
    )
    async def accept_mine(self, principal: Principal, invitation_id: int) -> OrgOut:
        org_id = await service.accept_mine(principal=principal, invitation_id=invitation_id)
        return OrgOut.model_validate(await service.org_by_id(org_id))
