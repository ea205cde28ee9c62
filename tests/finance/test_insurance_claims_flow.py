"""Claims on an enforcement policy, on both databases: the notice (refused outside the period, on a patent the policy
does not list, on a cancelled policy: nothing written), legal costs refused before the case's acceptance number and
date, costs with invoices (SHA-256), the insurer's pre-approval, the assessment by hand (deductible, per-claim
limit, the aggregate used by an earlier paid claim), payment entries, and each denial code with its letter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from finance.desk import service as desk
from finance.insurance import service as insurance
from finance.insurance.schemas import ApprovalIn, DecisionIn
from finance.insurance_claims import repository as claims_repo
from finance.insurance_claims import rules
from finance.insurance_claims import service as claims
from finance.insurance_claims.schemas import AcceptanceIn, AssessmentIn, DenialIn, MoveIn, PaymentIn
from finance.letters import service as letters
from finance.policies import service as policies
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.i18n import render
from market.jobs import unit_of_work
from market.kit.money import Money
from tests.finance.claim_support import (
    CASE_NUMBER,
    Covered,
    cost,
    covered,
    notice,
    notified,
    pre_approve,
    reviewed,
    version,
)
from tests.finance.insurance_support import Accepted, insurer, sme, submitted
from tests.finance.policy_support import in_force_policy

pytestmark = pytest.mark.usefixtures("backend")


def yuan(n: int) -> int:
    return n * 100


async def count_claims(c: Covered) -> int:
    return len(await claims_repo.for_policy(c.policy.id))


async def assess(c: Covered, claim_id: int) -> object:
    async with unit_of_work():
        return await claims.assess(
            principal=c.insurer, claim_id=claim_id,
            data=AssessmentIn(expected_version=await version(c.insurer, claim_id)),
        )  # fmt: skip


async def pay(c: Covered, claim_id: int, reference: str = "PAY-1") -> object:
    async with unit_of_work():
        return await claims.pay(
            principal=c.insurer, claim_id=claim_id,
            data=PaymentIn(expected_version=await version(c.insurer, claim_id), paid_on=date.today(),
                           reference=reference),
        )  # fmt: skip


async def deny(c: Covered, claim_id: int, *codes: str, text: str = "") -> object:
    async with unit_of_work():
        return await claims.deny(
            principal=c.insurer, claim_id=claim_id,
            data=DenialIn(expected_version=await version(c.insurer, claim_id), reasons=list(codes), text=text),
        )  # fmt: skip


def codes_of(caught: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [e.code for e in caught.value.errors]


async def test_the_policy_figures_these_tests_compute_from() -> None:
    c = await covered()
    # The test product (tests/finance/insurance_support.py): one patent, CNY 2,000 + 200 = 2,200 of premium, an
    # aggregate limit of 15 x 2,200 = 33,000 and a deductible of 1,000.
    assert (c.policy.kind, c.policy.state) == ("enforcement", "in_force")
    assert c.policy.aggregate_limit_minor == yuan(33_000)
    assert c.policy.deductible_minor == yuan(1_000)
    assert c.policy.per_claim_limit_minor >= yuan(24_000)
    assert c.start == date.today() - timedelta(days=60)


async def test_a_notice_outside_the_period_or_on_an_unlisted_patent_is_refused_and_nothing_is_written() -> None:
    c = await covered()
    with pytest.raises(ValidationFailed) as caught:
        await notified(c, event_on=c.day(-10), first_claim_on=c.day(-5))
    assert codes_of(caught) == [rules.OUTSIDE_PERIOD]
    assert caught.value.errors[0].field == "first_claim_on" and caught.value.errors[0].article == rules.SCHEDULE
    with pytest.raises(ValidationFailed) as caught:
        await notified(c, patent_id=c.policy.patent_ids[0] + 9999)
    assert codes_of(caught) == [rules.NOT_LISTED]
    with pytest.raises(ValidationFailed):  # in the future
        await notified(c, first_claim_on=date.today() + timedelta(days=1))
    assert await count_claims(c) == 0
    made = await notified(c)
    assert made.state == "notified" and made.reference.startswith("IC-")
    assert await count_claims(c) == 1


async def test_a_claim_on_a_cancelled_policy_is_refused() -> None:
    c = await covered()
    async with unit_of_work():
        await policies.cancel(principal=c.insured, policy_id=c.policy.id, on=date.today(), version=c.policy.version)
    with pytest.raises(ValidationFailed) as caught:
        await notified(c)
    assert codes_of(caught) == [rules.NOT_IN_FORCE]
    assert await count_claims(c) == 0


async def test_enforcement_legal_costs_need_the_acceptance_number_investigation_costs_do_not() -> None:
    c = await covered()
    claim = await notified(c)
    with pytest.raises(ValidationFailed) as caught:
        await cost(c, claim.id, "lawyer", 10_000, c.day(12))
    assert codes_of(caught) == [rules.NO_ACCEPTANCE]
    assert caught.value.errors[0].article == rules.ENFORCEMENT
    assert (await claims.get(principal=c.insured, claim_id=claim.id)).costs == []  # nothing half-written
    done = await cost(c, claim.id, "investigation", 3_000, c.day(12))
    assert [x.kind for x in done.costs] == ["investigation"] and len(done.costs[0].sha256) == 64
    async with unit_of_work():
        await claims.record_acceptance(
            principal=c.insured, claim_id=claim.id,
            data=AcceptanceIn(expected_version=await version(c.insured, claim.id), acceptance_number=CASE_NUMBER,
                              accepted_on=c.day(20)),
        )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:  # incurred before the acceptance date
        await cost(c, claim.id, "lawyer", 10_000, c.day(15))
    assert codes_of(caught) == [rules.NO_ACCEPTANCE]
    after = await cost(c, claim.id, "lawyer", 10_000, c.day(25))
    assert [x.kind for x in after.costs] == ["investigation", "lawyer"]


async def test_a_cost_above_what_the_policy_can_still_pay_is_refused_with_the_figure() -> None:
    c = await covered()
    claim = await notified(c)
    with pytest.raises(ValidationFailed) as caught:
        await cost(c, claim.id, "investigation", 40_000, c.day(12))
    assert codes_of(caught) == ["above_limit"]
    assert "33,000" in render(caught.value.errors[0].message, "en")
    assert (await claims.get(principal=c.insured, claim_id=claim.id)).costs == []


async def test_the_assessment_by_hand_then_the_aggregate_used_by_the_paid_claim_caps_the_next() -> None:
    c = await covered()
    first = await notified(c, acceptance_number=CASE_NUMBER, accepted_on=c.day(20))
    investigation = await cost(c, first.id, "investigation", 3_000, c.day(12), "INV-1")
    await cost(c, first.id, "court_fee", 1_500, c.day(21), "INV-2")  # the court's own fee: no approval needed
    await cost(c, first.id, "lawyer", 20_000, c.day(25), "INV-3")
    await cost(c, first.id, "expert", 2_000, c.day(26), "INV-4")  # never pre-approved: excluded
    await reviewed(c, first.id)
    ids = {x.kind: x.id for x in investigation.costs}
    after = await pre_approve(c, first.id, ids["investigation"])
    lawyer = next(x.id for x in after.costs if x.kind == "lawyer")
    await pre_approve(c, first.id, lawyer)
    with pytest.raises(Conflict):  # once
        await pre_approve(c, first.id, lawyer)
    out = await assess(c, first.id)
    # 3,000 + 1,500 + 20,000 = 24,500 covered (2,000 excluded), less the 1,000 deductible: 23,500, within the
    # per-claim limit and the 33,000 aggregate (nothing paid yet)
    assert out.state == "assessed" and out.assessed_minor == yuan(23_500)  # type: ignore[attr-defined]
    keys = [line.key for line in out.assessment]  # type: ignore[attr-defined]
    assert keys.count("cost") == 3 and keys.count("excluded") == 1 and keys[-1] == "payable"
    excluded = next(line for line in out.assessment if line.key == "excluded")  # type: ignore[attr-defined]
    assert [r.code for r in excluded.reasons] == [rules.NOT_PRE_APPROVED]
    paid = await pay(c, first.id)
    assert paid.state == "paid" and paid.paid_minor == yuan(23_500)  # type: ignore[attr-defined]
    assert await claims_repo.paid_on_policy(c.policy.id) == yuan(23_500)  # from the entries

    second = await notified(c, event_on=c.day(30), first_claim_on=c.day(40), counterparty="另一家公司")  # words: data
    for n, amount in enumerate((8_000, 7_000)):
        made = await cost(c, second.id, "investigation", amount, c.day(41 + n), f"INV-{10 + n}")
    await reviewed(c, second.id)
    for x in made.costs:
        await pre_approve(c, second.id, x.id)
    out = await assess(c, second.id)
    # 15,000 - 1,000 = 14,000, but the aggregate has 33,000 - 23,500 = 9,500 left: 9,500, and it says so
    assert out.assessed_minor == yuan(9_500)  # type: ignore[attr-defined]
    capped = next(line for line in out.assessment if line.key == "aggregate_cap")  # type: ignore[attr-defined]
    assert capped.label.code == "insurance_claim.line.aggregate_capped"
    assert "9,500" in render(capped.label.msg, "en") and "23,500" in render(capped.label.msg, "en")
    await pay(c, second.id, "PAY-2")
    assert await claims.paid_total(c.insurer.org_id) == Money("CNY", yuan(33_000))
    by_state = await claims.claims_by_state(c.insurer.org_id)
    assert by_state["paid"] == 2 and by_state["notified"] == 0


async def test_each_denial_code_once_with_its_letter() -> None:
    c = await covered()
    cases = {
        rules.BEFORE_RETROACTIVE: {"event_on": c.day(-400)},
        rules.DISPUTE_KNOWN: {"first_known_on": c.day(-30)},
        rules.NOT_PRE_APPROVED: {},
        rules.NO_ACCEPTANCE: {},
        rules.OUTSIDE_PERIOD: {},
        rules.NOT_LISTED: {},
        rules.OTHER: {},
    }
    for n, (code, changes) in enumerate(cases.items()):
        claim = await notified(c, counterparty=f"相对方{n}", **changes)  # words: data
        if code in (rules.BEFORE_RETROACTIVE, rules.DISPUTE_KNOWN):
            found = (await claims.get(principal=c.insurer, claim_id=claim.id)).coverage
            assert [r.code for r in found] == [code]
        out = await deny(c, claim.id, code, text="见说明" if code == rules.OTHER else "")  # words: data
        assert out.state == "denied"  # type: ignore[attr-defined]
        assert [r.code for r in out.denial_reasons] == [code]  # type: ignore[attr-defined]
        case = await desk.case(out.case_id)  # type: ignore[attr-defined]
        assert case is not None
        [letter] = await letters.letters_of_case(case.id)
        assert code in letter.text("en") and code in letter.text("zh")
    with pytest.raises(ValidationFailed):  # a code that is not a denial code
        await deny(c, (await notified(c, counterparty="X")).id, "pledge.refusal.other")


async def test_the_assessment_explains_a_claim_not_covered_and_pays_nothing() -> None:
    c = await covered()
    claim = await notified(c, first_known_on=c.day(-30))
    await cost(c, claim.id, "investigation", 3_000, c.day(12))
    await reviewed(c, claim.id)
    out = await assess(c, claim.id)
    assert out.assessed_minor == 0  # type: ignore[attr-defined]
    with pytest.raises(ValidationFailed):
        await pay(c, claim.id)
    await deny(c, claim.id, rules.DISPUTE_KNOWN)


async def test_only_the_parties_see_a_claim_and_a_stale_version_is_a_409() -> None:
    c = await covered()
    other = await covered("二")  # words: data
    claim = await notified(c)
    with pytest.raises(NotFound):
        await claims.get(principal=other.insured, claim_id=claim.id)
    with pytest.raises(NotFound):
        await claims.get(principal=other.insurer, claim_id=claim.id)
    with pytest.raises(NotFound):  # another's policy
        async with unit_of_work():
            await claims.notify_claim(principal=other.insured, policy_id=c.policy.id, data=notice(c))
    async with unit_of_work():
        await claims.start_review(principal=c.insurer, claim_id=claim.id, data=MoveIn(expected_version=claim.version))
    with pytest.raises(Conflict):
        async with unit_of_work():
            await claims.start_review(
                principal=c.insurer, claim_id=claim.id, data=MoveIn(expected_version=claim.version)
            )


async def test_a_payment_above_the_four_eyes_threshold_needs_a_second_member() -> None:
    # the product asks two members above CNY 10,000 (its underwriting of the 33,000 limit too)
    name = "太平洋财险（测试）"  # words: data
    cover = await insurer(name, approval_thresholds=[{"above_minor": yuan(10_000), "approvals": 2}])
    applicant = await sme("杭州四眼科技有限公司")  # words: data
    app = await submitted(applicant, cover)
    async with unit_of_work():
        app = await insurance.decide(
            principal=cover.underwriter, application_id=app.id,
            data=DecisionIn(expected_version=app.version, outcome="accept"),
        )  # fmt: skip
    async with unit_of_work():
        app = await insurance.approve(
            principal=cover.checker, application_id=app.id,
            data=ApprovalIn(expected_version=app.version, proposal_id=app.pending_proposal_id or 0),
        )  # fmt: skip
    assert app.state == "accepted"
    made = await in_force_policy(Accepted(app.id, applicant, cover), paid_at=date.today() - timedelta(days=61))
    c = Covered(made=made, policy=await policies.policy(made.policy_id))
    claim = await notified(c)
    done = await cost(c, claim.id, "investigation", 15_000, c.day(12))
    await reviewed(c, claim.id)
    await pre_approve(c, claim.id, done.costs[0].id)
    assessed = await assess(c, claim.id)
    assert assessed.assessed_minor == yuan(14_000)  # type: ignore[attr-defined]
    proposed = await pay(c, claim.id)  # the maker: a proposal, nothing paid
    assert proposed.state == "assessed" and await claims_repo.payment_of(claim.id) is None  # type: ignore[attr-defined]
    with pytest.raises(Forbidden):  # the maker cannot approve their own
        await pay(c, claim.id)
    async with unit_of_work():
        paid = await claims.pay(
            principal=cover.checker, claim_id=claim.id,
            data=PaymentIn(expected_version=await version(cover.checker, claim.id), paid_on=date.today(),
                           reference="PAY-CHECKED"),
        )  # fmt: skip
    assert paid.state == "paid" and paid.paid_minor == yuan(14_000)
    payment = await claims_repo.payment_of(claim.id)
    assert payment is not None and payment.reference == "PAY-1"  # the maker's proposal's terms
