"""A case's dossier as pages: the checklist page (``dossiers/case.html``, which other pages link to or whose
partial ``dossiers/_checklist.html`` they include), and the forms of that partial: upload a document, verify or
reject one. Each form returns to its ``next`` page (same-site only); a refused upload shows the checklist again with
the errors beside the requirement's fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Template

from finance.dossiers import service as dossiers
from frontend.render import AnyRequest, Errors, form_of, lang_of, market_messages, page, safe_next
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import Conflict, Forbidden, ValidationFailed
from market.web.access import signed_in

PARTIES = signed_in(approved=True, session_only=True)
UPLOAD_BODY_CAP = 64 * 1024 * 1024  # Litestar's own 413 above this; the setting (below it) is what users meet


def _next(form: Any, case_id: int) -> str:
    wanted = str(form.get("next") or "")
    return safe_next(wanted) if wanted else f"/dossiers/cases/{case_id}"


class DossierPages(Controller):
    include_in_schema = False
    path = "/dossiers"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/cases/{case_id:int}", opt=PARTIES)
    async def case(self, request: AnyRequest, principal: Principal, case_id: int, uploaded: int = 0) -> Template:
        return await dossier_page(request, principal, case_id, uploaded=bool(uploaded))

    @post("/cases/{case_id:int}/documents", opt=PARTIES, request_max_body_size=UPLOAD_BODY_CAP)
    async def upload(self, request: AnyRequest, principal: Principal, case_id: int) -> Any:
        await dossiers.case_for_party(principal=principal, case_id=case_id)  # another's case: 404 first
        form = await form_of(request)
        requirement = str(form.get("requirement") or "")
        back = _next(form, case_id)
        upload = form.get("file")
        try:
            raw_date = str(form.get("issued_on") or "").strip()
            try:
                issued_on = date.fromisoformat(raw_date) if raw_date else None
            except ValueError:
                raise dossiers.invalid_issue_date() from None
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise dossiers.no_file()
            content = await upload.read(dossiers.max_bytes() + 1)
            await dossiers.upload_for(
                principal=principal,
                case_id=case_id,
                requirement=requirement,
                filename=upload.filename,
                content_type=upload.content_type or "",
                content=content,
                issued_on=issued_on,
            )
        except (ValidationFailed, Conflict) as exc:
            errors = market_messages(exc, lang_of(request))
            return await dossier_page(
                request, principal, case_id, errors=errors, open_requirement=requirement, status=exc.status, back=back
            )
        sep = "&" if "?" in back else "?"
        return Redirect(path=f"{back}{sep}uploaded=1#dossier-{case_id}")

    @post("/documents/{document_id:int}/verify", opt=PARTIES)
    async def verify(self, request: AnyRequest, principal: Principal, document_id: int) -> Any:
        form = await form_of(request)
        found, _ = await dossiers.document_for_party(principal=principal, document_id=document_id)
        try:
            await dossiers.verify_for(principal=principal, document_id=document_id)
        except (Conflict, Forbidden) as exc:
            errors = market_messages(exc, lang_of(request))
            return await dossier_page(request, principal, found.case, errors=errors, status=exc.status)
        return Redirect(path=f"{_next(form, found.case)}#dossier-{found.case}")

    @post("/documents/{document_id:int}/reject", opt=PARTIES)
    async def reject(self, request: AnyRequest, principal: Principal, document_id: int) -> Any:
        form = await form_of(request)
        found, _ = await dossiers.document_for_party(principal=principal, document_id=document_id)
        try:
            await dossiers.reject_for(
                principal=principal,
                document_id=document_id,
                reason_code=str(form.get("reason_code") or ""),
                note=str(form.get("note") or "")[:2000],
            )
        except (ValidationFailed, Conflict, Forbidden) as exc:
            errors = market_messages(exc, lang_of(request))
            return await dossier_page(request, principal, found.case, errors=errors, status=exc.status)
        return Redirect(path=f"{_next(form, found.case)}#dossier-{found.case}")


async def dossier_page(
    request: AnyRequest,
    principal: Principal,
    case_id: int,
    *,
    errors: Errors | None = None,
    open_requirement: str = "",
    uploaded: bool = False,
    status: int = 200,
    back: str = "",
) -> Template:
    checklist = await dossiers.checklist_for(principal=principal, case_id=case_id, lang=lang_of(request))
    return page(
        request,
        "dossiers/case.html",
        status,
        checklist=checklist,
        dossier_errors=errors or [],
        dossier_open=open_requirement,
        dossier_next=back or f"/dossiers/cases/{case_id}",
        uploaded=uploaded,
        back=back if back and back != f"/dossiers/cases/{case_id}" else "",
        errors=[e for e in (errors or []) if not open_requirement],
    )
