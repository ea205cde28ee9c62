"""Guarantee insurance, on both databases: an SME's pledge_guarantee policy attached to its pledge-loan application
(the schedule issued into the application's dossier, which the bank reads), and the loan's default opening one claim
for the bank with the insurer's share of the outstanding principal (twice the event: still one claim)."""

from __future__ import annotations

from datetime import date

import pytest

from finance.insurance_claims import jobs as claim_jobs
from finance.insurance_claims import repository as claims_repo
from finance.insurance_claims import service as claims
from finance.pledges import service as pledges
from finance.registrations import service as registrations
from finance.registrations.service import PledgeTerms
from finance.servicing import service as servicing
from finance.servicing.schemas import DefaultIn, EntryIn
from market import runtime
from market.errors import Conflict, NotFound, ValidationFailed
from market.jobs import unit_of_work
from market.kit.money import Money
from tests.finance import pledge_support
from tests.finance.insurance_support import Sme, accepted_application, insurer, sme
from tests.finance.policy_support import Made, in_force_policy
from tests.finance.support import drain
from tests.finance.test_registrations import registered
from tests.finance.test_servicing import seed_pools

pytestmark = pytest.mark.usefixtures("backend")

LOSS_SHARE_BP = 1600  # Zhongshan: the insurer's 16% of the lender's loss (cn_ip_finance_programmes.json)


async def guarantee_policy(applicant: Sme) -> Made:
    cover = await insurer(
        "平安财险深圳分公司（测试）",  # words: data
        code="guarantee-test",
        kind="pledge_guarantee",
        name_zh="质押融资保证保险（测试）",  # words: data
        name_en="Pledge-loan guarantee insurance (test)",
        loss_share_bp=LOSS_SHARE_BP,
    )
    return await in_force_policy(await accepted_application(applicant, cover))


async def pledge_application(applicant: Sme) -> tuple[pledge_support.Bank, int]:
    lender = await pledge_support.bank()
    as_pledgor = pledge_support.Sme(
        account=applicant.account, principal=applicant.principal, good=applicant.patent, unpaid=applicant.patent
    )
    app = await pledge_support.draft(as_pledgor, lender.product_id, applicant.patent)
    return lender, app.id


async def attach(made: Made, application_id: int) -> object:
    async with unit_of_work():
        return await claims.attach_guarantee(
            principal=made.insured, policy_id=made.policy_id, pledge_application_id=application_id
        )


async def test_the_guarantee_policy_becomes_one_of_the_loans_documents_the_bank_sees() -> None:
    applicant = await sme()
    made = await guarantee_policy(applicant)
    _, application_id = await pledge_application(applicant)
    out = await attach(made, application_id)
    # the application's documents (the bank's page lists them once the SME submits)
    mine = await pledges.get(principal=applicant.principal, application_id=application_id)
    [doc] = [d for d in mine.documents if d.requirement == "guarantee_policy"]
    assert doc.status == "verified" and len(doc.sha256) == 64
    assert out.document_id == doc.id  # type: ignore[attr-defined]
    with pytest.raises(Conflict):  # once
        await attach(made, application_id)


async def test_attaching_is_refused_for_another_kind_of_policy_or_anothers_application() -> None:
    applicant = await sme()
    enforcement = await in_force_policy(await accepted_application(applicant))
    _, application_id = await pledge_application(applicant)
    with pytest.raises(ValidationFailed):
        await attach(enforcement, application_id)
    other = await sme("深圳市另一家科技有限公司")  # words: data
    made = await guarantee_policy(other)
    with pytest.raises(NotFound):
        await attach(made, application_id)
    assert await claims_repo.guarantee_of_application(application_id) is None


async def defaulted_loan(applicant: Sme, lender: pledge_support.Bank, application_id: int) -> int:
    await seed_pools()
    async with unit_of_work():
        reg = await registrations.start(
            terms=PledgeTerms(
                application_id=application_id,
                pledgor_org=applicant.principal.org_id,
                pledgee_org=lender.maker.org_id,
                amount=Money("CNY", 300_000_000),
                term_months=24,
                patent_ids=(applicant.patent,),
                rate_bp=385,
            ),
            data_dir=runtime.current().settings.data_dir,
        )
    await registered(applicant.principal, lender.maker, reg.id)
    loan = await servicing.loan_of_registration(reg.id)
    assert loan is not None
    async with unit_of_work():
        await servicing.record_disbursement(
            principal=lender.maker, loan_id=loan.id,
            data=EntryIn(principal_minor=300_000_000, interest_minor=0, occurred_on=date(2026, 12, 20)),
        )  # fmt: skip
        await servicing.record_repayment(
            principal=lender.maker, loan_id=loan.id,
            data=EntryIn(principal_minor=50_000_000, interest_minor=0, occurred_on=date(2027, 3, 20)),
        )  # fmt: skip
    async with unit_of_work():
        await servicing.declare_default(
            principal=lender.maker, loan_id=loan.id, data=DefaultIn(on=date(2027, 6, 1), pool="pool-weihai")
        )
    await drain()  # servicing.defaulted -> the claim
    return loan.id


async def test_a_default_opens_one_claim_for_the_bank_with_the_insurers_share_of_the_outstanding() -> None:
    applicant = await sme()
    made = await guarantee_policy(applicant)
    lender, application_id = await pledge_application(applicant)
    await attach(made, application_id)
    loan_id = await defaulted_loan(applicant, lender, application_id)
    claim = await claims_repo.for_loan(loan_id)
    assert claim is not None
    # outstanding at default: 3,000,000 disbursed - 500,000 repaid = 2,500,000; x 16% = 400,000
    assert claim.claimed_minor == 40_000_000
    assert claim.insured == lender.maker.org_id and claim.insurer == made.insurer.underwriter.org_id
    seen = await claims.get(principal=lender.maker, claim_id=claim.id)
    assert seen.state == "notified" and seen.loan_id == loan_id
    assert [(x.kind, x.amount_minor) for x in seen.costs] == [("loan_loss", 40_000_000)]
    guarantee = next(d for d in seen.decisions if d.kind == "guarantee_loss")
    assert guarantee.amount_minor == 40_000_000
    # the event again (a retried job): still one claim
    for _ in range(2):
        async with unit_of_work():
            await claim_jobs.loan_defaulted(loan_id=loan_id)
    assert len(await claims_repo.for_policy(made.policy_id)) == 1
    # the bank sees it in its list; the SME (not the claimant) does not
    assert [c.id for c in await claims.list_mine(principal=lender.maker)] == [claim.id]
    with pytest.raises(NotFound):
        await claims.get(principal=applicant.principal, claim_id=claim.id)


async def test_a_default_without_a_guarantee_opens_nothing() -> None:
    applicant = await sme()
    lender, application_id = await pledge_application(applicant)
    loan_id = await defaulted_loan(applicant, lender, application_id)
    assert await claims_repo.for_loan(loan_id) is None
