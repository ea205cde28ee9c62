"""Organisations API: my organisation, its members and its evidence; the platform's review of organisations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs import service
from market.orgs.records import DocumentContentRecord
from market.orgs.schemas import (
    DecisionIn,
    DecisionOut,
    DocumentKind,
    DocumentOut,
    MemberIn,
    MemberOut,
    OrgKind,
    OrgOut,
    OrgStatus,
    PublicOrgOut,
    ReviewOut,
)
from market.web.access import public, signed_in

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

    @post("/members", opt=signed_in(owner=True), status_code=HTTP_201_CREATED)
    async def add_member(self, principal: Principal, org_id: int, data: JSONBody[MemberIn]) -> MemberOut:
        return await service.add_member(principal=principal, org_id=org_id, data=data)

    @delete("/members/{user_id:int}", opt=signed_in(owner=True), status_code=HTTP_204_NO_CONTENT)
    async def remove_member(self, principal: Principal, org_id: int, user_id: int) -> None:
        await service.remove_member(principal=principal, org_id=org_id, user_id=user_id)

    @get("/documents", opt=signed_in(), summary="The evidence documents uploaded for the approval")
    async def list_documents(self, principal: Principal, org_id: int) -> list[DocumentOut]:
        await service.get_org(principal=principal, org_id=org_id)
        return await service.my_documents(principal=principal)

    @get("/documents/{document_id:int}", opt=signed_in(), summary="One evidence document's file")
    async def document(self, principal: Principal, org_id: int, document_id: int) -> Response[bytes]:
        found = await service.document_content(principal=principal, org_id=org_id, document_id=document_id)
        return document_response(found)


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
