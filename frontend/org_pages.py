"""Verified organisations: the public page of an organisation, the e-mail link, the evidence an organisation
uploads for its approval, and the platform administrator's evidence review page."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template
from pydantic import ValidationError

from frontend.render import AnyRequest, Form, field_messages, lang_of, market_messages, page
from listings.search import service as search
from listings.search.schemas import SearchParams
from market.accounts import service as accounts
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError
from market.i18n import gettext
from market.orgs import service as orgs
from market.orgs.controllers import document_response, read_upload
from market.orgs.schemas import REASONS, DecisionAction, DecisionIn, DocumentKind, OrgKind, OrgStatus
from market.settings import Settings
from market.web.access import public, signed_in

ADMIN = signed_in(OrgKind.platform_admin, session_only=True)
MEMBER = signed_in(session_only=True)


async def _listings_count(org_id: int) -> int | None:
    """Its published listings, as search finds them (None when the index cannot say)."""
    try:
        found = await search.search(params=SearchParams(university_org_id=[str(org_id)], per_page=1))
    except MarketError:
        return None
    return found.total


class PublicOrgPages(Controller):
    include_in_schema = False

    @get("/orgs/{public_org_id:int}", opt=public())
    async def org(self, request: AnyRequest, public_org_id: int) -> Template:
        org = await orgs.public_org(public_org_id)
        count = await _listings_count(public_org_id) if org.kind is OrgKind.university else None
        return page(request, "orgs/public.html", org=org, listings=count)


class VerifyEmailPages(Controller):
    """The link in the verification e-mail opens a page with one button: a mail scanner that follows the link does
    not verify anything, the person who presses the button does."""

    include_in_schema = False
    path = "/verify-email"

    @get("/", opt=public())
    async def form(self, request: AnyRequest, token: str = "") -> Template:
        return page(request, "orgs/verify_email.html", token=token[:400], done=False, errors=[])

    @post("/", opt=public())
    async def confirm(self, request: AnyRequest, settings: Settings, data: Form) -> Any:
        token = str(data.get("token", ""))[:400]
        try:
            await accounts.confirm_email(token=token, secret=settings.secret_key.get_secret_value())
        except MarketError as exc:
            errors = [{"field": "token", "message": exc.text(lang_of(request))}]
            return page(request, "orgs/verify_email.html", exc.status, token=token, done=False, errors=errors)
        return page(request, "orgs/verify_email.html", token="", done=True, errors=[])


class EvidencePages(Controller):
    """An organisation's own page for its approval: its status, its credit code, the scans it uploaded."""

    include_in_schema = False
    path = "/org/verification"
    dependencies = {"principal": Provide(provide_principal)}

    async def _page(self, request: AnyRequest, principal: Principal, status: int = 200, **extra: Any) -> Template:
        return page(
            request,
            "orgs/verification.html",
            status,
            org=await orgs.get_org(principal=principal, org_id=principal.org_id),
            documents=await orgs.my_documents(principal=principal),
            email_verified=await accounts.email_verified(principal.user_id),
            kinds=list(DocumentKind),
            max_mb=orgs.MAX_DOCUMENT_BYTES // (1024 * 1024),
            **{"errors": [], "uploaded": False, "resent": False, **extra},
        )

    @get("/", opt=MEMBER)
    async def show(self, request: AnyRequest, principal: Principal, uploaded: int = 0, resent: int = 0) -> Template:
        return await self._page(request, principal, uploaded=bool(uploaded), resent=bool(resent))

    @post("/documents", opt=signed_in(owner=True, session_only=True))
    async def upload(
        self,
        request: AnyRequest,
        principal: Principal,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Any:
        upload = data.get("file")
        try:
            kind = DocumentKind(str(data.get("kind") or DocumentKind.business_licence.value))
            content = await read_upload(upload) if isinstance(upload, UploadFile) else b""
            filename = upload.filename if isinstance(upload, UploadFile) else ""
            await orgs.upload_document(principal=principal, kind=kind, filename=filename or "", content=content)
        except ValueError:
            errors = [{"field": "kind", "message": gettext(lang_of(request), "ui.evidence_kind_bad")}]
            return await self._page(request, principal, 400, errors=errors)
        except MarketError as exc:
            return await self._page(request, principal, exc.status, errors=market_messages(exc, lang_of(request)))
        return Redirect(path="/org/verification?uploaded=1")

    @post("/resend", opt=MEMBER)
    async def resend(self, principal: Principal) -> Redirect:
        await accounts.resend_verification(principal=principal)
        return Redirect(path="/org/verification?resent=1")

    @get("/documents/{org_id:int}/{document_id:int}", opt=MEMBER)
    async def document(self, principal: Principal, org_id: int, document_id: int) -> Response[bytes]:
        found = await orgs.document_content(principal=principal, org_id=org_id, document_id=document_id)
        return document_response(found)


class ReviewPages(Controller):
    """The platform administrator's evidence review: organisations by status with their scans, credit code and
    e-mail check, and a decision (approve, reject, suspend, reinstate) with a reason code and a note."""

    include_in_schema = False
    path = "/admin/orgs"
    dependencies = {"principal": Provide(provide_principal)}

    async def _page(
        self, request: AnyRequest, principal: Principal, status: str, code: int = 200, **extra: Any
    ) -> Template:
        wanted = OrgStatus(status) if status in OrgStatus.__members__ else OrgStatus.pending
        return page(
            request,
            "orgs/review.html",
            code,
            items=await orgs.review_queue(principal=principal, statuses=[wanted]),
            status=wanted.value,
            statuses=list(OrgStatus),
            reasons={a.value: REASONS[a] for a in DecisionAction},
            actions_for={
                OrgStatus.pending.value: [DecisionAction.approve, DecisionAction.reject],
                OrgStatus.approved.value: [DecisionAction.suspend],
                OrgStatus.suspended.value: [DecisionAction.reinstate],
                OrgStatus.rejected.value: [],
            },
            **{"errors": [], "error_org": None, "decided": None, **extra},
        )

    @get("/", opt=ADMIN)
    async def queue(
        self, request: AnyRequest, principal: Principal, status: str = "pending", decided: int = 0
    ) -> Template:
        return await self._page(request, principal, status, decided=decided or None)

    @post("/{org_id:int}/decide", opt=ADMIN)
    async def decide(self, request: AnyRequest, principal: Principal, org_id: int, data: Form) -> Any:
        back = str(data.get("back_status") or "pending")
        try:
            decision = DecisionIn.model_validate(
                {
                    "action": data.get("action", ""),
                    "reason_code": data.get("reason_code", ""),
                    "note": data.get("note", ""),
                    "version": data.get("version", "0"),
                }
            )
            await orgs.decide(principal=principal, org_id=org_id, data=decision)
        except ValidationError as exc:
            errors = field_messages(exc, lang_of(request))
            return await self._page(request, principal, back, 400, errors=errors, error_org=org_id)
        except MarketError as exc:
            errors = market_messages(exc, lang_of(request))
            return await self._page(request, principal, back, exc.status, errors=errors, error_org=org_id)
        return Redirect(path=f"/admin/orgs?status={back}&decided={org_id}")

    @get("/{org_id:int}/documents/{document_id:int}", opt=ADMIN)
    async def document(self, principal: Principal, org_id: int, document_id: int) -> Response[bytes]:
        found = await orgs.review_document(principal=principal, org_id=org_id, document_id=document_id)
        return document_response(found)


ORG_PAGES = [PublicOrgPages, VerifyEmailPages, EvidencePages, ReviewPages]
