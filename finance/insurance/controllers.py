"""IP insurance API: eligibility, the SME's application (questionnaire answered once, quote frozen, documents,
submission), the licensee's consent request and the patentee's answer, and the insurer's underwriting (review, more
information, accept with conditions or decline with coded reasons, four eyes above the threshold). An insurer sees
only its own submitted applications; every state change carries the case version the caller read (409 when
stale)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.insurance import service
from finance.insurance.schemas import (
    AnswersIn,
    ApplicationIn,
    ApplicationOut,
    ApplicationSummaryOut,
    ApprovalIn,
    ConsentDecisionIn,
    ConsentOut,
    ConsentRequestIn,
    DecisionIn,
    DocumentOut,
    EligibilityIn,
    EligibilityOut,
    MoreInfoIn,
    MoveIn,
)
from finance.letters.schemas import LetterOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme)
INSURER = signed_in(OrgKind.insurer)
PARTIES = signed_in(OrgKind.sme, OrgKind.insurer)
PATENTEES = signed_in(OrgKind.university, OrgKind.sme)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class InsuranceController(Controller):
    path = "/api/insurance"
    tags = ["insurance"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/eligibility", opt=SME, status_code=HTTP_200_OK, summary="Which patents a product version would cover")
    async def eligibility(
        self, principal: Principal, data: JSONBody[EligibilityIn], lang: str
    ) -> list[EligibilityOut]:
        results = await service.check_eligibility(
            principal=principal, product_version_id=data.product_version_id, patent_ids=data.patent_ids
        )
        return localized([service.eligibility_out(r) for r in results], lang)

    @post("/applications", opt=SME, status_code=HTTP_201_CREATED, summary="Apply (eligibility first: 422 per patent)")
    async def create(self, principal: Principal, data: JSONBody[ApplicationIn], lang: str) -> ApplicationOut:
        return localized(await service.create_application(principal=principal, data=data), lang)

    @get("/applications", opt=PARTIES, summary="My applications (an insurer: its submitted ones, soonest due first)")
    async def list_mine(
        self,
        principal: Principal,
        states: Annotated[str, QueryParameter(name="state", description="States, comma-separated")] = "",
        q: str = "",
        open_only: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> list[ApplicationSummaryOut]:
        return await service.list_mine(
            principal=principal,
            states=tuple(s for s in states.split(",") if s),
            q=q[:60],
            open_only=open_only,
            limit=max(1, min(limit, 200)),
            offset=max(0, offset),
        )

    @get("/applications/{insurance_application_id:int}", opt=PARTIES, summary="One application")
    async def get_one(self, principal: Principal, insurance_application_id: int, lang: str) -> ApplicationOut:
        return localized(await service.get(principal=principal, application_id=insurance_application_id), lang)

    @post(
        "/applications/{insurance_application_id:int}/answers",
        opt=SME,
        status_code=HTTP_200_OK,
        summary="Answer the questionnaire once (Art 16 acknowledged): answers and quote frozen; again: 409",
    )
    async def answer(
        self, principal: Principal, insurance_application_id: int, data: JSONBody[AnswersIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.answer(principal=principal, application_id=insurance_application_id, data=data), lang
        )

    @post(
        "/applications/{insurance_application_id:int}/submit",
        opt=SME,
        status_code=HTTP_200_OK,
        summary="Submit to the insurer (eligibility read again, checklist complete, quote valid)",
    )
    async def submit(
        self, principal: Principal, insurance_application_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.submit(
                principal=principal, application_id=insurance_application_id, version=data.expected_version
            ),
            lang,
        )

    @post(
        "/applications/{insurance_application_id:int}/documents",
        opt=PARTIES,
        status_code=HTTP_201_CREATED,
        summary="Upload a document of the checklist (type read from the content)",
    )
    async def upload(
        self, principal: Principal, insurance_application_id: int, request: Request[Any, Any, Any]
    ) -> DocumentOut:
        """multipart/form-data: ``file``, ``requirement`` (a checklist code), ``issued_on`` (YYYY-MM-DD). Read after
        the access check: another's application is a 404 whatever is posted."""
        await service.get(principal=principal, application_id=insurance_application_id)
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            needed = Msg("insurance.ui.err_file")
            raise ValidationFailed(needed, errors=[FieldError("file", needed, code="required")])
        issued = str(form.get("issued_on") or "")
        try:
            issued_on = date.fromisoformat(issued) if issued else None
        except ValueError:
            bad = Msg("insurance.ui.err_date")
            raise ValidationFailed(bad, errors=[FieldError("issued_on", bad, code="date")]) from None
        return await service.upload(
            principal=principal,
            application_id=insurance_application_id,
            requirement=str(form.get("requirement") or ""),
            filename=upload.filename or "",
            content_type=upload.content_type or "",
            content=await upload.read(MAX_UPLOAD_BYTES + 1),
            issued_on=issued_on,
        )

    @get(
        "/applications/{insurance_application_id:int}/documents/{document_id:int}",
        opt=PARTIES,
        summary="One document's file",
    )
    async def document(
        self, principal: Principal, insurance_application_id: int, document_id: int
    ) -> Response[bytes]:
        found, content = await service.document_content(
            principal=principal, application_id=insurance_application_id, document_id=document_id
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

    @get(
        "/applications/{insurance_application_id:int}/letters",
        opt=PARTIES,
        summary="The decision letters (bilingual, sealed)",
    )
    async def letters(self, principal: Principal, insurance_application_id: int, lang: str) -> list[LetterOut]:
        found: list[LetterOut] = await service.letters_of(
            principal=principal, application_id=insurance_application_id, lang=lang
        )
        return found

    @post(
        "/applications/{insurance_application_id:int}/resubmit",
        opt=SME,
        status_code=HTTP_200_OK,
        summary="Back to review after more info",
    )
    async def resubmit(
        self, principal: Principal, insurance_application_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.resubmit(principal=principal, application_id=insurance_application_id, data=data), lang
        )

    @post("/applications/{insurance_application_id:int}/withdraw", opt=SME, status_code=HTTP_200_OK, summary="Withdraw")
    async def withdraw(
        self, principal: Principal, insurance_application_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.withdraw(principal=principal, application_id=insurance_application_id, data=data), lang
        )

    # ------------------------------------------------------------------------------------------ the insurer

    @post(
        "/applications/{insurance_application_id:int}/review",
        opt=INSURER,
        status_code=HTTP_200_OK,
        summary="Insurer: start the review",
    )
    async def start_review(
        self, principal: Principal, insurance_application_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.start_review(principal=principal, application_id=insurance_application_id, data=data), lang
        )

    @post(
        "/applications/{insurance_application_id:int}/more-info",
        opt=INSURER,
        status_code=HTTP_200_OK,
        summary="Insurer: ask the SME for more (the SLA clock pauses until it resubmits)",
    )
    async def request_info(
        self, principal: Principal, insurance_application_id: int, data: JSONBody[MoreInfoIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.request_info(principal=principal, application_id=insurance_application_id, data=data), lang
        )

    @post(
        "/applications/{insurance_application_id:int}/decision",
        opt=INSURER,
        status_code=HTTP_200_OK,
        summary="Insurer: accept (with conditions) or decline (coded reasons, a letter); above the threshold: proposal",
    )
    async def decide(
        self, principal: Principal, insurance_application_id: int, data: JSONBody[DecisionIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.decide(principal=principal, application_id=insurance_application_id, data=data), lang
        )

    @post(
        "/applications/{insurance_application_id:int}/approvals",
        opt=INSURER,
        status_code=HTTP_200_OK,
        summary="Insurer: a second member approves the proposal (never its maker: 403)",
    )
    async def approve(
        self, principal: Principal, insurance_application_id: int, data: JSONBody[ApprovalIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.approve(principal=principal, application_id=insurance_application_id, data=data), lang
        )

    @post(
        "/applications/{insurance_application_id:int}/send-back",
        opt=INSURER,
        status_code=HTTP_200_OK,
        summary="Insurer: send the proposal back to review",
    )
    async def send_back(
        self, principal: Principal, insurance_application_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ApplicationOut:
        return localized(
            await service.send_back(principal=principal, application_id=insurance_application_id, data=data), lang
        )

    # ------------------------------------------------------------------------------------------ consents

    @post("/consents", opt=SME, status_code=HTTP_200_OK, summary="Licensee: ask the patentee's consent (one click)")
    async def request_consent(self, principal: Principal, data: JSONBody[ConsentRequestIn], lang: str) -> ConsentOut:
        return localized(await service.request_consent(principal=principal, licence_id=data.licence_id), lang)

    @get("/consents", opt=PATENTEES, summary="A university's consent requests; an SME's own")
    async def consents(self, principal: Principal, lang: str) -> list[ConsentOut]:
        return localized(await service.consents_for(principal=principal), lang)

    @post(
        "/consents/{consent_id:int}/decision",
        opt=signed_in(OrgKind.university, OrgKind.sme, OrgKind.bank, OrgKind.insurer),
        status_code=HTTP_200_OK,
        summary="Patentee: grant or refuse (only a member of the patentee organisation: else 403)",
    )
    async def decide_consent(
        self, principal: Principal, consent_id: int, data: JSONBody[ConsentDecisionIn], lang: str
    ) -> ConsentOut:
        return localized(await service.decide_consent(principal=principal, consent_id=consent_id, data=data), lang)
