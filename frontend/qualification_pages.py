"""Qualifications and related-party facts in the browser.

- ``/sme/qualifications``: the firm's qualifications (kind, certificate, dates, status; the expired flagged) and the
  owner's form to record one with its evidence file;
- ``/admin/qualifications``: the platform administrator's queue by status, with the evidence and verify, reject and
  revoke (reason codes), each sending the version shown (a stale page gets a 409 and changes nothing);
- ``/org/parties``: an organisation's related-party facts (legal representative, phone, address, parent's credit
  code, shareholders) with their versions, and the owners' form that records the next version.

The rules are ``finance.qualifications.service``'s and ``finance.parties.service``'s; every problem is shown beside
its field."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Response, Template
from pydantic import ValidationError

from finance.parties import service as parties
from finance.parties.schemas import PartyFactsIn
from finance.qualifications import service as qualifications
from finance.qualifications.controllers import evidence_response
from frontend.forms import FieldProblem, form_int, percent_to_bp
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError
from market.i18n import gettext
from market.orgs import service as orgs
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme, session_only=True)
SME_OWNER = signed_in(OrgKind.sme, owner=True, session_only=True)
ADMIN = signed_in(OrgKind.platform_admin, session_only=True)
MEMBER = signed_in(session_only=True)
OWNER = signed_in(owner=True, session_only=True)
STATUSES = ("recorded", "verified", "rejected", "revoked", "superseded")
SPARE_ROWS = 2


def _date(form: FormMultiDict, name: str, problems: Errors, lang: str) -> date | None:
    text = str(form.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append({"field": name, "message": gettext(lang, "qualification.date_invalid")})
        return None


# ------------------------------------------------------------------------------------------- the firm's page


class SmeQualificationPages(Controller):
    include_in_schema = False
    path = "/sme/qualifications"
    dependencies = {"principal": Provide(provide_principal)}

    async def _page(self, request: AnyRequest, principal: Principal, code: int = 200, **extra: Any) -> Template:
        rows = await qualifications.of_org(principal=principal)
        return page(
            request,
            "qualifications/sme.html",
            code,
            rows=[qualifications.out(r) for r in rows],
            kinds=qualifications.KINDS,
            max_mb=qualifications.MAX_BYTES // (1024 * 1024),
            today=qualifications.today(),
            **{"errors": [], "form": {}, "recorded": False, **extra},
        )

    @get("/", opt=SME)
    async def show(self, request: AnyRequest, principal: Principal, recorded: int = 0) -> Template:
        return await self._page(request, principal, recorded=bool(recorded))

    @post("/", opt=SME_OWNER)
    async def record(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        problems: Errors = []
        issued_on = _date(form, "issued_on", problems, lang)
        expires_on = _date(form, "expires_on", problems, lang)
        shown = {k: str(form.get(k) or "") for k in ("kind", "certificate_number", "issuing_body", "issued_on",
                                                      "expires_on")}  # fmt: skip
        if problems:
            return await self._page(request, principal, 422, errors=problems, form=shown)
        upload = form.get("file")
        content = await upload.read(qualifications.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
        try:
            await qualifications.record_qualification(
                principal=principal,
                kind=shown["kind"],
                certificate_number=shown["certificate_number"],
                issuing_body=shown["issuing_body"],
                issued_on=issued_on,
                expires_on=expires_on,
                filename=(upload.filename or "") if isinstance(upload, UploadFile) else "",
                content=content,
            )
        except MarketError as exc:
            return await self._page(request, principal, exc.status, errors=market_messages(exc, lang), form=shown)
        return Redirect(path="/sme/qualifications?recorded=1")

    @get("/{qualification_id:int}/evidence", opt=SME)
    async def evidence(self, principal: Principal, qualification_id: int) -> Response[bytes]:
        return evidence_response(await qualifications.evidence(principal=principal, qualification_id=qualification_id))


# ------------------------------------------------------------------------------------------- the administrator's queue


class AdminQualificationPages(Controller):
    include_in_schema = False
    path = "/admin/qualifications"
    dependencies = {"principal": Provide(provide_principal)}

    async def _page(
        self, request: AnyRequest, principal: Principal, status: str, code: int = 200, **extra: Any
    ) -> Template:
        chosen = status if status in STATUSES else "recorded"
        rows = await qualifications.queue(principal=principal, statuses=[chosen])
        names = {o.id: o.name for o in await orgs.public_orgs(sorted({r.organisation for r in rows}))}
        return page(
            request,
            "qualifications/admin.html",
            code,
            rows=[qualifications.out(r, admin=True) for r in rows],
            names=names,
            status=chosen,
            statuses=STATUSES,
            reject_reasons=tuple(qualifications.REJECT_REASONS),
            revoke_reasons=tuple(qualifications.REVOKE_REASONS),
            **{"errors": [], "done": False, "failed_id": 0, **extra},
        )

    @get("/", opt=ADMIN)
    async def show(self, request: AnyRequest, principal: Principal, status: str = "recorded", done: int = 0) -> Any:
        return await self._page(request, principal, status, done=bool(done))

    @post("/{qualification_id:int}/review", opt=ADMIN)
    async def review(self, request: AnyRequest, principal: Principal, qualification_id: int) -> Any:
        form = await form_of(request)
        status = str(form.get("status") or "recorded")
        try:
            await qualifications.review(
                principal=principal,
                qualification_id=qualification_id,
                event=str(form.get("event") or ""),
                expected_version=form_int(form.get("expected_version")),
                reason_code=str(form.get("reason_code") or ""),
                note=str(form.get("note") or ""),
            )
        except MarketError as exc:
            errors = market_messages(exc, lang_of(request))
            return await self._page(request, principal, status, exc.status, errors=errors, failed_id=qualification_id)
        return Redirect(path=f"/admin/qualifications?status={status if status in STATUSES else 'recorded'}&done=1")

    @get("/{qualification_id:int}/evidence", opt=ADMIN)
    async def evidence(self, principal: Principal, qualification_id: int) -> Response[bytes]:
        return evidence_response(await qualifications.evidence(principal=principal, qualification_id=qualification_id))


# ------------------------------------------------------------------------------------------- related-party facts


def facts_from_form(form: FormMultiDict) -> tuple[dict[str, Any], Errors]:
    """The facts as the API takes them (empty shareholder rows left out; shares typed as percentages), and every
    unreadable share beside its field."""
    problems: Errors = []
    holders: list[dict[str, Any]] = []
    for i in range(form_int(form.get("rows")) or SPARE_ROWS):
        name = str(form.get(f"sh_{i}_name") or "").strip()
        code = str(form.get(f"sh_{i}_credit_code") or "").strip()
        number = str(form.get(f"sh_{i}_id_number") or "").strip()
        share_text = str(form.get(f"sh_{i}_share") or "")
        if not (name or code or number or share_text.strip()):
            continue
        try:
            share = percent_to_bp(share_text, f"shareholders.{len(holders)}.share_bp") or 0
        except FieldProblem as exc:
            problems.append({"field": exc.field, "key": exc.key})
            share = 0
        holders.append({"name": name, "credit_code": code, "id_number": number, "share_bp": share})
    data = {
        "legal_rep_name": str(form.get("legal_rep_name") or ""),
        "legal_rep_id_number": str(form.get("legal_rep_id_number") or ""),
        "phone": str(form.get("phone") or ""),
        "address": str(form.get("address") or ""),
        "parent_credit_code": str(form.get("parent_credit_code") or ""),
        "shareholders": holders,
    }
    return data, problems


class PartiesPages(Controller):
    include_in_schema = False
    path = "/org/parties"
    dependencies = {"principal": Provide(provide_principal)}

    async def _page(self, request: AnyRequest, principal: Principal, code: int = 200, **extra: Any) -> Template:
        found = await parties.mine(principal=principal)
        org = await orgs.org_by_id(principal.org_id)
        current = found.current
        holders = [h.model_dump() for h in current.shareholders] if current else []
        return page(
            request,
            "parties/org.html",
            code,
            found=found,
            registered_address=org.address if org else "",
            rows=len(holders) + SPARE_ROWS,
            holders=holders,
            **{"errors": [], "form": None, "saved": False, **extra},
        )

    @get("/", opt=MEMBER)
    async def show(self, request: AnyRequest, principal: Principal, saved: int = 0) -> Template:
        return await self._page(request, principal, saved=bool(saved))

    @post("/", opt=OWNER)
    async def record(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        data, problems = facts_from_form(form)
        shown = {**data, "rows": len(data["shareholders"]) + SPARE_ROWS}
        if problems:
            errors = [{"field": p["field"], "message": gettext(lang, p["key"])} for p in problems]
            return await self._page(request, principal, 422, errors=errors, form=shown)
        try:
            await parties.record_facts(principal=principal, data=PartyFactsIn(**data))
        except ValidationError as exc:
            return await self._page(request, principal, 422, errors=field_messages(exc, lang), form=shown)
        except MarketError as exc:
            return await self._page(request, principal, exc.status, errors=market_messages(exc, lang), form=shown)
        return Redirect(path="/org/parties?saved=1")


QUALIFICATION_PAGES = [SmeQualificationPages, AdminQualificationPages, PartiesPages]
