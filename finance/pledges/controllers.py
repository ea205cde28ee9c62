"""Pledge-loan applications API: the SME's application (draft, pre-check, documents, submission, resubmission,
acceptance) and the bank's review (more information, valuation, proposal, approval, offer, refusal). A bank token
sees only its own cases; every state change carries the case version the caller read (409 when stale)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.pledges import service
from finance.pledges.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApprovalIn,
    DocumentOut,
    DraftIn,
    FinanceOptionOut,
    MoreInfoIn,
    MoveIn,
    OfferIn,
    PrecheckOut,
    ProposalIn,
    RefusalIn,
    SubmitIn,
    ValuationDecisionIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme)
BANK = signed_in(OrgKind.bank)
PARTIES = signed_in(OrgKind.sme, OrgKind.bank)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class PledgeController(Controller):
    path = "/api/pledges"
    tags = ["pledges"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/", opt=SME, status_code=HTTP_201_CREATED, summary="Apply: a draft on a product with my own patents")
    async def start(self, principal: Principal, data: JSONBody[ApplicationIn], lang: str) -> ApplicationOut:
        return localized(await service.start(principal=principal, data=data), lang)

    @get("/", opt=PARTIES, summary="My applications (a bank: its submitted cases)")
    async def list_mine(self, principal: Principal, lang: str) -> list[ApplicationOut]:
        return localized(await service.list_mine(principal=principal), lang)

    @get("/options", opt=SME, summary="Which finance each of my patents may support")
    async def options(self, principal: Principal, lang: str) -> list[FinanceOptionOut]:
        return localized(await service.finance_options(principal), lang)

    @get("/{application_id:int}", opt=PARTIES, summary="One application, for the SME and its bank")
    async def get_one(self, principal: Principal, application_id: int, lang: str) -> ApplicationOut:
        return localized(await service.get(principal=principal, application_id=application_id), lang)

    @put("/{application_id:int}", opt=SME, summary="Change a draft (patents, amount, term, valuation)")
    async def edit(
        self, principal: Principal, application_id: int, data: JSONBody[DraftIn], lang: str
    ) -> ApplicationOut:
        return localized(await service.edit(principal=principal, application_id=application_id, data=data), lang)

    @get(
        "/{application_id:int}/precheck",
        opt=PARTIES,
        summary="The pre-check: CNIPA grounds, product floors, licence conflicts, amount cap, documents",
    )
    async def precheck(self, principal: Principal, application_id: int, lang: str) -> PrecheckOut:
        return localized(await service.precheck(principal=principal, application_id=application_id), lang)

    @post(
        "/{application_id:int}/submit",
        opt=SME,
        status_code=HTTP_200_OK,
        summary="Submit to the bank (refused while a reason blocks or a document is missing)",
    )
    async def submit(
        self, principal: Principal, application_id: int, data: JSONBody[SubmitIn], lang: str
    ) -> ApplicationOut:
        return localized(await service.submit(principal=principal, application_id=application_id, data=data), lang)

    @post(
        "/{application_id:int}/documents",
        opt=PARTIES,
        status_code=HTTP_201_CREATED,
        summary="Upload a document of the product's checklist (type read from the content)",
    )
    async def upload(self, principal: Principal, application_id: int, request: Request[Any, Any, Any]) -> DocumentOut:
        """multipart/form-data: ``file``, ``requirement`` (a code of the product's checklist), ``issued_on``
        (YYYY-MM-DD). Read after the access check: another's application is a 404 whatever is posted."""
        await service.get(principal=principal, application_id=application_id)
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            needed = Msg("pledge.ui.err_file")
            raise ValidationFailed(needed, errors=[FieldError("file", needed, code="required")])
        issued = str(form.get("issued_on") or "")
        try:
            issued_on = date.fromisoformat(issued) if issued else None
        except ValueError:
            bad = Msg("pledge.ui.err_date")
            raise ValidationFailed(bad, errors=[FieldError("issued_on", bad, code="date")]) from None
        return await service.upload(
            principal=principal,
            application_id=application_id,
            requirement=str(form.get("requirement") or ""),
            filename=upload.filename or "",
            content_type=upload.content_type or "",
            content=await upload.read(MAX_UPLOAD_BYTES + 1),
            issued_on=issued_on,
        )

    @get("/{application_id:int}/documents/{document_id:int}", opt=PARTIES, summary="One document's file")
    async def document(self, principal: Principal, application_id: int, document_id: int) -> Response[bytes]:
        found, content = await service.document_content(
            principal=principal, application_id=application_id, document_id=document_id
        )
        return Response(
            content=content,
            media_type=found.content_type,
            headers={
                "content-disposition": f"inline; filename*=UTF-8''{quote(found.filename)}",
                "x-content-type-options": "nosniff",
                "content-security-policy": "default-src 'none'",
            },
        )

    @post("/{application_id:int}/resubmit", opt=SME, status_code=HTTP_200_OK, summary="Back to review after more info")
    async def resubmit(
        self, principal: Principal, application_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ApplicationOut:
        return localized(await service.resubmit(principal=principal, application_id=application_id, data=data), lang)

    @post("/{application_id:int}/accept", opt=SME, status_code=HTTP_200_OK, summary="Accept the bank's offer")
    async def accept(
        self, principal: Principal, application_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ApplicationOut:
        return localized(await service.accept(principal=principal, application_id=application_id, data=data), lang)

    @post("/{application_id:int}/withdraw", opt=SME, status_code=HTTP_200_OK, summary="Withdraw (or decline the offer)")
    async def withdraw(
        self, principal: Principal, application_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ApplicationOut:
        return localized(await service.withdraw(principal=principal, application_id=application_id, data=data), lang)

    # ------------------------------------------------------------------------------------------ the bank

    @post("/{application_id:int}/review", opt=BANK, status_code=HTTP_200_OK, summary="Bank: start the review")
    async def start_review(
        self, principal: Principal, application_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.start_review(principal=principal, application_id=application_id, data=data), lang
        )

    @post(
        "/{application_id:int}/more-info",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Bank: ask the SME for more (the SLA clock pauses until it resubmits)",
    )
    async def request_info(
        self, principal: Principal, application_id: int, data: JSONBody[MoreInfoIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.request_info(principal=principal, application_id=application_id, data=data), lang
        )

    @post(
        "/{application_id:int}/valuation",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Bank: accept the valuation or replace it (a decision with both values)",
    )
    async def valuation(
        self, principal: Principal, application_id: int, data: JSONBody[ValuationDecisionIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.decide_valuation(principal=principal, application_id=application_id, data=data), lang
        )

    @post(
        "/{application_id:int}/proposals",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Bank: a maker's credit proposal (approve or refuse)",
    )
    async def propose(
        self, principal: Principal, application_id: int, data: JSONBody[ProposalIn], lang: str
    ) -> ApplicationOut:
        return localized(await service.propose(principal=principal, application_id=application_id, data=data), lang)

    @post(
        "/{application_id:int}/approvals",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Bank: a checker approves the proposal (never its maker: 403)",
    )
    async def approve(
        self, principal: Principal, application_id: int, data: JSONBody[ApprovalIn], lang: str
    ) -> ApplicationOut:
        return localized(await service.approve(principal=principal, application_id=application_id, data=data), lang)

    @post(
        "/{application_id:int}/send-back",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Bank: a checker sends the proposal back to review",
    )
    async def send_back(
        self, principal: Principal, application_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.send_back(principal=principal, application_id=application_id, data=data), lang
        )

    @post("/{application_id:int}/offer", opt=BANK, status_code=HTTP_200_OK, summary="Bank: the offer, with its expiry")
    async def offer(
        self, principal: Principal, application_id: int, data: JSONBody[OfferIn], lang: str
    ) -> ApplicationOut:
        return localized(await service.offer(principal=principal, application_id=application_id, data=data), lang)

    @post(
        "/{application_id:int}/refusal",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Bank: refuse with coded reasons (a decision letter; a second approver where the product says)",
    )
    async def refuse(
        self, principal: Principal, application_id: int, data: JSONBody[RefusalIn], lang: str
    ) -> ApplicationOut:
        return localized(await service.refuse(principal=principal, application_id=application_id, data=data), lang)
