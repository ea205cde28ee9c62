"""Royalty reports of a licence: filed by the licensee, invoiced, paid."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from finance.payments.schemas import PaymentOut, PaymentStartIn
from finance.royalties import service as royalties
from finance.royalties.schemas import RoyaltyReportIn, RoyaltyReportOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

PARTIES = signed_in(OrgKind.university, OrgKind.sme)
LICENSEE = signed_in(OrgKind.sme)


class LicenceRoyaltyController(Controller):
    path = "/api/licences"
    tags = ["licences"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/{licence_id:int}/royalty-reports",
        opt=LICENSEE,
        status_code=HTTP_201_CREATED,
        summary="Report net sales for a period; the royalty due is invoiced",
    )
    async def file_report(
        self, principal: Principal, licence_id: int, data: JSONBody[RoyaltyReportIn]
    ) -> RoyaltyReportOut:
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
        self, principal: Principal, licence_id: int, report_id: int, data: JSONBody[PaymentStartIn], lang: str
    ) -> PaymentOut:
        return localized(
            await royalties.pay(principal=principal, licence_id=licence_id, report_id=report_id, data=data), lang
        )
