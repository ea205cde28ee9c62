"""Qualifications API: an organisation's owners record its qualifications (multipart: the facts and the evidence
file), its members read them and their files; a platform administrator reviews them (verify, reject, revoke)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.qualifications import service
from finance.qualifications.records import QualificationContentRecord
from finance.qualifications.schemas import QualificationCheckOut, QualificationOut, ReviewIn
from finance.qualifications.service import out
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme)
OWNER = signed_in(OrgKind.sme, owner=True)
ADMIN = signed_in(OrgKind.platform_admin)


def evidence_response(found: QualificationContentRecord) -> Response[bytes]:
    return Response(
        content=found.content,
        media_type=found.content_type,
        headers={
            "content-disposition": f"inline; filename*=UTF-8''{quote(found.filename)}",
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        },
    )


def _date(fields: dict[str, str], name: str) -> date | None:
    text = fields.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        bad = Msg("qualification.date_invalid")
        raise ValidationFailed(bad, errors=[FieldError(name, bad, code="date")]) from None


async def facts_and_file(request: Request[Any, Any, Any]) -> tuple[dict[str, Any], str, bytes]:
    """The multipart form's facts (dates read), and its ``file``'s name and bytes (at most one byte over the
    limit is read: enough to refuse a larger file)."""
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    found = form.get("file")
    content = await found.read(service.MAX_BYTES + 1) if isinstance(found, UploadFile) else b""
    filename = (found.filename or "") if isinstance(found, UploadFile) else ""
    facts = {
        "kind": fields.get("kind", "").strip(),
        "certificate_number": fields.get("certificate_number", ""),
        "issuing_body": fields.get("issuing_body", ""),
        "issued_on": _date(fields, "issued_on"),
        "expires_on": _date(fields, "expires_on"),
    }
    return facts, filename, content


class QualificationController(Controller):
    path = "/api/qualifications"
    tags = ["qualifications"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=SME, summary="My organisation's qualifications, newest first (every status)")
    async def mine(self, principal: Principal) -> list[QualificationOut]:
        return [out(r) for r in await service.of_org(principal=principal)]

    @post(
        "/",
        opt=OWNER,
        status_code=HTTP_201_CREATED,
        summary="Record a qualification: multipart kind, certificate_number, issuing_body, issued_on, expires_on "
        "(ISO dates) and file (PDF, PNG or JPEG); supersedes the live one of the kind",
    )
    async def record(self, principal: Principal, request: Request[Any, Any, Any]) -> QualificationOut:
        facts, filename, content = await facts_and_file(request)
        return out(
            await service.record_qualification(principal=principal, filename=filename, content=content, **facts)
        )

    @get("/held", opt=SME, summary="Which kinds my organisation holds on a day (default today)")
    async def held(self, principal: Principal, on: date | None = None) -> QualificationCheckOut:
        check = await service.holds(principal.org_id, service.KINDS, on=on or service.today())
        return QualificationCheckOut(
            on=check.on, held=list(check.held), verified=list(check.verified), missing=list(check.missing)
        )

    @get("/{qualification_id:int}", opt=SME, summary="One of my organisation's qualifications")
    async def one(self, principal: Principal, qualification_id: int) -> QualificationOut:
        return out(await service.one(principal=principal, qualification_id=qualification_id))

    @get("/{qualification_id:int}/evidence", opt=SME, summary="Its evidence file (checked against its SHA-256)")
    async def evidence(self, principal: Principal, qualification_id: int) -> Response[bytes]:
        return evidence_response(await service.evidence(principal=principal, qualification_id=qualification_id))


class QualificationAdminController(Controller):
    path = "/api/admin/qualifications"
    tags = ["qualifications"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ADMIN, summary="Platform admin: qualifications by status (default: recorded, to verify)")
    async def queue(self, principal: Principal, status: str = "recorded") -> list[QualificationOut]:
        statuses = [s for s in status.split(",") if s.strip()]
        return [out(r, admin=True) for r in await service.queue(principal=principal, statuses=statuses)]

    @get("/{qualification_id:int}", opt=ADMIN, summary="Platform admin: one qualification")
    async def one(self, principal: Principal, qualification_id: int) -> QualificationOut:
        return out(await service.one(principal=principal, qualification_id=qualification_id), admin=True)

    @get("/{qualification_id:int}/evidence", opt=ADMIN, summary="Platform admin: its evidence file")
    async def evidence(self, principal: Principal, qualification_id: int) -> Response[bytes]:
        return evidence_response(await service.evidence(principal=principal, qualification_id=qualification_id))

    @post(
        "/{qualification_id:int}/review",
        opt=ADMIN,
        status_code=HTTP_200_OK,
        summary="Platform admin: verify, reject or revoke (reason code), on the version read",
    )
    async def review(self, principal: Principal, qualification_id: int, data: JSONBody[ReviewIn]) -> QualificationOut:
        row = await service.review(
            principal=principal,
            qualification_id=qualification_id,
            event=data.event,
            expected_version=data.expected_version,
            reason_code=data.reason_code,
            note=data.note,
        )
        return out(row, admin=True)
