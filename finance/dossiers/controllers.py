"""Dossier API: a case's checklist and documents, for the case's applicant and reviewer organisations only (any
other caller gets a 404 for the case and for each of its documents); the reviewer verifies or rejects."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.dossiers import service as dossiers
from finance.dossiers.records import DocumentContentRecord
from finance.dossiers.schemas import ChecklistOut, DocumentOut, RejectIn
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.web.access import signed_in
from market.web.problems import language

PARTIES = signed_in(approved=True)
UPLOAD_BODY_CAP = 64 * 1024 * 1024  # Litestar's own 413 above this; MARKET_DOSSIER_MAX_BYTES is what users meet


async def read_upload(request: Request[Any, Any, Any]) -> tuple[str, date | None, str, str, bytes]:
    """The multipart form (requirement, issued_on, file): at most one byte more than the limit is read."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise dossiers.no_file()
    raw_date = str(form.get("issued_on") or "").strip()
    try:
        issued_on = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise dossiers.invalid_issue_date() from None
    content = await upload.read(dossiers.max_bytes() + 1)
    return str(form.get("requirement") or ""), issued_on, upload.filename or "", upload.content_type or "", content


def content_response(found: DocumentContentRecord) -> Response[bytes]:
    return Response(
        content=found.content,
        media_type=found.content_type,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
            "content-security-policy": "default-src 'none'",
            "x-content-sha256": found.sha256,
        },
    )


class DossierController(Controller):
    path = "/api/dossiers"
    tags = ["dossiers"]
    dependencies = {"principal": Provide(provide_principal)}

    @get(
        "/cases/{case_id:int}",
        opt=PARTIES,
        summary="A case's document checklist: each requirement's documents and what keeps the dossier incomplete",
    )
    async def checklist(self, request: Request[Any, Any, Any], principal: Principal, case_id: int) -> ChecklistOut:
        return await dossiers.checklist_for(principal=principal, case_id=case_id, lang=language(request))

    @post(
        "/cases/{case_id:int}/documents",
        opt=PARTIES,
        status_code=HTTP_201_CREATED,
        request_max_body_size=UPLOAD_BODY_CAP,
        summary="Upload a document for a requirement of the case's checklist (multipart: requirement, issued_on, "
        "file); its type is read from the bytes; each upload is a new version",
    )
    async def upload(self, request: Request[Any, Any, Any], principal: Principal, case_id: int) -> DocumentOut:
        await dossiers.case_for_party(principal=principal, case_id=case_id)  # another's case: 404 before the body
        requirement, issued_on, filename, content_type, content = await read_upload(request)
        return await dossiers.upload_for(
            principal=principal,
            case_id=case_id,
            requirement=requirement,
            filename=filename,
            content_type=content_type,
            content=content,
            issued_on=issued_on,
        )

    @get("/documents/{document_id:int}/content", opt=PARTIES, summary="Download a document (checked by its SHA-256)")
    async def download(self, principal: Principal, document_id: int) -> Response[bytes]:
        return content_response(await dossiers.download_for(principal=principal, document_id=document_id))

    @post(
        "/documents/{document_id:int}/verify",
        opt=PARTIES,
        status_code=HTTP_200_OK,
        summary="Verify a document (the case's reviewer organisation; once)",
    )
    async def verify(self, principal: Principal, document_id: int) -> DocumentOut:
        return await dossiers.verify_for(principal=principal, document_id=document_id)

    @post(
        "/documents/{document_id:int}/reject",
        opt=PARTIES,
        status_code=HTTP_200_OK,
        summary="Reject a document with a reason code (the case's reviewer organisation; once)",
    )
    async def reject(self, principal: Principal, document_id: int, data: JSONBody[RejectIn]) -> DocumentOut:
        return await dossiers.reject_for(
            principal=principal, document_id=document_id, reason_code=data.reason_code, note=data.note
        )
