"""Loan servicing API: the bank records the disbursement, repayments and a default (with its pool claim); both
parties read the loan, its entries and derived balance."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from finance.servicing import service
from finance.servicing.schemas import DefaultIn, EntryIn, LoanOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

PARTIES = signed_in(OrgKind.sme, OrgKind.bank)
BANK = signed_in(OrgKind.bank, approved=True)


class LoanController(Controller):
    path = "/api/loans"
    tags = ["pledge loans: servicing"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES, summary="My registered pledge loans, each with its derived balance")
    async def list_mine(self, principal: Principal) -> list[LoanOut]:
        return await service.mine(principal=principal)

    @get("/{loan_id:int}", opt=PARTIES, summary="One loan: entries, derived balance, pool claim")
    async def get_one(self, principal: Principal, loan_id: int) -> LoanOut:
        return await service.view(principal=principal, loan_id=loan_id)

    @post("/{loan_id:int}/disbursements", opt=BANK, status_code=HTTP_200_OK, summary="Record a disbursement")
    async def disburse(self, principal: Principal, loan_id: int, data: JSONBody[EntryIn]) -> LoanOut:
        return await service.record_disbursement(principal=principal, loan_id=loan_id, data=data)

    @post(
        "/{loan_id:int}/repayments",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Record a repayment; the full principal repaid makes the pledge's release due",
    )
    async def repay(self, principal: Principal, loan_id: int, data: JSONBody[EntryIn]) -> LoanOut:
        return await service.record_repayment(principal=principal, loan_id=loan_id, data=data)

    @post(
        "/{loan_id:int}/default",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Declare a default: the claim on the risk-compensation pool is computed and recorded",
    )
    async def default(self, principal: Principal, loan_id: int, data: JSONBody[DefaultIn]) -> LoanOut:
        return await service.declare_default(principal=principal, loan_id=loan_id, data=data)
