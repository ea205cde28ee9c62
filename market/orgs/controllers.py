"""Organisations API: my organisation, its members, its invitations and its evidence; the invitee's side of an
invitation; the platform's review of organisations; an organisation's public page.

Changing members and invitations needs an owner's browser session: no API token, whatever its scopes, can add,
remove or promote anyone (a leaked token cannot make its thief an owner).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs import service
from market.orgs.records import DocumentContentRecord
from market.orgs.schemas import (
    AcceptIn,
    DecisionIn,
    DecisionOut,
    DocumentKind,
    DocumentOut,
    InvitationIn,
    InvitationOut,
    InvitationView,
    MemberOut,
    MyInvitationOut,
    OrgKind,
    OrgOut,
    OrgStatus,
    PublicOrgOut,
    ReviewOut,
    RoleIn,
)
from market.settings import Settings
from market.web.access import public, signed_in
from market.web.limits import INVITATION, limited
from market.web.problems import language

OWNER_SESSION = signed_in(owner=True, session_only=True)


def signing_key(settings: Settings) -> str:
    return settings.secret_key.get_secret_value()


ADMIN = signed_in(OrgKind.platform_admin)


@dataclass
class DocumentUpload:
    """A scan of the business licence (营业执照) or legal-person certificate: PDF, PNG or JPEG."""

    file: UploadFile
    kind: DocumentKind = DocumentKind.business_licence


async def read_upload(upload: UploadFile) -> bytes:
    """At most one byte more than the limit is read: enough to refuse a larger file without holding it."""
    return await upload.read(service.MAX_DOCUMENT_BYTES + 1)


def document_response(found: DocumentContentRecord) -> Response[bytes]:
    return Response(
        content=found.content,
        media_type=found.content_type,
        headers={
            # RFC 6266/5987: the name as UTF-8, percent-encoded (a Chinese file name is not latin-1)
            "content-disposition": f"inline; filename*=UTF-8''{quote(found.filename)}",
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        },
    )


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

    @get("/documents", opt=signed_in(), summary="The evidence documents uploaded for the approval")
    async def list_documents(self, principal: Principal, org_id: int) -> list[DocumentOut]:
        await service.get_org(principal=principal, org_id=org_id)
        return await service.my_documents(principal=principal)

    @get("/documents/{document_id:int}", opt=signed_in(), summary="One evidence document's file")
    async def document(self, principal: Principal, org_id: int, document_id: int) -> Response[bytes]:
        found = await service.document_content(principal=principal, org_id=org_id, document_id=document_id)
        return document_response(found)


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


class EvidenceController(Controller):
    """The acting organisation's own evidence for its approval (no organisation in the path: always one's own)."""

    path = "/api/evidence"
    tags = ["organisations"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/",
        opt=signed_in(owner=True),
        status_code=HTTP_201_CREATED,
        summary="Upload evidence (PDF, PNG or JPEG, at most 5 MB; the type is read from the content)",
    )
    async def upload_document(
        self, principal: Principal, data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)]
    ) -> DocumentOut:
        content = await read_upload(data.file)
        return await service.upload_document(
            principal=principal, kind=data.kind, filename=data.file.filename or "", content=content
        )


class OrgReviewController(Controller):
    """The platform administrator's review of organisations: evidence, credit code, e-mail check, decisions."""

    path = "/api/admin/orgs"
    tags = ["organisations"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ADMIN, summary="Organisations by status (pending by default), with their evidence")
    async def queue(self, principal: Principal, status: list[OrgStatus] | None = None) -> list[ReviewOut]:
        return await service.review_queue(principal=principal, statuses=status)

    @get("/{org_id:int}", opt=ADMIN, summary="One organisation under review, with its decisions")
    async def review(self, principal: Principal, org_id: int) -> ReviewOut:
        return await service.review_of(principal=principal, org_id=org_id)

    @post(
        "/{org_id:int}/decisions",
        opt=ADMIN,
        status_code=HTTP_201_CREATED,
        summary="Approve, reject, suspend or reinstate, with a reason code and a note",
    )
    async def decide(self, principal: Principal, org_id: int, data: JSONBody[DecisionIn]) -> DecisionOut:
        return await service.decide(principal=principal, org_id=org_id, data=data)

    @get("/{org_id:int}/documents/{document_id:int}", opt=ADMIN, summary="One evidence document under review")
    async def document(self, principal: Principal, org_id: int, document_id: int) -> Response[bytes]:
        found = await service.review_document(principal=principal, org_id=org_id, document_id=document_id)
        return document_response(found)


class PublicOrgController(Controller):
    path = "/api/public/orgs"
    tags = ["organisations"]

    @get("/{public_org_id:int}", opt=public(), summary="An organisation as anyone sees it, with its verified mark")
    async def org(self, public_org_id: int) -> PublicOrgOut:
        return await service.public_org(public_org_id)
