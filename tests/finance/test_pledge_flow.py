"""The pledge-loan journey through the services, on both databases: a draft with two patents, one refused by the
pre-check with its ground and source; the checklist completed; the bank asks for more (the SME is notified, the SLA
clock pauses), the SME uploads and resubmits; a maker proposes, the maker may not approve, a checker does; the offer
is accepted and ``pledges.accepted`` is emitted. Bad input (another organisation's patent, an amount above the cap,
a stale or forged version) is refused with a clear error and nothing written."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from finance.desk import service as desk
from finance.letters import service as letters
from finance.pledges import service as pledges
from finance.pledges.schemas import (
    ApplicationIn,
    ApprovalIn,
    DraftIn,
    MoreInfoIn,
    MoveIn,
    OfferIn,
    ProposalIn,
    RefusalIn,
    SubmitIn,
)
from finance.pledges.tables import PledgeApplication, PledgePatent
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.events.tables import DomainEvent
from market.jobs import unit_of_work
from market.notifications.tables import Notification
from tests.finance.pledge_support import PDF, SALES, Sme, bank, draft, member_of, sme


async def upload(applicant: Sme, application_id: int, requirement: str, issued_on: date | None = None) -> Any:
    async with unit_of_work():
        return await pledges.upload(
            principal=applicant.principal,
            application_id=application_id,
            requirement=requirement,
            filename=f"{requirement}.pdf",
            content_type="application/pdf",
            content=PDF,
            issued_on=issued_on or date.today(),
        )


async def complete_checklist(applicant: Sme, application_id: int) -> None:
    await upload(applicant, application_id, "identity")
    await upload(applicant, application_id, "financial_statements")


def codes(exc: pytest.ExceptionInfo[Any]) -> set[str]:
    return {e.code for e in exc.value.errors}


async def test_an_sme_applies_and_accepts_the_offer(backend: Any) -> None:
    lender = await bank()
    applicant = await sme()
    app = await draft(applicant, lender.product_id, applicant.good, applicant.unpaid)
    assert app.state == "draft" and app.reference.startswith("PL-")
    assert app.valuation_method == "internal" and app.valuation_minor > 0
    assert {p.patent_id for p in app.patents} == {applicant.good, applicant.unpaid}

    # The pre-check names the unpaid patent's ground (04) with its source; it blocks, and nothing is written.
    check = await pledges.precheck(principal=applicant.principal, application_id=app.id)
    unpaid = next(p for p in check.patents if p.patent_id == applicant.unpaid)
    assert [r.code for r in unpaid.reasons if r.severity == "block"] == ["pledge.ground.04"]
    assert unpaid.reasons[0].source.startswith("law.pledge.reg461")
    assert check.blocking and not check.may_submit
    assert [line.code for line in check.amount_lines][-2:] == ["pledge.amount.line_cap", "pledge.amount.line_within"]
    with pytest.raises(ValidationFailed) as refused:
        async with unit_of_work():
            await pledges.submit(
                principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
            )
    assert "pledge.ground.04" in codes(refused)
    again = await pledges.get(principal=applicant.principal, application_id=app.id)
    assert (again.state, again.version, again.decisions, again.submitted_at) == ("draft", app.version, [], None)

    # The SME takes the unpaid patent out; the checklist still blocks until both documents are in.
    async with unit_of_work():
        app = await pledges.edit(
            principal=applicant.principal,
            application_id=app.id,
            data=DraftIn(
                expected_version=app.version,
                patent_ids=[applicant.good],
                amount_minor=app.amount_minor,
                term_months=12,
                annual_net_sales_minor=SALES,
            ),
        )
    with pytest.raises(ValidationFailed) as incomplete:
        async with unit_of_work():
            await pledges.submit(
                principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
            )
    assert incomplete.value.errors
    await complete_checklist(applicant, app.id)
    async with unit_of_work():
        app = await pledges.submit(
            principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
        )
    assert app.state == "submitted" and [d.kind for d in app.decisions] == ["precheck"]

    # The bank reviews and asks for a document: the SME is notified and the SLA clock pauses.
    async with unit_of_work():
        app = await pledges.start_review(
            principal=lender.maker, application_id=app.id, data=MoveIn(expected_version=app.version)
        )
        app = await pledges.request_info(
            principal=lender.maker,
            application_id=app.id,
            data=MoreInfoIn(expected_version=app.version, requirements=["financial_statements"], text="请补充最新报表"),
        )
    assert app.state == "more_info"
    case = await desk.case(app.case_id)
    assert case is not None and case.paused
    notes = await Notification.select().where(Notification.user == applicant.principal.user_id)
    assert any(n["code"] == "pledge.notice.more_info" for n in notes)

    await upload(applicant, app.id, "financial_statements")
    async with unit_of_work():
        app = await pledges.resubmit(
            principal=applicant.principal, application_id=app.id, data=MoveIn(expected_version=app.version)
        )
    assert app.state == "in_review"

    # Four eyes: the maker proposes and may not approve; a different user of the bank approves.
    async with unit_of_work():
        app = await pledges.propose(
            principal=lender.maker,
            application_id=app.id,
            data=ProposalIn(expected_version=app.version, amount_minor=app.amount_minor, rate_bp=420, term_months=12),
        )
    assert app.state == "proposed"
    proposal = next(d for d in app.decisions if d.kind == "proposal")
    with pytest.raises(Forbidden):
        async with unit_of_work():
            await pledges.approve(
                principal=lender.maker,
                application_id=app.id,
                data=ApprovalIn(expected_version=app.version, proposal_id=proposal.id),
            )
    async with unit_of_work():
        app = await pledges.approve(
            principal=lender.checker,
            application_id=app.id,
            data=ApprovalIn(expected_version=app.version, proposal_id=proposal.id),
        )
    assert app.state == "approved"

    async with unit_of_work():
        app = await pledges.offer(
            principal=lender.maker,
            application_id=app.id,
            data=OfferIn(
                expected_version=app.version,
                amount_minor=app.amount_minor,
                rate_bp=420,
                term_months=12,
                expires_on=date.today() + timedelta(days=14),
            ),
        )
        app = await pledges.accept(
            principal=applicant.principal, application_id=app.id, data=MoveIn(expected_version=app.version)
        )
    assert app.state == "accepted" and app.accepted_at is not None
    emitted = await DomainEvent.select().where(DomainEvent.name == pledges.ACCEPTED_EVENT)
    assert len(emitted) == 1


async def test_another_organisations_patent_is_not_found_and_nothing_is_written(backend: Any) -> None:
    lender = await bank()
    applicant = await sme()
    other = await sme("宁波另一家科技有限公司")
    with pytest.raises(NotFound):
        async with unit_of_work():
            await pledges.start(
                principal=applicant.principal,
                data=ApplicationIn(
                    product_id=lender.product_id,
                    patent_ids=[applicant.good, other.good],
                    amount_minor=50_000_000,
                    term_months=12,
                    annual_net_sales_minor=SALES,
                ),
            )
    assert await PledgeApplication.count() == 0
    assert await PledgePatent.count() == 0


async def test_an_amount_above_the_cap_is_explained_and_refused(backend: Any) -> None:
    lender = await bank()
    applicant = await sme()
    app = await draft(applicant, lender.product_id, applicant.good, amount_minor=900_000_000)
    check = await pledges.precheck(principal=applicant.principal, application_id=app.id)
    assert check.amount_cap_minor < 900_000_000
    assert check.amount_lines[-1].code == "pledge.amount.line_above"
    assert "pledge.floor.ltv" in {r.code for r in check.reasons}
    await complete_checklist(applicant, app.id)
    with pytest.raises(ValidationFailed) as refused:
        async with unit_of_work():
            await pledges.submit(
                principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
            )
    assert "pledge.floor.ltv" in codes(refused)
    assert (await pledges.get(principal=applicant.principal, application_id=app.id)).state == "draft"


async def test_a_stale_or_forged_version_is_a_conflict_and_nothing_is_written(backend: Any) -> None:
    lender = await bank()
    applicant = await sme()
    app = await draft(applicant, lender.product_id)
    await complete_checklist(applicant, app.id)
    for forged in (app.version + 1, app.version + 7):
        with pytest.raises(Conflict):
            async with unit_of_work():
                await pledges.submit(
                    principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=forged)
                )
    after = await pledges.get(principal=applicant.principal, application_id=app.id)
    assert (after.state, after.version, after.decisions) == ("draft", app.version, [])
    # a move the machine does not allow from here (accepting a draft) is refused the same way
    with pytest.raises(Conflict):
        async with unit_of_work():
            await pledges.accept(
                principal=applicant.principal, application_id=app.id, data=MoveIn(expected_version=app.version)
            )
    # the bank sees neither a draft nor another bank's case
    with pytest.raises(NotFound):
        await pledges.get(principal=lender.maker, application_id=app.id)


async def test_a_refusal_has_coded_reasons_and_a_letter_in_the_notification(backend: Any, job_queue: Any) -> None:
    lender = await bank()
    applicant = await sme()
    app = await draft(applicant, lender.product_id)
    await complete_checklist(applicant, app.id)
    async with unit_of_work():
        app = await pledges.submit(
            principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
        )
        app = await pledges.refuse(
            principal=lender.maker,
            application_id=app.id,
            data=RefusalIn(expected_version=app.version, reasons=["pledge.refusal.credit_risk"], text="经营数据不足"),
        )
    assert app.state == "refused"
    refusal = next(d for d in app.decisions if d.kind == "refusal")
    assert [r.code for r in refusal.reasons] == ["pledge.refusal.credit_risk"]
    letters_ = await letters.letters_of_case(app.case_id)
    assert len(letters_) == 1 and letters_[0].sha256
    assert "pledge.refusal.credit_risk" in letters_[0].text_zh and "pledge.refusal.credit_risk" in letters_[0].text_en
    await job_queue.drain()  # letters.issued: the applicant is told, in the letter's words
    notes = await Notification.select().where(Notification.user == applicant.principal.user_id)
    told = [n for n in notes if n["kind"] == "decision_letter"]
    assert len(told) == 1
    params = told[0]["params"]
    params = json.loads(params) if isinstance(params, str) else params
    assert (params["text_zh"], params["text_en"]) == (letters_[0].text_zh, letters_[0].text_en)


async def submitted(lender: Any, applicant: Sme) -> Any:
    app = await draft(applicant, lender.product_id)
    await complete_checklist(applicant, app.id)
    async with unit_of_work():
        app = await pledges.submit(
            principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
        )
        return await pledges.start_review(
            principal=lender.maker, application_id=app.id, data=MoveIn(expected_version=app.version)
        )


async def test_an_expired_document_is_refused_and_nothing_is_stored(backend: Any) -> None:
    lender = await bank()
    applicant = await sme()
    app = await draft(applicant, lender.product_id)
    with pytest.raises(ValidationFailed) as refused:
        await upload(applicant, app.id, "financial_statements", issued_on=date.today() - timedelta(days=200))
    assert [e.field for e in refused.value.errors] == ["issued_on"]
    assert (await pledges.get(principal=applicant.principal, application_id=app.id)).documents == []


async def test_above_the_products_threshold_a_committee_approves(backend: Any) -> None:
    lender = await bank(approval_thresholds=[{"above_minor": 10_000_000, "approvals": 2}])
    second = await member_of(lender.maker, email=f"second-{lender.maker.org_id}@bank.example.cn")
    applicant = await sme()
    app = await submitted(lender, applicant)
    async with unit_of_work():
        app = await pledges.propose(
            principal=lender.maker,
            application_id=app.id,
            data=ProposalIn(expected_version=app.version, amount_minor=app.amount_minor, rate_bp=420),
        )
    proposal = next(d for d in app.decisions if d.kind == "proposal")
    async with unit_of_work():
        app = await pledges.approve(
            principal=lender.checker,
            application_id=app.id,
            data=ApprovalIn(expected_version=app.version, proposal_id=proposal.id),
        )
    assert app.state == "proposed"  # one of the two approvals the amount needs
    with pytest.raises(Conflict):  # the same checker twice
        async with unit_of_work():
            await pledges.approve(
                principal=lender.checker,
                application_id=app.id,
                data=ApprovalIn(expected_version=app.version, proposal_id=proposal.id),
            )
    async with unit_of_work():
        app = await pledges.approve(
            principal=second,
            application_id=app.id,
            data=ApprovalIn(expected_version=app.version, proposal_id=proposal.id),
        )
    assert app.state == "approved"
    assert len([d for d in app.decisions if d.kind == "approval"]) == 2


async def test_an_offer_not_accepted_expires_once(backend: Any) -> None:
    lender = await bank()
    applicant = await sme()
    app = await submitted(lender, applicant)
    async with unit_of_work():
        app = await pledges.propose(
            principal=lender.maker,
            application_id=app.id,
            data=ProposalIn(expected_version=app.version, amount_minor=app.amount_minor, rate_bp=420),
        )
        proposal = next(d for d in app.decisions if d.kind == "proposal")
        app = await pledges.approve(
            principal=lender.checker,
            application_id=app.id,
            data=ApprovalIn(expected_version=app.version, proposal_id=proposal.id),
        )
        expires = date.today() + timedelta(days=3)
        app = await pledges.offer(
            principal=lender.maker,
            application_id=app.id,
            data=OfferIn(
                expected_version=app.version, amount_minor=app.amount_minor, rate_bp=420, term_months=12,
                expires_on=expires,
            ),
        )
    async with unit_of_work():
        assert await pledges.expire_offers(on=expires) == 0  # still open on its last day
    async with unit_of_work():
        assert await pledges.expire_offers(on=expires + timedelta(days=1)) == 1
    async with unit_of_work():
        assert await pledges.expire_offers(on=expires + timedelta(days=2)) == 0
    after = await pledges.get(principal=applicant.principal, application_id=app.id)
    assert after.state == "offer_expired" and after.events == []
