"""Subsidy claims end to end on both databases: a firm's claim with its policy and the proof of payment, reviewed on
the issuer's desk (more info, four eyes above the threshold, refusal with coded reasons and a letter), the payment
recorded; amounts against hand-computed values (first and later policy, the cap left, two programmes on one
policy); bad input refused with a clear error and nothing written; 20 claims and approvals at once on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from finance.desk import service as desk
from finance.policies import service as policies
from finance.subsidies import arithmetic, repository
from finance.subsidies import service as subsidies
from finance.subsidies.records import Upload
from finance.subsidies.schemas import ApproveIn, CheckIn, MoreInfoIn, MoveIn, PaymentIn, RefuseIn
from finance.subsidies.tables import SubsidyCap, SubsidyClaim
from market.accounts.principal import Principal
from market.errors import Conflict, Forbidden, MarketError, NotFound, ValidationFailed
from market.events.tables import DomainEvent
from market.jobs import unit_of_work
from market.web.problems import unique_violation
from tests.finance.insurance_support import Sme, accepted_application, insurer, sme
from tests.finance.pledge_support import member_of
from tests.finance.policy_support import Made, bound_policy, in_force_policy
from tests.finance.subsidy_support import issuer, open_programme

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PROOF = Upload(filename="bank-slip.pdf", content_type="application/pdf", content=PDF)
# The insurance test product: CNY 2,000 + CNY 200 per patent -> one patent, premium CNY 2,200 (220,000 fen).
PREMIUM = 220_000
# A programme like Beijing's with a small SME cap (CNY 3,000) so that a second policy meets it.
SMALL_CAP: dict[str, Any] = {
    "name_zh": "保费补贴（测试）", "kinds": ["enforcement", "infringement_loss"],
    "share_first_bp": {"sme": 10000, "champion": 10000}, "share_later_bp": {"sme": 9000, "champion": 8000},
    "tier_caps_minor": {"sme": 300_000, "champion": 500_000},
}  # fmt: skip
SIXTY: dict[str, Any] = {"name_zh": "山东（测试）", "kinds": ["enforcement"], "share_first_bp": {"sme": 6000}}


async def two_policies() -> tuple[Sme, Made, Made]:
    """One firm, two policies in force with the same insurer (two applications, one patent each)."""
    cover = await insurer()
    firm = await sme()
    first = await in_force_policy(await accepted_application(firm, cover))
    second = await in_force_policy(await accepted_application(firm, cover))
    return firm, first, second


async def file(principal: Principal, policy_id: int, programme_id: int, proof: Upload | None = PROOF) -> Any:
    async with unit_of_work():
        return await subsidies.file_claim(principal=principal, policy_id=policy_id, programme_id=programme_id,
                                          proof_document=proof)  # fmt: skip


async def review(owner: Principal, claim_id: int) -> Any:
    claim = await subsidies.get_claim(principal=owner, claim_id=claim_id)
    async with unit_of_work():
        return await subsidies.start_review(principal=owner, claim_id=claim_id,
                                            data=MoveIn(expected_version=claim.version))  # fmt: skip


async def approve(owner: Principal, claim_id: int, amount_minor: int | None = None) -> Any:
    claim = await subsidies.get_claim(principal=owner, claim_id=claim_id)
    async with unit_of_work():
        return await subsidies.approve(principal=owner, claim_id=claim_id,
                                       data=ApproveIn(expected_version=claim.version, amount_minor=amount_minor))


async def pay(owner: Principal, claim_id: int, reference: str = "BJ-0001") -> Any:
    claim = await subsidies.get_claim(principal=owner, claim_id=claim_id)
    async with unit_of_work():
        return await subsidies.record_payment(principal=owner, claim_id=claim_id, data=PaymentIn(
            expected_version=claim.version, paid_on=date.today(), reference=reference))  # fmt: skip


async def test_the_quote_of_an_application_shows_what_each_programme_would_pay(backend: Any) -> None:
    accepted = await accepted_application()
    owner = await issuer()
    bj = await open_programme(owner, "bj", SMALL_CAP)
    sd = await open_programme(owner, "sd", SIXTY)
    await open_programme(owner, "overseas", {**SIXTY, "kinds": ["overseas_liability"]})  # another kind: not shown
    found = await subsidies.estimates_for_application(principal=accepted.sme.principal,
                                                      application_id=accepted.application_id)  # fmt: skip
    assert {e.programme_id: e.amount.minor for e in found} == {bj: 220_000, sd: 132_000}  # 100% and 60% of 2,200
    assert all(e.first_policy and e.eligible for e in found)
    assert found[0].lines[0].code == "subsidy.line.share_first"
    stranger = await sme("另一家企业（测试）")
    with pytest.raises(NotFound):
        await subsidies.estimates_for_application(principal=stranger.principal,
                                                  application_id=accepted.application_id)  # fmt: skip


async def test_caps_hold_across_two_policies_and_two_programmes_never_above_never_twice(backend: Any) -> None:
    firm, first, second = await two_policies()
    owner = await issuer()
    bj = await open_programme(owner, "bj", SMALL_CAP)
    sd = await open_programme(owner, "sd", SIXTY)
    # policy 1 on Beijing: the firm's first subsidised policy, 100% of CNY 2,200
    one = await file(firm.principal, first.policy_id, bj)
    assert (one.requested.minor, one.first_policy, one.state, one.reference[:3]) == (220_000, True, "submitted", "SB-")
    await review(owner, one.id)
    approved = await approve(owner, one.id)
    assert (approved.state, approved.approved.minor) == ("approved", 220_000)
    paid = await pay(owner, one.id)
    assert (paid.state, paid.paid.minor, paid.payment.reference) == ("paid", 220_000, "BJ-0001")
    # policy 2 on Beijing: later share 90% = CNY 1,980, but only CNY 800 of the CNY 3,000 SME cap is left
    two = await file(firm.principal, second.policy_id, bj)
    assert (two.requested.minor, two.first_policy) == (80_000, False)
    await review(owner, two.id)
    with pytest.raises(ValidationFailed) as above:  # more than the caps allow now: refused beside the amount
        await approve(owner, two.id, amount_minor=80_001)
    assert above.value.errors[0].field == "amount_minor"
    assert (await approve(owner, two.id)).approved.minor == 80_000
    # Shandong 60% on policy 1: its premium is fully subsidised already -> nothing to claim, nothing written
    with pytest.raises(ValidationFailed) as nothing:
        await file(firm.principal, first.policy_id, sd)
    assert nothing.value.errors[0].code == "nothing_to_claim"
    assert await SubsidyClaim.count().where(SubsidyClaim.programme == sd) == 0
    # Shandong 60% on policy 2: 60% of 2,200 = 1,320, and 2,200 - 800 = 1,400 is not yet subsidised: 1,320
    three = await file(firm.principal, second.policy_id, sd)
    assert three.requested.minor == 132_000
    await review(owner, three.id)
    assert (await approve(owner, three.id)).approved.minor == 132_000
    org = firm.principal.org_id
    caps = await repository.caps([arithmetic.firm_key(bj, org), arithmetic.policy_key(first.policy_id),
                                  arithmetic.policy_key(second.policy_id), arithmetic.first_key(bj, org)])
    reserved = {k.split(":")[0]: v.reserved_minor for k, v in caps.items() if not k.startswith("policy")}
    assert reserved == {"firm": 300_000, "first": 1}  # exactly the SME cap; the first share taken once
    assert caps[arithmetic.policy_key(first.policy_id)].reserved_minor == 220_000 <= PREMIUM
    assert caps[arithmetic.policy_key(second.policy_id)].reserved_minor == 212_000 <= PREMIUM
    with pytest.raises(Conflict):  # one claim per policy and programme
        await file(firm.principal, second.policy_id, bj)
    with pytest.raises(Conflict):  # paid once
        await pay(owner, one.id, reference="BJ-0002")
    names = [r["name"] for r in await DomainEvent.select(DomainEvent.name).where(DomainEvent.name.like("subsidy.%"))]
    assert Counter(names) == Counter({"subsidy.claim.filed": 3, "subsidy.claim.approved": 3, "subsidy.claim.paid": 1})


async def test_a_changed_programme_keeps_the_claims_filed_under_its_earlier_version(backend: Any) -> None:
    firm, first, _ = await two_policies()
    owner = await issuer()
    bj = await open_programme(owner, "bj", SMALL_CAP)
    claim = await file(firm.principal, first.policy_id, bj)
    from finance.subsidies.schemas import ProgrammeEditIn

    async with unit_of_work():
        await subsidies.edit_programme(principal=owner, programme_id=bj, data=ProgrammeEditIn(
            expected_version=1, **{**SMALL_CAP, "share_first_bp": {"sme": 5000, "champion": 5000}}))  # fmt: skip
    await review(owner, claim.id)
    approved = await approve(owner, claim.id)
    assert (approved.programme_version, approved.approved.minor) == (1, 220_000)  # version 1's 100%


async def test_bad_claims_get_a_clear_error_and_nothing_is_written(backend: Any) -> None:
    cover = await insurer()
    firm = await sme()
    unpaid = await bound_policy(await accepted_application(firm, cover))
    cancelled = await in_force_policy(await accepted_application(firm, cover))
    row = await policies.policy(cancelled.policy_id)
    async with unit_of_work():
        await policies.cancel(principal=firm.principal, policy_id=row.id, on=date.today() + timedelta(days=1),
                              version=row.version)  # fmt: skip
    good = await in_force_policy(await accepted_application(firm, cover))
    owner = await issuer()
    bj = await open_programme(owner, "bj", SMALL_CAP)
    overseas = await open_programme(owner, "overseas", {**SIXTY, "kinds": ["overseas_liability"]})
    cases = [
        (unpaid.policy_id, bj, PROOF, "policy_id", "unpaid"),
        (cancelled.policy_id, bj, PROOF, "policy_id", "cancelled"),
        (good.policy_id, overseas, PROOF, "programme_id", "kind_not_covered"),
        (good.policy_id, bj, None, "file", "required"),
        (good.policy_id, bj, Upload("slip.txt", "application/pdf", b"not a pdf"), "file", None),
    ]
    for policy_id, programme_id, proof, field, code in cases:
        with pytest.raises(ValidationFailed) as caught:
            await file(firm.principal, policy_id, programme_id, proof)
        assert caught.value.errors[0].field == field, (policy_id, programme_id)
        if code:
            assert caught.value.errors[0].code == code
    other = await sme("别家企业（测试）")
    with pytest.raises(NotFound):  # another firm's policy
        await file(other.principal, good.policy_id, bj)
    assert await SubsidyClaim.count() == 0
    assert await SubsidyCap.count() == 0


async def test_more_info_four_eyes_and_a_refusal_with_its_letter(backend: Any) -> None:
    firm, first, second = await two_policies()
    owner = await issuer()
    checker = await member_of(owner, email=f"checker-{owner.org_id}@issuer.example.cn")
    bj = await open_programme(owner, "bj", {**SMALL_CAP, "approval_thresholds": [{"above_minor": 100_000,
                                                                                  "approvals": 1}]})  # fmt: skip
    claim = await file(firm.principal, first.policy_id, bj)
    await review(owner, claim.id)
    current = await subsidies.get_claim(principal=owner, claim_id=claim.id)
    async with unit_of_work():
        await subsidies.request_info(principal=owner, claim_id=claim.id,
                                     data=MoreInfoIn(expected_version=current.version, text="请补充保费发票"))
    async with unit_of_work():
        await subsidies.upload(principal=firm.principal, claim_id=claim.id, requirement="premium_invoice",
                               document=Upload("invoice.pdf", "application/pdf", PDF))  # fmt: skip
    current = await subsidies.get_claim(principal=firm.principal, claim_id=claim.id)
    assert current.state == "more_info" and {d.requirement for d in current.documents} == {"premium_paid_proof",
                                                                                          "premium_invoice"}
    async with unit_of_work():
        await subsidies.resubmit(principal=firm.principal, claim_id=claim.id,
                                 data=MoveIn(expected_version=current.version))  # fmt: skip
    proposed = await approve(owner, claim.id)  # CNY 2,200 is above the CNY 1,000 threshold: a proposal
    assert proposed.state == "proposed" and proposed.pending_proposal_id and proposed.approved is None
    assert await SubsidyCap.count() == 0  # nothing reserved before the second approval
    with pytest.raises(Forbidden):  # never the maker's own
        async with unit_of_work():
            await subsidies.check(principal=owner, claim_id=claim.id, data=CheckIn(
                expected_version=proposed.version, proposal_id=proposed.pending_proposal_id))  # fmt: skip
    async with unit_of_work():
        done = await subsidies.check(principal=checker, claim_id=claim.id, data=CheckIn(
            expected_version=proposed.version, proposal_id=proposed.pending_proposal_id))  # fmt: skip
    assert (done.state, done.approved.minor) == ("approved", 220_000)
    other = await file(firm.principal, second.policy_id, bj)
    async with unit_of_work():
        refused = await subsidies.refuse(principal=owner, claim_id=other.id, data=RefuseIn(
            expected_version=other.version, reasons=["subsidy.refusal.proof_insufficient"], text="凭证不清晰"))
    assert refused.state == "refused"
    assert [d.kind for d in refused.decisions][-1] == "refusal"
    assert "decision_letter" in {d.requirement for d in refused.documents}
    with pytest.raises(ValidationFailed):
        async with unit_of_work():
            await subsidies.refuse(principal=owner, claim_id=claim.id, data=RefuseIn(
                expected_version=done.version, reasons=["no.such.reason"]))  # fmt: skip


async def test_a_refund_before_payment_pays_only_the_share_of_the_net_premium(backend: Any) -> None:
    firm, first, _ = await two_policies()
    owner = await issuer()
    bj = await open_programme(owner, "bj", SMALL_CAP)
    claim = await file(firm.principal, first.policy_id, bj)
    await review(owner, claim.id)
    await approve(owner, claim.id)
    row = await policies.policy(first.policy_id)
    assert row.starts_on is not None
    async with unit_of_work():
        await policies.cancel(principal=firm.principal, policy_id=row.id, on=row.starts_on + timedelta(days=73),
                              version=row.version)  # fmt: skip
    net = (await policies.premium_paid(first.policy_id)).minor
    assert 0 < net < PREMIUM
    paid = await pay(owner, claim.id)
    assert paid.paid.minor == net  # 100% of the premium net of the refund, not the CNY 2,200 approved
    caps = await repository.caps([arithmetic.firm_key(bj, firm.principal.org_id)])
    assert caps[arithmetic.firm_key(bj, firm.principal.org_id)].reserved_minor == net  # the rest released


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_twenty_claims_and_twenty_approvals_at_once_on_postgres(backend: Any) -> None:
    """20 filings of one policy on one programme at once: one claim, 19 answers 409. Then 20 approvals at once
    (5 each of 4 claims of one firm whose cap leaves room for 2): 2 approved, 18 refused, the cap exact."""
    cover = await insurer()
    firm = await sme()
    made = [await in_force_policy(await accepted_application(firm, cover)) for _ in range(4)]
    owner = await issuer()
    bj = await open_programme(owner, "bj", {**SMALL_CAP, "share_first_bp": {"sme": 9000}, "share_later_bp": {},
                                            "tier_caps_minor": {"sme": 400_000}})  # fmt: skip

    async def outcome(action: Any) -> int:
        """200, or the status the API answers (a unique violation: 409, as market.web.problems maps it)."""
        try:
            async with unit_of_work():
                await action()
        except MarketError as exc:
            return exc.status
        except Exception as exc:
            if unique_violation(exc) is None:
                raise
            return 409
        return 200

    def filing() -> Any:
        return lambda: subsidies.file_claim(principal=firm.principal, policy_id=made[0].policy_id, programme_id=bj,
                                            proof_document=PROOF)  # fmt: skip

    answers = await asyncio.gather(*(outcome(filing()) for _ in range(20)))
    assert Counter(answers) == Counter({200: 1, 409: 19}), answers
    assert await SubsidyClaim.count() == 1
    claims = [(await repository.claim_by_key(made[0].policy_id, bj))]
    for m in made[1:]:
        claims.append(await repository.claim_by_key(m.policy_id, bj) or await file(firm.principal, m.policy_id, bj))
    ids = [c.id for c in claims]
    for claim_id in ids:
        await review(owner, claim_id)
    versions = {i: (await subsidies.get_claim(principal=owner, claim_id=i)).version for i in ids}

    def approval(claim_id: int) -> Any:
        return lambda: subsidies.approve(principal=owner, claim_id=claim_id,
                                         data=ApproveIn(expected_version=versions[claim_id], amount_minor=198_000))

    answers = await asyncio.gather(*(outcome(approval(ids[n % 4])) for n in range(20)))
    # 2 x 1,980 fit under 4,000, a third does not: a stale case version or a cap reached meanwhile is a 409; an
    # approval that reads the cap already reached is refused beside its amount (422)
    assert answers.count(200) == 2 and set(answers) <= {200, 409, 422}, answers
    states = Counter([(await desk.case((await repository.claim(i)).case)).state for i in ids])  # type: ignore[arg-type,union-attr]
    assert states == Counter({"approved": 2, "in_review": 2})
    cap = await repository.caps([arithmetic.firm_key(bj, firm.principal.org_id)])
    assert cap[arithmetic.firm_key(bj, firm.principal.org_id)].reserved_minor == 396_000
