"""An SME's page of what finance its patents may support: for each patent, the facts a lender reads (remaining term,
annual fees paid through, pledge on record, open licence, exclusive licence in force) and each published loan product
it may support, or why not (``finance.loan_products.service.eligible_products``: each reason with its article)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import QueryParameter
from litestar.response import Template

from finance.loan_products import service as loan_products
from finance.loan_products.service import ProductEligibility
from frontend.render import AnyRequest, page, page_count
from listings.patents import service as patents
from listings.patents.schemas import LicenceKind, PatentOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme, session_only=True)
PER_PAGE = 20  # each patent is checked against every published product
EXCLUSIVE = {LicenceKind.exclusive.value, LicenceKind.sole.value}


@dataclass(frozen=True)
class FinanceRow:
    """One patent as a lender reads it."""

    patent: PatentOut
    fees_current: bool  # annual fees paid through today or later
    pledgee: str  # the pledgee on record ("" when none)
    open_licence: bool  # an open licence is declared (published) on it
    exclusive_licence: bool  # an exclusive or sole licence is in force on it
    products: list[ProductEligibility]  # each published loan product: may it support it, and why not


async def finance_rows(items: list[PatentOut]) -> list[FinanceRow]:
    today = patents.today()
    in_force = await patents.licences_in_force([p.id for p in items], today)
    exclusive = {lic.patent for lic in in_force if lic.kind in EXCLUSIVE}
    records = {r.id: r for r in await patents.patents_by_ids([p.id for p in items])}
    products = {p.id: await loan_products.eligible_products(records[p.id], today) for p in items}
    names: dict[int, str] = {}
    for org_id in {p.pledgee_org for p in items if p.pledgee_org is not None}:
        org = await org_service.org_by_id(org_id)
        names[org_id] = org.name if org else ""
    return [
        FinanceRow(
            patent=p,
            fees_current=p.annual_fees_paid_through is not None and p.annual_fees_paid_through >= today,
            pledgee=names.get(p.pledgee_org, "") if p.pledgee_org is not None else "",
            open_licence=p.declaration_status == "published",
            exclusive_licence=p.id in exclusive,
            products=products[p.id],
        )
        for p in items
    ]


class SmePatentPages(Controller):
    include_in_schema = False
    dependencies = {"principal": Provide(provide_principal)}

    @get("/sme/patents", opt=SME)
    async def finance(
        self, request: AnyRequest, principal: Principal, page_no: Annotated[int, QueryParameter(name="page")] = 1
    ) -> Template:
        page_no = max(1, min(page_no, 100_000))
        result = await patents.list_patents(principal=principal, page=page_no, per_page=PER_PAGE)
        return page(
            request,
            "sme/patents.html",
            result=result,
            rows=await finance_rows(result.items),
            pages=page_count(result.total, PER_PAGE),
        )
