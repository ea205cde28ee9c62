"""Voucher redemptions API: the licence checkout's voucher share (``/api/licences/{id}/voucher``), catalogued
service orders (``/api/voucher-orders``) and claims with their review (``/api/voucher-claims``). Every state
change carries the version the caller read (409 when stale); creating POSTs take an ``Idempotency-Key`` (a replay
answers the first answer again)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.voucher_redemptions import checkout, claims, orders, service
from finance.voucher_redemptions.records import Upload
from finance.voucher_redemptions.schemas import (
    ApproveIn,
    CheckIn,
    LicenceVoucherIn,
    LicenceVoucherOut,
    MoreInfoIn,
    OptionOut,
    OrderIn,
    RedemptionOut,
    RefuseIn,
    ReimburseIn,
    VersionIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme)
PROVIDER = signed_in(OrgKind.service_provider, OrgKind.university)
ISSUER = signed_in(OrgKind.voucher_issuer)
LICENCE_PARTIES = signed_in(OrgKind.sme, OrgKind.university)
PARTIES = signed_in(OrgKind.sme, OrgKind.service_provider, OrgKind.university, OrgKind.voucher_issuer)
CLAIMANTS = signed_in(OrgKind.sme, OrgKind.service_provider, OrgKind.university)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


async def form_of(request: Request[Any, Any, Any]) -> tuple[dict[str, Upload | None], dict[str, str]]:
    """A multipart form's documents (fields ``contract``, ``invoice``, ``copay_proof``, ``deliverable``, each with an
    optional ``<name>_issued_on``) and its other fields."""
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    documents: dict[str, Upload | None] = {}
    for name in service.DOCUMENT_CODES:
        found = form.get(name)
        if not isinstance(found, UploadFile):
            continue
        issued = fields.get(f"{name}_issued_on", "").strip()
        try:
            issued_on = date.fromisoformat(issued) if issued else None
        except ValueError:
            bad = Msg("voucher_redemption.ui.err_date")
            raise ValidationFailed(bad, errors=[FieldError(f"{name}_issued_on", bad, code="date")]) from None
        content = await found.read(MAX_UPLOAD_BYTES + 1)
        documents[name] = Upload(filename=found.filename or "", content_type=found.content_type or "",
                                 content=content, issued_on=issued_on)  # fmt: skip
    return documents, fields


def int_field(fields: dict[str, str], name: str, *, required: bool = True, default: int | None = None) -> int | None:
    text = fields.get(name, "").strip()
    if not text:
        if required:
            bad = Msg("voucher_redemption.ui.err_number")
            raise ValidationFailed(bad, errors=[FieldError(name, bad, code="int_type")])
        return default
    try:
        value = int(text)
    except ValueError:
        bad = Msg("voucher_redemption.ui.err_number")
        raise ValidationFailed(bad, errors=[FieldError(name, bad, code="int_type")]) from None
    if abs(value) > 2**62:
        bad = Msg("voucher_redemption.ui.err_number")
        raise ValidationFailed(bad, errors=[FieldError(name, bad, code="int_type")])
    return value


class LicenceVoucherController(Controller):
    path = "/api/licences/{licence_id:int}/voucher"
    tags = ["vouchers"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=LICENCE_PARTIES, summary="The licence's voucher share, and (the licensee) the entitlements usable")
    async def one(self, principal: Principal, licence_id: int, lang: str) -> LicenceVoucherOut:
        found = await checkout.licence_voucher(principal=principal, licence_id=licence_id)
        options = []
        if principal.org_kind is OrgKind.sme:
            for ent, part in await checkout.licence_options(principal=principal, licence_id=licence_id):
                options.append(OptionOut.of(ent, part))
        return localized(LicenceVoucherOut(
            redemption=await claims.redemption_out(principal, found) if found else None, options=options,
        ), lang)  # fmt: skip

    @post("/", opt=SME, status_code=HTTP_201_CREATED,
          summary="Pay the voucher's share of the amount due (held on the entitlement; the rest is paid as usual)")
    async def choose(
        self, principal: Principal, licence_id: int, data: JSONBody[LicenceVoucherIn], lang: str
    ) -> RedemptionOut:
        made = await checkout.choose_for_licence(principal=principal, licence_id=licence_id, data=data)
        return localized(await claims.redemption_out(principal, made), lang)

    @delete("/", opt=SME, status_code=HTTP_200_OK, summary="Withdraw the voucher share (released; all is due again)")
    async def withdraw(self, principal: Principal, licence_id: int, lang: str) -> RedemptionOut:
        closed = await checkout.withdraw_for_licence(principal=principal, licence_id=licence_id)
        return localized(await claims.redemption_out(principal, closed), lang)


class VoucherOrderController(Controller):
    path = "/api/voucher-orders"
    tags = ["vouchers"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES, summary="My redemptions (a provider: its orders; an issuer: its programmes')")
    async def index(self, principal: Principal, lang: str) -> list[RedemptionOut]:
        return localized(await claims.listed(principal=principal), lang)

    @post("/", opt=SME, status_code=HTTP_201_CREATED, summary="Order a catalogued service paying the voucher's part")
    async def create(self, principal: Principal, data: JSONBody[OrderIn], lang: str) -> RedemptionOut:
        made = await orders.order(principal=principal, data=data)
        return localized(await claims.redemption_out(principal, made), lang)

    @get("/{voucher_redemption_id:int}", opt=PARTIES, summary="One redemption")
    async def one(self, principal: Principal, voucher_redemption_id: int, lang: str) -> RedemptionOut:
        return localized(await claims.get(principal=principal, redemption_id=voucher_redemption_id), lang)

    @post("/{voucher_redemption_id:int}/confirm", opt=PROVIDER, status_code=HTTP_200_OK,
          summary="Provider: confirm the order (the voucher's part is held now)")  # fmt: skip
    async def confirm(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[VersionIn],
                      lang: str) -> RedemptionOut:  # fmt: skip
        found = await orders.confirm(principal=principal, redemption_id=voucher_redemption_id,
                                      expected_version=data.expected_version)  # fmt: skip
        return localized(await claims.redemption_out(principal, found), lang)

    @post("/{voucher_redemption_id:int}/decline", opt=PROVIDER, status_code=HTTP_200_OK,
          summary="Provider: decline the order")  # fmt: skip
    async def decline(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[VersionIn],
                      lang: str) -> RedemptionOut:  # fmt: skip
        found = await orders.decline(principal=principal, redemption_id=voucher_redemption_id,
                                      expected_version=data.expected_version)  # fmt: skip
        return localized(await claims.redemption_out(principal, found), lang)

    @post("/{voucher_redemption_id:int}/cancel", opt=CLAIMANTS, status_code=HTTP_200_OK,
          summary="Cancel an order not yet accepted (the hold released)")  # fmt: skip
    async def cancel(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[VersionIn],
                     lang: str) -> RedemptionOut:  # fmt: skip
        found = await orders.cancel(principal=principal, redemption_id=voucher_redemption_id,
                                     expected_version=data.expected_version)  # fmt: skip
        return localized(await claims.redemption_out(principal, found), lang)

    @post("/{voucher_redemption_id:int}/delivery", opt=PROVIDER, status_code=HTTP_200_OK,
          summary="Provider: hand over the deliverable (multipart deliverable, expected_version)")  # fmt: skip
    async def deliver(self, principal: Principal, voucher_redemption_id: int, request: Request[Any, Any, Any],
                      lang: str) -> RedemptionOut:  # fmt: skip
        await service.of_provider(principal, voucher_redemption_id)  # another's: 404 whatever is posted
        documents, fields = await form_of(request)
        found = await orders.deliver(principal=principal, redemption_id=voucher_redemption_id,
                                      expected_version=int_field(fields, "expected_version") or 0,
                                      deliverable=documents.get(service.DELIVERABLE))  # fmt: skip
        return localized(await claims.redemption_out(principal, found), lang)

    @post("/{voucher_redemption_id:int}/acceptance", opt=SME, status_code=HTTP_200_OK,
          summary="SME: accept the delivered service")  # fmt: skip
    async def accept(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[VersionIn],
                     lang: str) -> RedemptionOut:  # fmt: skip
        found = await orders.accept(principal=principal, redemption_id=voucher_redemption_id,
                                     expected_version=data.expected_version)  # fmt: skip
        return localized(await claims.redemption_out(principal, found), lang)


class VoucherClaimController(Controller):
    path = "/api/voucher-claims"
    tags = ["vouchers"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES, summary="Claims (a provider: its own; an SME: on its vouchers; an issuer: its programmes)")
    async def index(self, principal: Principal, lang: str) -> list[RedemptionOut]:
        return localized(await claims.listed(principal=principal, claims_only=True), lang)

    @get("/{voucher_redemption_id:int}", opt=PARTIES, summary="One claim with its documents and decisions")
    async def one(self, principal: Principal, voucher_redemption_id: int, lang: str) -> RedemptionOut:
        return localized(await claims.get(principal=principal, redemption_id=voucher_redemption_id), lang)

    @post("/{voucher_redemption_id:int}/filing", opt=PROVIDER, status_code=HTTP_201_CREATED,
          summary="Provider: file the claim (multipart contract, invoice, copay_proof, deliverable, expected_version)",
          description="A licence's contract and proof of co-pay, and a delivered service's deliverable, are attached "
                      "by the platform.")  # fmt: skip
    async def file(self, principal: Principal, voucher_redemption_id: int, request: Request[Any, Any, Any],
                   lang: str) -> RedemptionOut:  # fmt: skip
        await service.of_provider(principal, voucher_redemption_id)  # another's: 404 whatever is posted
        documents, fields = await form_of(request)
        found = await claims.file_claim(principal=principal, redemption_id=voucher_redemption_id,
                                        expected_version=int_field(fields, "expected_version", required=False),
                                        documents=documents)  # fmt: skip
        return localized(await claims.redemption_out(principal, found), lang)

    @post("/reimbursements", opt=SME, status_code=HTTP_201_CREATED,
          summary="SME (enterprise-reimbursed programmes): claim back the voucher's part of a service paid in full",
          description=f"Multipart: the fields of {ReimburseIn.model_json_schema()['examples'][0]} and the files "
                      "contract, invoice, copay_proof, deliverable.")  # fmt: skip
    async def reimburse(self, principal: Principal, request: Request[Any, Any, Any], lang: str) -> RedemptionOut:
        documents, fields = await form_of(request)
        data = ReimburseIn(service_id=int_field(fields, "service_id") or 0,
                           entitlement_id=int_field(fields, "entitlement_id") or 0,
                           quantity=int_field(fields, "quantity", required=False, default=1) or 1,
                           amount_minor=int_field(fields, "amount_minor", required=False))  # fmt: skip
        found = await claims.claim_reimbursement(principal=principal, data=data, documents=documents)
        return localized(await claims.redemption_out(principal, found), lang)

    @get("/{voucher_redemption_id:int}/documents/{document_id:int}", opt=PARTIES, summary="One document's file")
    async def document(self, principal: Principal, voucher_redemption_id: int, document_id: int) -> Response[bytes]:
        found, content = await claims.document_content(principal=principal, redemption_id=voucher_redemption_id,
                                                       document_id=document_id)  # fmt: skip
        return Response(content=content, media_type=found.content_type, headers={
            "content-disposition": f"inline; filename*=UTF-8''{quote(found.filename)}",
            "x-content-type-options": "nosniff", "content-security-policy": "default-src 'none'",
        })  # fmt: skip

    @post("/{voucher_redemption_id:int}/resubmit", opt=CLAIMANTS, status_code=HTTP_200_OK,
          summary="Claimant: back to review after more information")  # fmt: skip
    async def resubmit(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[VersionIn],
                       lang: str) -> RedemptionOut:  # fmt: skip
        found = await claims.resubmit(principal=principal, redemption_id=voucher_redemption_id, data=data)
        return localized(await claims.redemption_out(principal, found), lang)

    @post("/{voucher_redemption_id:int}/review", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: start the review")  # fmt: skip
    async def start_review(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[VersionIn],
                           lang: str) -> RedemptionOut:  # fmt: skip
        found = await claims.start_review(principal=principal, redemption_id=voucher_redemption_id, data=data)
        return localized(await claims.redemption_out(principal, found), lang)

    @post("/{voucher_redemption_id:int}/more-info", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: ask the claimant for more (the SLA clock pauses)")  # fmt: skip
    async def request_info(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[MoreInfoIn],
                           lang: str) -> RedemptionOut:  # fmt: skip
        found = await claims.request_info(principal=principal, redemption_id=voucher_redemption_id, data=data)
        return localized(await claims.redemption_out(principal, found), lang)

    @post("/{voucher_redemption_id:int}/approve", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: approve (captured; above the threshold a maker's proposal)")  # fmt: skip
    async def approve(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[ApproveIn],
                      lang: str) -> RedemptionOut:  # fmt: skip
        found = await claims.approve(principal=principal, redemption_id=voucher_redemption_id, data=data)
        return localized(await claims.get(principal=principal, redemption_id=found.id), lang)

    @post("/{voucher_redemption_id:int}/check", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: a checker approves the proposal (never its maker: 403)")  # fmt: skip
    async def check(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[CheckIn],
                    lang: str) -> RedemptionOut:  # fmt: skip
        found = await claims.check(principal=principal, redemption_id=voucher_redemption_id, data=data)
        return localized(await claims.get(principal=principal, redemption_id=found.id), lang)

    @post("/{voucher_redemption_id:int}/send-back", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: send the proposal back to review")  # fmt: skip
    async def send_back(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[VersionIn],
                        lang: str) -> RedemptionOut:  # fmt: skip
        found = await claims.send_back(principal=principal, redemption_id=voucher_redemption_id, data=data)
        return localized(await claims.redemption_out(principal, found), lang)

    @post("/{voucher_redemption_id:int}/refusal", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: refuse with coded reasons (a decision letter; the hold released)")  # fmt: skip
    async def refuse(self, principal: Principal, voucher_redemption_id: int, data: JSONBody[RefuseIn],
                     lang: str) -> RedemptionOut:  # fmt: skip
        found = await claims.refuse(principal=principal, redemption_id=voucher_redemption_id, data=data)
        return localized(await claims.get(principal=principal, redemption_id=found.id), lang)
