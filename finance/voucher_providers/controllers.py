"""Voucher provider API: an organisation (service provider or university) applies to a programme's catalogue and
uploads its evidence; the issuer reviews on the desk, approves (the public notice starts), decides objections,
suspends, reinstates, delists with coded reasons; anyone signed in objects during a notice and reads the catalogue;
a listed provider publishes, revises and withdraws its services. Every move carries the version the caller read."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.voucher_providers import service
from finance.voucher_providers.records import Upload
from finance.voucher_providers.schemas import (
    ApplyIn,
    MoreInfoIn,
    MoveIn,
    ObjectionDecisionIn,
    ObjectionIn,
    ObjectionOut,
    ProviderOut,
    ReasonedIn,
    ServiceIn,
    ServiceOut,
    ServiceReviseIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ISSUER = signed_in(OrgKind.voucher_issuer)
PROVIDERS = signed_in(OrgKind.service_provider, OrgKind.university)
PARTIES = signed_in(OrgKind.service_provider, OrgKind.university, OrgKind.voucher_issuer)
READERS = signed_in()
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


async def upload_of(request: Request[Any, Any, Any], name: str = "file") -> tuple[Upload | None, dict[str, str]]:
    """The multipart form's file ``name`` (with ``issued_on``) and its other fields."""
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    found = form.get(name)
    if not isinstance(found, UploadFile):
        return None, fields
    issued = fields.get("issued_on", "").strip()
    try:
        issued_on = date.fromisoformat(issued) if issued else None
    except ValueError:
        bad = Msg("voucher_provider.ui.err_date")
        raise ValidationFailed(bad, errors=[FieldError("issued_on", bad, code="date")]) from None
    content = await found.read(MAX_UPLOAD_BYTES + 1)
    return Upload(filename=found.filename or "", content_type=found.content_type or "", content=content,
                  issued_on=issued_on), fields  # fmt: skip


class VoucherProviderController(Controller):
    path = "/api/voucher-providers"
    tags = ["vouchers"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES, summary="My organisation's applications and listings (an issuer: those on its programmes)")
    async def index(self, principal: Principal, lang: str, programme_id: int | None = None) -> list[ProviderOut]:
        return localized(await service.providers_for(principal=principal, programme_id=programme_id), lang)

    @post("/", opt=PROVIDERS, status_code=HTTP_201_CREATED,
          summary="Apply to a programme's catalogue (then upload the evidence to /documents)")  # fmt: skip
    async def apply(self, principal: Principal, data: JSONBody[ApplyIn], lang: str) -> ProviderOut:
        return localized(await service.apply(principal=principal, data=data), lang)

    @get("/{voucher_provider_id:int}", opt=READERS,
         summary="One application or listing (others than its parties: listings and notices only)")  # fmt: skip
    async def one(self, principal: Principal, voucher_provider_id: int, lang: str) -> ProviderOut:
        return localized(await service.get_provider(principal=principal, provider_id=voucher_provider_id), lang)

    @post("/{voucher_provider_id:int}/documents", opt=PARTIES, status_code=HTTP_201_CREATED,
          summary="Upload evidence: multipart requirement (qualification_evidence, capability_statement), file")
    async def upload(self, principal: Principal, voucher_provider_id: int, request: Request[Any, Any, Any],
                     lang: str) -> ProviderOut:  # fmt: skip
        await service.require_party(principal=principal, provider_id=voucher_provider_id)  # another's: 404 first
        document, fields = await upload_of(request)
        if document is None:
            needed = Msg("voucher_provider.file_needed")
            raise ValidationFailed(needed, errors=[FieldError("file", needed, code="required")])
        return localized(await service.upload(principal=principal, provider_id=voucher_provider_id,
                                              requirement=fields.get("requirement", service.EVIDENCE),
                                              document=document), lang)  # fmt: skip

    @get("/{voucher_provider_id:int}/documents/{document_id:int}", opt=PARTIES, summary="One document's file")
    async def document(self, principal: Principal, voucher_provider_id: int, document_id: int) -> Response[bytes]:
        found, content = await service.document_content(principal=principal, provider_id=voucher_provider_id,
                                                        document_id=document_id)  # fmt: skip
        return Response(content=content, media_type=found.content_type, headers={
            "content-disposition": f"inline; filename*=UTF-8''{quote(found.filename)}",
            "x-content-type-options": "nosniff", "content-security-policy": "default-src 'none'",
        })  # fmt: skip

    @post("/{voucher_provider_id:int}/resubmit", opt=PROVIDERS, status_code=HTTP_200_OK, summary="Back to review")
    async def resubmit(self, principal: Principal, voucher_provider_id: int, data: JSONBody[MoveIn],
                       lang: str) -> ProviderOut:  # fmt: skip
        return localized(await service.resubmit(principal=principal, provider_id=voucher_provider_id, data=data), lang)

    @post("/{voucher_provider_id:int}/review", opt=ISSUER, status_code=HTTP_200_OK, summary="Issuer: start the review")
    async def start_review(self, principal: Principal, voucher_provider_id: int, data: JSONBody[MoveIn],
                           lang: str) -> ProviderOut:  # fmt: skip
        return localized(await service.start_review(principal=principal, provider_id=voucher_provider_id, data=data),
                         lang)  # fmt: skip

    @post("/{voucher_provider_id:int}/more-info", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: ask the applicant for more (the SLA clock pauses)")  # fmt: skip
    async def request_info(self, principal: Principal, voucher_provider_id: int, data: JSONBody[MoreInfoIn],
                           lang: str) -> ProviderOut:  # fmt: skip
        return localized(await service.request_info(principal=principal, provider_id=voucher_provider_id, data=data),
                         lang)  # fmt: skip

    @post("/{voucher_provider_id:int}/approve", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: approve (the public notice starts; listed when it ends without an upheld objection)")
    async def approve(self, principal: Principal, voucher_provider_id: int, data: JSONBody[MoveIn],
                      lang: str) -> ProviderOut:  # fmt: skip
        return localized(await service.approve(principal=principal, provider_id=voucher_provider_id, data=data), lang)

    @post("/{voucher_provider_id:int}/refusal", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: refuse with coded reasons")  # fmt: skip
    async def refuse(self, principal: Principal, voucher_provider_id: int, data: JSONBody[ReasonedIn],
                     lang: str) -> ProviderOut:  # fmt: skip
        return localized(await service.refuse(principal=principal, provider_id=voucher_provider_id, data=data), lang)

    @post("/{voucher_provider_id:int}/suspension", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: suspend a listed provider (coded reasons)")  # fmt: skip
    async def suspend(self, principal: Principal, voucher_provider_id: int, data: JSONBody[ReasonedIn],
                      lang: str) -> ProviderOut:  # fmt: skip
        return localized(await service.suspend(principal=principal, provider_id=voucher_provider_id, data=data), lang)

    @post("/{voucher_provider_id:int}/reinstatement", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: reinstate a suspended provider")  # fmt: skip
    async def reinstate(self, principal: Principal, voucher_provider_id: int, data: JSONBody[ReasonedIn],
                        lang: str) -> ProviderOut:  # fmt: skip
        return localized(await service.reinstate(principal=principal, provider_id=voucher_provider_id, data=data),
                         lang)  # fmt: skip

    @post("/{voucher_provider_id:int}/delisting", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: delist (collusion, a fabricated contract ...): the record is kept")  # fmt: skip
    async def delist(self, principal: Principal, voucher_provider_id: int, data: JSONBody[ReasonedIn],
                     lang: str) -> ProviderOut:  # fmt: skip
        return localized(await service.delist(principal=principal, provider_id=voucher_provider_id, data=data), lang)

    @post("/{voucher_provider_id:int}/objections", opt=READERS, status_code=HTTP_201_CREATED,
          summary="Object to a provider during its public notice (anyone signed in; audited)")  # fmt: skip
    async def object(self, principal: Principal, voucher_provider_id: int, data: JSONBody[ObjectionIn],
                     lang: str) -> ObjectionOut:  # fmt: skip
        return localized(await service.lodge_objection(principal=principal, provider_id=voucher_provider_id,
                                                       data=data), lang)  # fmt: skip

    @post("/{voucher_provider_id:int}/objections/{objection_id:int}/decision", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: uphold (the application is refused) or dismiss an objection")  # fmt: skip
    async def decide(self, principal: Principal, voucher_provider_id: int, objection_id: int,
                     data: JSONBody[ObjectionDecisionIn], lang: str) -> ProviderOut:  # fmt: skip
        return localized(await service.decide_objection(principal=principal, provider_id=voucher_provider_id,
                                                        objection_id=objection_id, data=data), lang)  # fmt: skip

    @post("/{voucher_provider_id:int}/services", opt=PROVIDERS, status_code=HTTP_201_CREATED,
          summary="A listed provider publishes a service in one of the programme's categories")  # fmt: skip
    async def publish(self, principal: Principal, voucher_provider_id: int, data: JSONBody[ServiceIn],
                      lang: str) -> ServiceOut:  # fmt: skip
        return localized(await service.publish_service(principal=principal, provider_id=voucher_provider_id,
                                                       data=data), lang)  # fmt: skip


class VoucherServiceController(Controller):
    path = "/api/voucher-services"
    tags = ["vouchers"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=READERS, summary="A programme's catalogue: services of providers listed today")
    async def index(self, principal: Principal, programme_id: int, lang: str, category: str | None = None,
                    org_id: int | None = None) -> list[ServiceOut]:  # fmt: skip
        rows = await service.services_of(programme_id, category=category, org_id=org_id)
        return localized([service.service_out(s) for s in rows], lang)

    @get("/{voucher_service_id:int}", opt=READERS,
         summary="One service as published (active: anyone; superseded or withdrawn: its provider)")  # fmt: skip
    async def one(self, principal: Principal, voucher_service_id: int, lang: str) -> ServiceOut:
        return localized(await service.service_for(principal=principal, service_id=voucher_service_id), lang)

    @put("/{voucher_service_id:int}", opt=PROVIDERS,
         summary="Revise: a new service superseding this one (orders keep the one they read)")  # fmt: skip
    async def revise(self, principal: Principal, voucher_service_id: int, data: JSONBody[ServiceReviseIn],
                     lang: str) -> ServiceOut:  # fmt: skip
        return localized(await service.revise_service(principal=principal, service_id=voucher_service_id, data=data),
                         lang)  # fmt: skip

    @post("/{voucher_service_id:int}/withdrawal", opt=PROVIDERS, status_code=HTTP_200_OK, summary="Withdraw")
    async def withdraw(self, principal: Principal, voucher_service_id: int, lang: str) -> ServiceOut:
        return localized(await service.withdraw_service(principal=principal, service_id=voucher_service_id), lang)
