"""Licences API: request, read, pay, report royalties, download the contract, export the filing."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.contracts import service as contracts
from finance.licences import service
from finance.licences.schemas import FilingOut, LicenceOut, LicenceRequestIn
from finance.payments import service as payments
from finance.payments.schemas import PaymentOut, PaymentStartIn
from finance.royalties import service as royalties
from finance.royalties.schemas import RoyaltyReportIn, RoyaltyReportOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.jobs import unit_of_work
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

PARTIES = signed_in(OrgKind.university, OrgKind.sme)
LICENSEE = signed_in(OrgKind.sme)


class LicenceController(Controller):
    path = "/api/licences"
    tags = ["licences"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/",
        opt=LICENSEE,
        status_code=HTTP_201_CREATED,
        summary="Take an open licence: accept the announced terms (Patent Law Art 51)",
    )
    async def request_licence(self, principal: Principal, data: JSONBody[LicenceRequestIn]) -> LicenceOut:
        async with unit_of_work():
            return await service.request_licence(principal=principal, data=data)

    @get("/", opt=PARTIES, summary="My licences (a university: granted; a firm: taken)")
    async def list_mine(self, principal: Principal) -> list[LicenceOut]:
        return await service.list_mine(principal=principal)

    @get("/{licence_id:int}", opt=PARTIES, summary="One licence, for its two parties")
    async def get_one(self, principal: Principal, licence_id: int) -> LicenceOut:
        return await service.get(principal=principal, licence_id=licence_id)

    @post("/{licence_id:int}/cancel", opt=LICENSEE, status_code=HTTP_200_OK, summary="Cancel an unpaid request")
    async def cancel(self, principal: Principal, licence_id: int) -> LicenceOut:
        async with unit_of_work():
            return await service.cancel(principal=principal, licence_id=licence_id)

    @get(
        "/{licence_id:int}/filing",
        opt=PARTIES,
        summary="What the CNIPA filing needs, and its 3-month deadline (Implementing Regulations Art 15, 87)",
    )
    async def filing(self, principal: Principal, licence_id: int, lang: str) -> FilingOut:
        return await service.filing(principal=principal, licence_id=licence_id, lang=lang)

    @get("/{licence_id:int}/contract", opt=PARTIES, summary="The licence contract PDF (the two parties only)")
    async def contract(self, principal: Principal, licence_id: int) -> Response[bytes]:
        name, data = await contracts.download(principal=principal, licence_id=licence_id)
        return Response(
            data, media_type="application/pdf", headers={"content-disposition": f'attachment; filename="{name}"'}
        )

    @post(
        "/{licence_id:int}/payments",
        opt=LICENSEE,
        status_code=HTTP_201_CREATED,
        summary="Pay the amount due now (Stripe methods or bank transfer)",
    )
    async def start_payment(self, principal: Principal, licence_id: int, data: JSONBody[PaymentStartIn]) -> PaymentOut:
        async with unit_of_work():
            return await payments.start(principal=principal, licence_id=licence_id, data=data)

    @get("/{licence_id:int}/payments", opt=PARTIES, summary="Payments of a licence")
    async def list_payments(self, principal: Principal, licence_id: int) -> list[PaymentOut]:
        return await payments.for_licence(principal=principal, licence_id=licence_id)

    @post(
        "/{licence_id:int}/payments/{payment_id:int}/test-pay",
        opt=LICENSEE,
        status_code=HTTP_200_OK,
        summary="Test mode only: pay with Stripe's test card",
    )
    async def test_pay(self, principal: Principal, licence_id: int, payment_id: int) -> PaymentOut:
        async with unit_of_work():
            return await payments.pay_in_test_mode(principal=principal, payment_id=payment_id, licence_id=licence_id)

    @post(
        "/{licence_id:int}/royalty-reports",
        opt=LICENSEE,
        status_code=HTTP_201_CREATED,
        summary="Report net sales for a period; the royalty due is invoiced",
    )
    async def file_report(
        self, principal: Principal, licence_id: int, data: JSONBody[RoyaltyReportIn]
    ) -> RoyaltyReportOut:
        async with unit_of_work():
            return await royalties.file_report(principal=principal, licence_id=licence_id, data=data)

    @get("/{licence_id:int}/royalty-reports", opt=PARTIES, summary="Royalty reports of a licence")
    async def list_reports(self, principal: Principal, licence_id: int) -> list[RoyaltyReportOut]:
        return await royalties.list_reports(principal=principal, licence_id=licence_id)

    @post(
        "/{licence_id:int}/royalty-reports/{report_id:int}/payments",
        opt=LICENSEE,
        status_code=HTTP_201_CREATED,
        summary="Pay a royalty invoice",
    )
    async def pay_report(
        self, principal: Principal, licence_id: int, report_id: int, data: JSONBody[PaymentStartIn]
    ) -> PaymentOut:
        async with unit_of_work():
            return await royalties.pay(principal=principal, licence_id=licence_id, report_id=report_id, data=data)
