"""Insurance policies API: the insured binds, pays, endorses and cancels; the insurer confirms transfers, cancels,
marks refunds paid and reads its book. A move names the version it was read at: a stale one is refused (409)."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.policies import service
from finance.policies.schemas import (
    BindIn,
    BookOut,
    CancelIn,
    EndorseIn,
    EndorsementOut,
    PayIn,
    PolicyOut,
    ProofOut,
    RefundPaidIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import NotFound
from market.i18n import Msg
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

PARTIES = signed_in(OrgKind.sme, OrgKind.insurer)
INSURED = signed_in(OrgKind.sme, approved=True)
INSURER = signed_in(OrgKind.insurer, approved=True)
ACTORS = signed_in(OrgKind.sme, OrgKind.insurer, approved=True)


class PolicyController(Controller):
    path = "/api/insurance/policies"
    tags = ["insurance policies"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES, summary="My policies (the insured's, or the insurer's)")
    async def list_mine(self, principal: Principal) -> list[PolicyOut]:
        return await service.mine(principal=principal)

    @post("/", opt=INSURED, status_code=HTTP_201_CREATED,
          summary="Bind an accepted application on its accepted terms (the quote must still be valid)")
    async def bind(self, principal: Principal, data: JSONBody[BindIn]) -> PolicyOut:
        return await service.bind(principal=principal, application_id=data.application_id, starts_on=data.starts_on)

    @get("/{policy_id:int}", opt=PARTIES, summary="One policy: terms, period, payments, endorsements, entries")
    async def get_one(self, principal: Principal, policy_id: int) -> PolicyOut:
        return await service.view(principal=principal, policy_id=policy_id)

    @get("/{policy_id:int}/schedule.pdf", opt=PARTIES,
         summary="The current schedule PDF (sealed), checked against its recorded SHA-256")
    async def schedule(self, principal: Principal, policy_id: int) -> Response[bytes]:
        name, data = await service.schedule_pdf(principal=principal, policy_id=policy_id)
        return Response(data, media_type="application/pdf",
                        headers={"content-disposition": f'attachment; filename="{name}"'})

    @post("/{policy_id:int}/payments", opt=INSURED, status_code=HTTP_201_CREATED,
          summary="Pay what is due (premium or an endorsement's extra): bank transfer or card (Stripe)")
    async def pay(self, principal: Principal, policy_id: int, data: JSONBody[PayIn]) -> PolicyOut:
        return await service.pay_premium(principal=principal, policy_id=policy_id, method=data.method.value)

    @post("/{policy_id:int}/payments/{premium_payment_id:int}/test-card", opt=INSURED, status_code=HTTP_200_OK,
          summary="Test mode only: confirm a card payment with Stripe's test card")
    async def test_card(self, principal: Principal, policy_id: int, premium_payment_id: int) -> PolicyOut:
        return await service.pay_in_test_mode(
            principal=principal, policy_id=policy_id, payment_id=premium_payment_id
        )

    @post("/payments/{premium_payment_id:int}/received", opt=INSURER, status_code=HTTP_200_OK,
          summary="The insurer confirms a bank transfer quoting the payment's reference arrived")
    async def received(self, principal: Principal, premium_payment_id: int) -> PolicyOut:
        return await service.confirm_premium_received(principal=principal, payment_id=premium_payment_id)

    @post("/{policy_id:int}/endorsements", opt=INSURED, status_code=HTTP_201_CREATED,
          summary="Add a patent (eligibility checked; extra premium pro rata for the days left)")
    async def endorse(self, principal: Principal, policy_id: int, data: JSONBody[EndorseIn]) -> PolicyOut:
        return await service.endorse_add_patent(
            principal=principal, policy_id=policy_id, patent_id=data.patent_id, version=data.version
        )

    @post("/{policy_id:int}/cancel", opt=ACTORS, status_code=HTTP_200_OK,
          summary="Cancel with effect from a date: the unearned premium is refunded pro rata")
    async def cancel(self, principal: Principal, policy_id: int, data: JSONBody[CancelIn]) -> PolicyOut:
        return await service.cancel(principal=principal, policy_id=policy_id, on=data.on, version=data.version)

    @get("/refunds", opt=INSURER, summary="Refunds the insurer still owes by bank transfer")
    async def refunds(self, principal: Principal) -> list[EndorsementOut]:
        return await service.refunds_owed(principal=principal)

    @post("/refunds/{endorsement_id:int}/paid", opt=INSURER, status_code=HTTP_200_OK,
          summary="The insurer paid a cancellation's refund")
    async def refund_paid(self, principal: Principal, endorsement_id: int, data: JSONBody[RefundPaidIn]) -> (
        PolicyOut
    ):
        return await service.mark_refund_paid(principal=principal, endorsement_id=endorsement_id,
                                              reference=data.reference)

    @get("/{policy_id:int}/proof", opt=PARTIES, summary="Proof of the premium paid (date, amount, reference)")
    async def proof(self, principal: Principal, policy_id: int) -> ProofOut:
        await service.party(principal, policy_id)
        found = await service.paid_proof(policy_id)
        if found is None:
            raise NotFound(Msg("policies.not_paid"))
        return ProofOut(policy_id=found.policy_id, paid_on=found.paid_on, amount_minor=found.amount_minor,
                        currency=found.currency, reference=found.reference, method=found.method,
                        payment_id=found.payment_id)

    @get("/book", opt=INSURER, summary="The insurer's book: policies by state, premium by month, limits in force")
    async def book(self, principal: Principal) -> BookOut:
        b = await service.book(insurer_org=principal.org_id)
        return BookOut(
            on=b.on, currency=b.currency, policies_by_state=b.policies_by_state,
            premium_written_by_month=[{"month": m, "amount_minor": v} for m, v in b.premium_written_by_month],
            limits_in_force_minor=b.limits_in_force_minor, limits_in_force_by_kind=b.limits_in_force_by_kind,
            premium_earned_minor=b.premium_earned_minor, claims_by_state=b.claims_by_state,
            claims_paid_minor=b.claims_paid_minor, loss_ratio_bp=b.loss_ratio_bp,
        )  # fmt: skip
