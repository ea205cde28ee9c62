"""Voucher entitlement API: the SME's programmes with its eligibility, its applications (filed with the declarations;
the issuer reviews them tier by tier on the desk), and the entitlements with their balance and ledger (the issuer
may revoke one with a reason code). Every state change carries the case version the caller read (409 when stale);
filing takes an idempotency key (a replay answers the first answer again)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.voucher_entitlements import applications as service
from finance.voucher_entitlements import eligibility
from finance.voucher_entitlements.schemas import (
    ApplicationOut,
    ApplyIn,
    ApproveIn,
    CheckIn,
    EligibilityOut,
    EntitlementOut,
    MoreInfoIn,
    MoveIn,
    RefuseIn,
    RevokeIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ISSUER = signed_in(OrgKind.voucher_issuer)
SME = signed_in(OrgKind.sme)
PARTIES = signed_in(OrgKind.sme, OrgKind.voucher_issuer)


class VoucherEntitlementController(Controller):
    path = "/api/v1/voucher-entitlements"
    tags = ["vouchers"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES, summary="My firm's entitlements with their balance (an issuer: those it issued)")
    async def index(self, principal: Principal, lang: str) -> list[EntitlementOut]:
        return localized(await service.entitlements_for(principal=principal), lang)

    @get("/{voucher_entitlement_id:int}", opt=PARTIES, summary="One entitlement, its balance and its ledger")
    async def one(self, principal: Principal, voucher_entitlement_id: int, lang: str) -> EntitlementOut:
        return localized(await service.entitlement_for(principal=principal, entitlement_id=voucher_entitlement_id),
                         lang)  # fmt: skip

    @post("/{voucher_entitlement_id:int}/revoke", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: revoke with a reason code (what is held or available is written off; captures stay)")
    async def revoke(self, principal: Principal, voucher_entitlement_id: int, data: JSONBody[RevokeIn],
                     lang: str) -> EntitlementOut:  # fmt: skip
        return localized(await service.revoke_for(principal=principal, entitlement_id=voucher_entitlement_id,
                                                  data=data), lang)  # fmt: skip

    @get("/programmes", opt=SME, summary="SME: the open programmes of its region with its eligibility in each")
    async def programmes(self, principal: Principal, lang: str) -> list[EligibilityOut]:
        return localized(await eligibility.programmes_for(principal=principal), lang)

    @get("/eligibility", opt=SME, summary="SME: the eligibility pre-check for one programme and amount")
    async def eligibility(self, principal: Principal, programme_id: int, lang: str, amount_minor: int | None = None,
                          vouchers: int | None = None) -> EligibilityOut:  # fmt: skip
        return localized(await eligibility.eligibility(principal=principal, programme_id=programme_id,
                                                   amount_minor=amount_minor, vouchers=vouchers), lang)  # fmt: skip

    @get("/applications", opt=PARTIES, summary="My firm's applications (an issuer: those to its programmes)")
    async def applications(self, principal: Principal, lang: str, open_only: bool = False) -> list[ApplicationOut]:
        return localized(await service.applications_of(principal=principal, open_only=open_only), lang)

    @post("/applications", opt=SME, status_code=HTTP_201_CREATED,
          summary="SME: apply (declarations ticked, the pre-check passed; Idempotency-Key honoured)")
    async def apply(self, principal: Principal, data: JSONBody[ApplyIn], lang: str) -> ApplicationOut:
        return localized(await service.apply(principal=principal, data=data), lang)

    @get("/applications/{voucher_application_id:int}", opt=PARTIES, summary="One application, for both sides")
    async def application(self, principal: Principal, voucher_application_id: int, lang: str) -> ApplicationOut:
        return localized(await service.get_application(principal=principal, application_id=voucher_application_id),
                         lang)  # fmt: skip

    @post("/applications/{voucher_application_id:int}/resubmit", opt=SME, status_code=HTTP_200_OK,
          summary="SME: back to review after a request for more")  # fmt: skip
    async def resubmit(self, principal: Principal, voucher_application_id: int, data: JSONBody[MoveIn],
                       lang: str) -> ApplicationOut:  # fmt: skip
        return localized(await service.resubmit(principal=principal, application_id=voucher_application_id,
                                                data=data), lang)  # fmt: skip

    @post("/applications/{voucher_application_id:int}/withdraw", opt=SME, status_code=HTTP_200_OK,
          summary="SME: withdraw the application")  # fmt: skip
    async def withdraw(self, principal: Principal, voucher_application_id: int, data: JSONBody[MoveIn],
                       lang: str) -> ApplicationOut:  # fmt: skip
        return localized(await service.withdraw(principal=principal, application_id=voucher_application_id,
                                                data=data), lang)  # fmt: skip

    @post("/applications/{voucher_application_id:int}/review", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: start the review")  # fmt: skip
    async def start_review(self, principal: Principal, voucher_application_id: int, data: JSONBody[MoveIn],
                           lang: str) -> ApplicationOut:  # fmt: skip
        return localized(await service.start_review(principal=principal, application_id=voucher_application_id,
                                                    data=data), lang)  # fmt: skip

    @post("/applications/{voucher_application_id:int}/more-info", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: ask the SME for more (the SLA clock pauses)")  # fmt: skip
    async def request_info(self, principal: Principal, voucher_application_id: int, data: JSONBody[MoreInfoIn],
                           lang: str) -> ApplicationOut:  # fmt: skip
        return localized(await service.request_info(principal=principal, application_id=voucher_application_id,
                                                    data=data), lang)  # fmt: skip

    @post("/applications/{voucher_application_id:int}/approve", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: the tier reviewing approves (the last issues the entitlement; above the threshold: a "
                  "maker's proposal)")  # fmt: skip
    async def approve(self, principal: Principal, voucher_application_id: int, data: JSONBody[ApproveIn],
                      lang: str) -> ApplicationOut:  # fmt: skip
        return localized(await service.approve(principal=principal, application_id=voucher_application_id,
                                               data=data), lang)  # fmt: skip

    @post("/applications/{voucher_application_id:int}/check", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: a checker approves the proposal (never its maker: 403)")  # fmt: skip
    async def check(self, principal: Principal, voucher_application_id: int, data: JSONBody[CheckIn],
                    lang: str) -> ApplicationOut:  # fmt: skip
        return localized(await service.check(principal=principal, application_id=voucher_application_id,
                                             data=data), lang)  # fmt: skip

    @post("/applications/{voucher_application_id:int}/send-back", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: send the proposal back to review")  # fmt: skip
    async def send_back(self, principal: Principal, voucher_application_id: int, data: JSONBody[MoveIn],
                        lang: str) -> ApplicationOut:  # fmt: skip
        return localized(await service.send_back(principal=principal, application_id=voucher_application_id,
                                                 data=data), lang)  # fmt: skip

    @post("/applications/{voucher_application_id:int}/refusal", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: refuse with coded reasons (a decision letter)")  # fmt: skip
    async def refuse(self, principal: Principal, voucher_application_id: int, data: JSONBody[RefuseIn],
                     lang: str) -> ApplicationOut:  # fmt: skip
        return localized(await service.refuse(principal=principal, application_id=voucher_application_id,
                                              data=data), lang)  # fmt: skip
