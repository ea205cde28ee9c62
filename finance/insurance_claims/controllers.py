"""Insurance claims API: the insured's notice, acceptance number, costs with invoices, resubmission and withdrawal;
the insurer's review, pre-approval, assessment, payment and denial; the SME's guarantee attachment; the bank reads
its guarantee claims. Every state change carries the case version the caller read (409 when stale)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from pydantic import ValidationError

from finance.insurance_claims import service
from finance.insurance_claims.schemas import (
    AcceptanceIn,
    AssessmentIn,
    BookOut,
    ClaimNoticeIn,
    ClaimOut,
    CostIn,
    DenialIn,
    GuaranteeIn,
    GuaranteeOut,
    MoreInfoIn,
    MoveIn,
    PaymentIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

INSURED = signed_in(OrgKind.sme)
INSURER = signed_in(OrgKind.insurer)
PARTIES = signed_in(OrgKind.sme, OrgKind.bank, OrgKind.insurer)
CLAIMANTS = signed_in(OrgKind.sme, OrgKind.bank)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


async def read_cost(request: Request[Any, Any, Any]) -> tuple[CostIn, str, str, bytes]:
    """multipart/form-data: kind, amount_minor, incurred_on, invoice_number, description and the invoice ``file``."""
    form = await request.form()
    upload = form.get("file")
    raw = {
        "kind": str(form.get("kind") or ""),
        "incurred_on": str(form.get("incurred_on") or ""),
        "invoice_number": str(form.get("invoice_number") or ""),
        "description": str(form.get("description") or ""),
    }
    errors = []
    try:
        amount = int(str(form.get("amount_minor") or ""))
    except ValueError:
        amount = 0
        errors.append(FieldError("amount_minor", Msg("insurance_claim.ui.err_amount"), code="int"))
    try:
        incurred = date.fromisoformat(raw["incurred_on"]) if raw["incurred_on"] else None
        data = CostIn.model_validate({**raw, "amount_minor": amount, "incurred_on": incurred})
    except (ValidationError, ValueError) as problem:
        fields = (
            [str(e["loc"][0]) for e in problem.errors() if e["loc"]] if isinstance(problem, ValidationError) else []
        )
        errors += [FieldError(f, Msg(f"insurance_claim.ui.err_{f}"), code="invalid") for f in fields or ["form"]]
        data = None
    if not isinstance(upload, UploadFile):
        errors.append(FieldError("file", Msg("insurance_claim.ui.err_file"), code="required"))
    if errors or data is None or not isinstance(upload, UploadFile):
        first = errors[0].message if errors else Msg("insurance_claim.ui.err_form")
        raise ValidationFailed(first, errors=errors)
    content = await upload.read(MAX_UPLOAD_BYTES + 1)
    return data, upload.filename or "", upload.content_type or "", content


class InsuranceClaimController(Controller):
    path = "/api/insurance/claims"
    tags = ["insurance: claims"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES, summary="My claims (a bank: its guarantee claims; an insurer: claims on its policies)")
    async def list_mine(self, principal: Principal, lang: str) -> list[ClaimOut]:
        return localized(await service.list_mine(principal=principal, lang=lang), lang)

    @post(
        "/policies/{policy_id:int}",
        opt=INSURED,
        status_code=HTTP_201_CREATED,
        summary="Notify a claim on my in-force policy (patent, counterparty, forum, dates, acceptance number)",
    )
    async def notify(
        self, principal: Principal, policy_id: int, data: JSONBody[ClaimNoticeIn], lang: str
    ) -> ClaimOut:
        return localized(await service.notify_claim(principal=principal, policy_id=policy_id, data=data), lang)

    @get("/book", opt=INSURER, summary="Insurer: my claims by state and what I have paid (for the book)")
    async def book(self, principal: Principal) -> BookOut:
        paid = await service.paid_total(principal.org_id)
        return BookOut(
            claims_by_state=await service.claims_by_state(principal.org_id),
            paid_total_minor=paid.minor,
            currency=paid.currency,
        )

    @get("/{claim_id:int}", opt=PARTIES, summary="One claim: costs, invoices, assessment, decisions and letters")
    async def get_one(self, principal: Principal, claim_id: int, lang: str) -> ClaimOut:
        return localized(await service.get(principal=principal, claim_id=claim_id, lang=lang), lang)

    @post("/{claim_id:int}/acceptance", opt=INSURED, status_code=HTTP_200_OK,
          summary="Record the case's acceptance number and date (立案/受理)")  # fmt: skip
    async def acceptance(
        self, principal: Principal, claim_id: int, data: JSONBody[AcceptanceIn], lang: str
    ) -> ClaimOut:
        return localized(await service.record_acceptance(principal=principal, claim_id=claim_id, data=data), lang)

    @post(
        "/{claim_id:int}/costs",
        opt=INSURED,
        status_code=HTTP_201_CREATED,
        summary="Add a cost with its invoice (multipart: kind, amount_minor, incurred_on, invoice_number, file)",
    )
    async def add_cost(
        self, principal: Principal, claim_id: int, request: Request[Any, Any, Any], lang: str
    ) -> ClaimOut:
        await service.get(principal=principal, claim_id=claim_id)  # another's claim: 404 whatever is posted
        data, filename, content_type, content = await read_cost(request)
        return localized(
            await service.add_cost(
                principal=principal, claim_id=claim_id, data=data, filename=filename, content_type=content_type,
                content=content,
            ),
            lang,
        )  # fmt: skip

    @post("/{claim_id:int}/resubmit", opt=CLAIMANTS, status_code=HTTP_200_OK, summary="Back to review after more info")
    async def resubmit(self, principal: Principal, claim_id: int, data: JSONBody[MoveIn], lang: str) -> ClaimOut:
        return localized(await service.resubmit(principal=principal, claim_id=claim_id, data=data), lang)

    @post("/{claim_id:int}/withdraw", opt=INSURED, status_code=HTTP_200_OK, summary="Withdraw the claim")
    async def withdraw(self, principal: Principal, claim_id: int, data: JSONBody[MoveIn], lang: str) -> ClaimOut:
        return localized(await service.withdraw(principal=principal, claim_id=claim_id, data=data), lang)

    # ------------------------------------------------------------------------------------------ the insurer

    @post("/{claim_id:int}/review", opt=INSURER, status_code=HTTP_200_OK, summary="Insurer: start the review")
    async def review(self, principal: Principal, claim_id: int, data: JSONBody[MoveIn], lang: str) -> ClaimOut:
        return localized(await service.start_review(principal=principal, claim_id=claim_id, data=data), lang)

    @post("/{claim_id:int}/more-info", opt=INSURER, status_code=HTTP_200_OK,
          summary="Insurer: ask the insured for more (the SLA clock pauses)")  # fmt: skip
    async def more_info(
        self, principal: Principal, claim_id: int, data: JSONBody[MoreInfoIn], lang: str
    ) -> ClaimOut:
        return localized(await service.request_info(principal=principal, claim_id=claim_id, data=data), lang)

    @post("/{claim_id:int}/costs/{cost_id:int}/pre-approval", opt=INSURER, status_code=HTTP_200_OK,
          summary="Insurer: pre-approve a cost (once)")  # fmt: skip
    async def pre_approve(
        self, principal: Principal, claim_id: int, cost_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ClaimOut:
        return localized(
            await service.pre_approve(principal=principal, claim_id=claim_id, cost_id=cost_id, data=data), lang
        )

    @post("/{claim_id:int}/assessment", opt=INSURER, status_code=HTTP_200_OK,
          summary="Insurer: assess against the limits and the deductible, line by line")  # fmt: skip
    async def assess(
        self, principal: Principal, claim_id: int, data: JSONBody[AssessmentIn], lang: str
    ) -> ClaimOut:
        return localized(await service.assess(principal=principal, claim_id=claim_id, data=data), lang)

    @post("/{claim_id:int}/reassess", opt=INSURER, status_code=HTTP_200_OK, summary="Insurer: back to review")
    async def reassess(self, principal: Principal, claim_id: int, data: JSONBody[MoveIn], lang: str) -> ClaimOut:
        return localized(await service.reassess(principal=principal, claim_id=claim_id, data=data), lang)

    @post("/{claim_id:int}/payment", opt=INSURER, status_code=HTTP_200_OK,
          summary="Insurer: record the payment of the assessed amount")  # fmt: skip
    async def pay(self, principal: Principal, claim_id: int, data: JSONBody[PaymentIn], lang: str) -> ClaimOut:
        return localized(await service.pay(principal=principal, claim_id=claim_id, data=data), lang)

    @post("/{claim_id:int}/denial", opt=INSURER, status_code=HTTP_200_OK,
          summary="Insurer: deny with coded reasons (a decision letter)")  # fmt: skip
    async def deny(self, principal: Principal, claim_id: int, data: JSONBody[DenialIn], lang: str) -> ClaimOut:
        return localized(await service.deny(principal=principal, claim_id=claim_id, data=data), lang)

    # ------------------------------------------------------------------------------------------ guarantees

    @post("/guarantees", opt=INSURED, status_code=HTTP_201_CREATED,
          summary="Attach my guarantee policy to my pledge application (a loan document)")  # fmt: skip
    async def attach(self, principal: Principal, data: JSONBody[GuaranteeIn]) -> GuaranteeOut:
        return await service.attach_guarantee(
            principal=principal, policy_id=data.policy_id, pledge_application_id=data.pledge_application_id
        )
