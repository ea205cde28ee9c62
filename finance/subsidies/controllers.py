"""Premium-subsidy API: programmes (an issuer writes, versions, opens and closes its own; everyone signed in reads the
open ones), estimates (for the caller's firm, and for an insurance application's frozen quote), and claims (the firm
files with its policy and the proof of payment; the issuer reviews on the desk and records the payment). Every state
change carries the version the caller read (409 when stale)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.subsidies import service
from finance.subsidies.records import Upload
from finance.subsidies.schemas import (
    ApproveIn,
    CheckIn,
    ClaimIn,
    ClaimOut,
    EstimateOut,
    MoreInfoIn,
    MoveIn,
    PaymentIn,
    ProgrammeCreateIn,
    ProgrammeEditIn,
    ProgrammeOut,
    RefuseIn,
    StatusIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.i18n.localized import localized
from market.kit.money import Money
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ISSUER = signed_in(OrgKind.voucher_issuer)
SME = signed_in(OrgKind.sme)
PARTIES = signed_in(OrgKind.sme, OrgKind.voucher_issuer)
READERS = signed_in(OrgKind.sme, OrgKind.voucher_issuer, OrgKind.insurer, OrgKind.bank)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


async def upload_of(request: Request[Any, Any, Any]) -> tuple[Upload | None, dict[str, str]]:
    """The multipart form's ``file`` (with ``issued_on``) and its other fields."""
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    found = form.get("file")
    if not isinstance(found, UploadFile):
        return None, fields
    issued = fields.get("issued_on", "").strip()
    try:
        issued_on = date.fromisoformat(issued) if issued else None
    except ValueError:
        bad = Msg("subsidy.ui.err_date")
        raise ValidationFailed(bad, errors=[FieldError("issued_on", bad, code="date")]) from None
    content = await found.read(MAX_UPLOAD_BYTES + 1)
    return Upload(filename=found.filename or "", content_type=found.content_type or "", content=content,
                  issued_on=issued_on), fields  # fmt: skip


def _int_field(fields: dict[str, str], name: str) -> int:
    text = fields.get(name, "").strip()
    if not text.isdigit() or int(text) < 1:
        bad = Msg("subsidy.ui.err_number")
        raise ValidationFailed(bad, errors=[FieldError(name, bad, code="int_type")])
    return int(text)


class SubsidyProgrammeController(Controller):
    path = "/api/subsidies/programmes"
    tags = ["subsidies"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=READERS, summary="Open programmes (an issuer: its own, any status)")
    async def index(self, principal: Principal, kind: str | None = None) -> list[ProgrammeOut]:
        if principal.org_kind is OrgKind.voucher_issuer:
            rows = await service.programmes_of_issuer(principal.org_id)
        else:
            rows = await service.programmes(kind=kind)
        return [await service.programme_out(r) for r in rows]

    @post("/", opt=ISSUER, status_code=HTTP_201_CREATED, summary="Issuer: a new programme (a draft, version 1)")
    async def create(self, principal: Principal, data: JSONBody[ProgrammeCreateIn]) -> ProgrammeOut:
        return await service.create_programme(principal=principal, data=data)

    @get("/{programme_id:int}", opt=READERS, summary="One programme (a draft: its issuer only)")
    async def one(self, principal: Principal, programme_id: int) -> ProgrammeOut:
        return await service.programme_out(
            await service.visible_programme(principal=principal, programme_id=programme_id)
        )

    @get("/{programme_id:int}/versions", opt=ISSUER, summary="Issuer: every version of its programme, newest first")
    async def versions(self, principal: Principal, programme_id: int) -> list[ProgrammeOut]:
        await service.issuer_programme(principal=principal, programme_id=programme_id)
        return [await service.programme_out(r) for r in await service.programme_versions(programme_id)]

    @put("/{programme_id:int}", opt=ISSUER, summary="Issuer: the next version of the terms (claims keep theirs)")
    async def edit(self, principal: Principal, programme_id: int, data: JSONBody[ProgrammeEditIn]) -> ProgrammeOut:
        return await service.edit_programme(principal=principal, programme_id=programme_id, data=data)

    @post("/{programme_id:int}/open", opt=ISSUER, status_code=HTTP_200_OK, summary="Issuer: open for claims")
    async def open(self, principal: Principal, programme_id: int, data: JSONBody[StatusIn]) -> ProgrammeOut:
        return await service.change_status(principal=principal, programme_id=programme_id, action="open",
                                           expected_version=data.expected_version)  # fmt: skip

    @post("/{programme_id:int}/close", opt=ISSUER, status_code=HTTP_200_OK, summary="Issuer: close to new claims")
    async def close(self, principal: Principal, programme_id: int, data: JSONBody[StatusIn]) -> ProgrammeOut:
        return await service.change_status(principal=principal, programme_id=programme_id, action="close",
                                           expected_version=data.expected_version)  # fmt: skip


class SubsidyEstimateController(Controller):
    path = "/api"
    tags = ["subsidies"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/subsidies/estimates", opt=SME, summary="What each open programme would pay my firm towards a premium")
    async def estimates(
        self, principal: Principal, premium_minor: int, kind: str, lang: str, firm_tier: str = "sme"
    ) -> list[EstimateOut]:
        found = await service.estimates_for(org_id=principal.org_id, premium=Money("CNY", max(premium_minor, 0)),
                                            kind=kind, firm_tier=firm_tier)  # fmt: skip
        return localized([service.estimate_out(e) for e in found], lang)

    @get(
        "/insurance/applications/{insurance_application_id:int}/subsidies",
        opt=READERS,
        summary="The subsidy programmes an insurance application's quote qualifies for, with the amounts and why",
    )
    async def for_application(
        self, principal: Principal, insurance_application_id: int, lang: str
    ) -> list[EstimateOut]:
        return localized(
            await service.estimates_for_application(principal=principal, application_id=insurance_application_id),
            lang,
        )


class SubsidyClaimController(Controller):
    path = "/api/subsidies/claims"
    tags = ["subsidies"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES, summary="My firm's claims (an issuer: the claims on its programmes)")
    async def index(self, principal: Principal, lang: str) -> list[ClaimOut]:
        return localized(await service.claims_of(principal=principal), lang)

    @post(
        "/",
        opt=SME,
        status_code=HTTP_201_CREATED,
        summary="File a claim: multipart policy_id, programme_id, file (the proof of payment), issued_on",
        description=f"The form's fields as JSON: {ClaimIn.model_json_schema()['examples'][0]}",
    )
    async def file(self, principal: Principal, request: Request[Any, Any, Any], lang: str) -> ClaimOut:
        document, fields = await upload_of(request)
        data = ClaimIn(policy_id=_int_field(fields, "policy_id"), programme_id=_int_field(fields, "programme_id"))
        return localized(
            await service.file_claim(principal=principal, policy_id=data.policy_id, programme_id=data.programme_id,
                                     proof_document=document), lang,
        )  # fmt: skip

    @get("/{subsidy_claim_id:int}", opt=PARTIES, summary="One claim, for the firm and the issuer")
    async def one(self, principal: Principal, subsidy_claim_id: int, lang: str) -> ClaimOut:
        return localized(await service.get_claim(principal=principal, claim_id=subsidy_claim_id), lang)

    @post("/{subsidy_claim_id:int}/documents", opt=PARTIES, status_code=HTTP_201_CREATED,
          summary="Upload a document: multipart requirement (premium_paid_proof, premium_invoice), file, issued_on")
    async def upload(self, principal: Principal, subsidy_claim_id: int, request: Request[Any, Any, Any],
                     lang: str) -> ClaimOut:  # fmt: skip
        await service.get_claim(principal=principal, claim_id=subsidy_claim_id)  # another's: 404 whatever is posted
        document, fields = await upload_of(request)
        if document is None:
            needed = Msg("subsidy.proof_needed")
            raise ValidationFailed(needed, errors=[FieldError("file", needed, code="required")])
        return localized(
            await service.upload(principal=principal, claim_id=subsidy_claim_id,
                                 requirement=fields.get("requirement", service.PROOF), document=document), lang,
        )  # fmt: skip

    @get("/{subsidy_claim_id:int}/documents/{document_id:int}", opt=PARTIES, summary="One document's file")
    async def document(self, principal: Principal, subsidy_claim_id: int, document_id: int) -> Response[bytes]:
        found, content = await service.document_content(principal=principal, claim_id=subsidy_claim_id,
                                                        document_id=document_id)  # fmt: skip
        return Response(content=content, media_type=found.content_type, headers={
            "content-disposition": f"inline; filename*=UTF-8''{quote(found.filename)}",
            "x-content-type-options": "nosniff", "content-security-policy": "default-src 'none'",
        })  # fmt: skip

    @post("/{subsidy_claim_id:int}/resubmit", opt=SME, status_code=HTTP_200_OK, summary="Back to review")
    async def resubmit(
        self, principal: Principal, subsidy_claim_id: int, data: JSONBody[MoveIn], lang: str
    ) -> ClaimOut:
        return localized(await service.resubmit(principal=principal, claim_id=subsidy_claim_id, data=data), lang)

    @post("/{subsidy_claim_id:int}/review", opt=ISSUER, status_code=HTTP_200_OK, summary="Issuer: start the review")
    async def start_review(self, principal: Principal, subsidy_claim_id: int, data: JSONBody[MoveIn],
                           lang: str) -> ClaimOut:  # fmt: skip
        return localized(await service.start_review(principal=principal, claim_id=subsidy_claim_id, data=data), lang)

    @post("/{subsidy_claim_id:int}/more-info", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: ask the firm for more (the SLA clock pauses)")  # fmt: skip
    async def request_info(self, principal: Principal, subsidy_claim_id: int, data: JSONBody[MoreInfoIn],
                           lang: str) -> ClaimOut:  # fmt: skip
        return localized(await service.request_info(principal=principal, claim_id=subsidy_claim_id, data=data), lang)

    @post("/{subsidy_claim_id:int}/approve", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: approve (the caps reserved; above the threshold a maker's proposal)")  # fmt: skip
    async def approve(self, principal: Principal, subsidy_claim_id: int, data: JSONBody[ApproveIn],
                      lang: str) -> ClaimOut:  # fmt: skip
        return localized(await service.approve(principal=principal, claim_id=subsidy_claim_id, data=data), lang)

    @post("/{subsidy_claim_id:int}/check", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: a checker approves the proposal (never its maker: 403)")  # fmt: skip
    async def check(self, principal: Principal, subsidy_claim_id: int, data: JSONBody[CheckIn], lang: str) -> ClaimOut:
        return localized(await service.check(principal=principal, claim_id=subsidy_claim_id, data=data), lang)

    @post("/{subsidy_claim_id:int}/send-back", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: send the proposal back to review")  # fmt: skip
    async def send_back(self, principal: Principal, subsidy_claim_id: int, data: JSONBody[MoveIn],
                        lang: str) -> ClaimOut:  # fmt: skip
        return localized(await service.send_back(principal=principal, claim_id=subsidy_claim_id, data=data), lang)

    @post("/{subsidy_claim_id:int}/refusal", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: refuse with coded reasons (a decision letter)")  # fmt: skip
    async def refuse(self, principal: Principal, subsidy_claim_id: int, data: JSONBody[RefuseIn],
                     lang: str) -> ClaimOut:  # fmt: skip
        return localized(await service.refuse(principal=principal, claim_id=subsidy_claim_id, data=data), lang)

    @post("/{subsidy_claim_id:int}/payment", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: record the payment of the approved amount (once)")  # fmt: skip
    async def payment(self, principal: Principal, subsidy_claim_id: int, data: JSONBody[PaymentIn],
                      lang: str) -> ClaimOut:  # fmt: skip
        return localized(await service.record_payment(principal=principal, claim_id=subsidy_claim_id, data=data), lang)
