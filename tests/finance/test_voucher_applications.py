"""An SME's voucher application on both databases: the eligibility pre-check with coded reasons, the declaration
frozen, the review tier by tier with four eyes above the threshold, more-info, refusal with a letter, and the
approval that issues the entitlement and commits the programme's budget (first come: the one that does not fit is
a 409 and writes nothing; a spent budget closes the programme)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from finance.desk import service as desk
from finance.letters import service as letters
from finance.voucher_entitlements import applications, eligibility
from finance.voucher_entitlements import service as entitlements
from finance.voucher_entitlements.schemas import ApplyIn, ApproveIn, CheckIn, MoreInfoIn, MoveIn, RefuseIn
from finance.voucher_programmes import service as programmes
from market.errors import Conflict, Forbidden, MarketError, ValidationFailed
from market.jobs import unit_of_work
from tests.conftest import Backend
from tests.finance.qualification_support import recorded
from tests.finance.voucher_entitlement_support import (
    applied,
    approved_through_tiers,
    assert_ledger_balanced,
    issuing,
    sme,
)


async def test_two_tiers_then_the_entitlement_is_issued_and_the_budget_committed(backend: Backend) -> None:
    owner = await issuing()
    firm = await sme()
    await recorded(firm, "specialised")  # favoured: the firm comes first on the queue
    made = await applied(firm, owner, 5_000_000)
    assert made.state == "submitted" and made.tiers == ["district", "city"] and made.favoured == ["specialised"]
    assert made.declarations[0]["text_zh"] == "本企业承诺：该项目未获得其他财政资金支持。"
    assert [f.code for f in made.findings] == ["voucher.precheck.favoured"]
    who = owner.maker
    async with unit_of_work():
        found = await applications.start_review(principal=who, application_id=made.id,
                                                data=MoveIn(expected_version=made.version))  # fmt: skip
        found = await applications.approve(principal=who, application_id=made.id,
                                           data=ApproveIn(expected_version=found.version))  # fmt: skip
    assert (found.state, found.tier, found.tier_name, found.entitlement_id) == ("in_review", 1, "city", None)
    assert await eligibility.committed(owner.programme_id) == 0  # the first tier commits nothing
    async with unit_of_work():
        found = await applications.approve(principal=who, application_id=made.id,
                                           data=ApproveIn(expected_version=found.version, amount_minor=4_000_000))
    assert found.state == "approved" and found.entitlement_id is not None
    assert found.approved is not None and found.approved.minor == 4_000_000
    assert [(d.kind, d.outcome, d.tier) for d in found.decisions] == [
        ("filing", "filed", ""), ("tier", "passed", "district"), ("tier", "approved", "city")]  # fmt: skip
    issued = await entitlements.entitlement(found.entitlement_id)
    assert (issued.holder, issued.granted_minor, issued.programme_version) == (firm.org_id, 4_000_000, 1)
    assert issued.issued_on == entitlements.today()
    assert entitlements.last_usable_day(issued) == entitlements.add_months(issued.issued_on, 12) - timedelta(days=1)
    assert await eligibility.committed(owner.programme_id) == 4_000_000
    assert (await entitlements.balance(issued.id)).available_minor == 4_000_000
    await assert_ledger_balanced(issued.id)


async def test_the_pre_check_refuses_with_coded_reasons_and_writes_nothing(backend: Backend) -> None:
    owner = await issuing(required=["tech_sme"], regions=["33"], per_firm_minor=3_000_000)
    firm = await sme()  # region 110000 (Beijing), no qualification
    check = await eligibility.eligibility(principal=firm, programme_id=owner.programme_id, amount_minor=5_000_000)
    assert not check.eligible
    assert {f.code for f in check.findings} == {"voucher.precheck.region", "qualification.missing",
                                                "voucher.precheck.firm_cap"}  # fmt: skip
    assert all(f.source.code.startswith("law.") for f in check.findings)
    with pytest.raises(ValidationFailed) as refused:
        await applied(firm, owner, 5_000_000)
    assert {e.code for e in refused.value.errors} == {"voucher.precheck.region", "qualification.missing",
                                                      "voucher.precheck.firm_cap"}  # fmt: skip
    assert await applications.applications_of(principal=firm) == []


async def test_the_declaration_is_required(backend: Backend) -> None:
    owner = await issuing()
    firm = await sme()
    with pytest.raises(ValidationFailed) as refused:
        async with unit_of_work():
            await applications.apply(principal=firm, data=ApplyIn(programme_id=owner.programme_id,
                                                                  amount_minor=1_000_000, purpose="检测服务"))
    assert refused.value.errors[0].code == "voucher.declaration_needed"
    assert await applications.applications_of(principal=firm) == []


async def test_one_open_application_per_programme(backend: Backend) -> None:
    owner = await issuing()
    firm = await sme()
    await applied(firm, owner, 1_000_000)
    with pytest.raises(ValidationFailed) as refused:
        await applied(firm, owner, 1_000_000)
    assert refused.value.errors[0].code == "voucher.precheck.open_application"


async def test_four_eyes_above_the_threshold_at_each_tier(backend: Backend) -> None:
    owner = await issuing(approval_thresholds=[{"above_minor": 1_000_000, "approvals": 1}])
    firm = await sme()
    made = await applied(firm, owner, 5_000_000)
    async with unit_of_work():
        found = await applications.start_review(principal=owner.maker, application_id=made.id,
                                                data=MoveIn(expected_version=made.version))  # fmt: skip
        found = await applications.approve(principal=owner.maker, application_id=made.id,
                                           data=ApproveIn(expected_version=found.version))  # fmt: skip
    assert found.state == "proposed" and found.pending_proposal_id is not None
    with pytest.raises(Forbidden):  # the maker cannot check their own proposal
        async with unit_of_work():
            await applications.check(principal=owner.maker, application_id=made.id,
                                     data=CheckIn(expected_version=found.version,
                                                  proposal_id=found.pending_proposal_id))  # fmt: skip
    async with unit_of_work():
        found = await applications.check(principal=owner.checker, application_id=made.id,
                                         data=CheckIn(expected_version=found.version,
                                                      proposal_id=found.pending_proposal_id))  # fmt: skip
    assert (found.state, found.tier_name) == ("in_review", "city")
    async with unit_of_work():
        found = await applications.approve(principal=owner.checker, application_id=made.id,
                                           data=ApproveIn(expected_version=found.version))  # fmt: skip
        found = await applications.check(principal=owner.maker, application_id=made.id,
                                         data=CheckIn(expected_version=found.version,
                                                      proposal_id=found.pending_proposal_id or 0))  # fmt: skip
    assert found.state == "approved" and found.entitlement_id is not None
    kinds = [d.kind for d in found.decisions]
    assert kinds == ["filing", "proposal", "approval", "tier", "proposal", "approval", "tier"]


async def test_the_approval_that_does_not_fit_the_budget_is_refused_and_writes_nothing(backend: Backend) -> None:
    owner = await issuing(budget_minor=6_000_000, review_tiers=["issuer"])
    first = await applied(await sme("宁波甲科技有限公司"), owner, 5_000_000)
    second = await applied(await sme("宁波乙科技有限公司"), owner, 5_000_000)  # both fit the budget when filed
    await approved_through_tiers(owner, first.id)
    async with unit_of_work():
        found = await applications.start_review(principal=owner.maker, application_id=second.id,
                                                data=MoveIn(expected_version=second.version))  # fmt: skip
    with pytest.raises(Conflict) as refused:
        async with unit_of_work():
            await applications.approve(principal=owner.maker, application_id=second.id,
                                       data=ApproveIn(expected_version=found.version))  # fmt: skip
    assert refused.value.message_code == "voucher.budget_exhausted"
    after = await applications.get_application(principal=owner.maker, application_id=second.id)
    assert (after.state, after.version, after.entitlement_id) == ("in_review", found.version, None)
    assert await eligibility.committed(owner.programme_id) == 5_000_000
    assert len(await entitlements.entitlements_of_issuer(owner.maker.org_id)) == 1
    async with unit_of_work():  # a lower amount that fits is approved
        done = await applications.approve(principal=owner.maker, application_id=second.id,
                                          data=ApproveIn(expected_version=found.version, amount_minor=1_000_000))
    assert done.state == "approved"
    assert await eligibility.committed(owner.programme_id) == 6_000_000
    row = await programmes.programme(owner.programme_id)
    assert (row.status, row.closed_reason) == ("closed", "budget_exhausted")  # spent: closed to new applications
    late = await eligibility.eligibility(principal=await sme("宁波丙科技有限公司"), programme_id=owner.programme_id,
                                          amount_minor=100)  # fmt: skip
    assert [f.code for f in late.findings] == ["voucher.budget_exhausted"]


async def test_refusal_with_reasons_and_a_letter(backend: Backend) -> None:
    owner = await issuing()
    firm = await sme()
    made = await applied(firm, owner, 2_000_000)
    with pytest.raises(ValidationFailed):
        async with unit_of_work():
            await applications.refuse(principal=owner.maker, application_id=made.id,
                                      data=RefuseIn(expected_version=made.version, reasons=["made.up"]))
    async with unit_of_work():
        found = await applications.refuse(principal=owner.maker, application_id=made.id,
                                          data=RefuseIn(expected_version=made.version,
                                                        reasons=["voucher.refusal.double_funding"]))  # fmt: skip
    assert found.state == "refused"
    [refusal] = [d for d in found.decisions if d.kind == "refusal"]
    assert [r.code for r in refusal.reasons] == ["reason.voucher.refusal.double_funding"]
    assert found.case_id is not None
    sent = await letters.letters_for(principal=firm, case_id=found.case_id, lang="zh")
    assert len(sent) == 1 and len(sent[0].sha256) == 64


async def test_more_info_pauses_the_clock_and_the_firm_resubmits(backend: Backend) -> None:
    owner = await issuing()
    firm = await sme()
    made = await applied(firm, owner, 2_000_000)
    async with unit_of_work():
        found = await applications.start_review(principal=owner.maker, application_id=made.id,
                                                data=MoveIn(expected_version=made.version))  # fmt: skip
        found = await applications.request_info(principal=owner.maker, application_id=made.id,
                                                data=MoreInfoIn(expected_version=found.version, text="请补充预算"))
    assert found.state == "more_info" and found.case_id is not None
    assert (await desk.case(found.case_id)).paused  # type: ignore[union-attr]
    assert "resubmit" in (await applications.get_application(principal=firm, application_id=made.id)).events
    async with unit_of_work():
        found = await applications.resubmit(principal=firm, application_id=made.id,
                                            data=MoveIn(expected_version=found.version))  # fmt: skip
    assert found.state == "in_review" and not (await desk.case(found.case_id)).paused  # type: ignore[union-attr]


async def test_the_firm_withdraws_and_may_apply_again(backend: Backend) -> None:
    owner = await issuing()
    firm = await sme()
    made = await applied(firm, owner, 2_000_000)
    async with unit_of_work():
        found = await applications.withdraw(principal=firm, application_id=made.id,
                                            data=MoveIn(expected_version=made.version))  # fmt: skip
    assert found.state == "withdrawn"
    assert (await applied(firm, owner, 1_000_000)).state == "submitted"


async def test_face_value_vouchers(backend: Backend) -> None:
    owner = await issuing(value_kind="face_value", face_value_minor=500_000, review_tiers=["issuer"])
    firm = await sme()
    made = await applied(firm, owner, vouchers=4, amount_minor=None)  # type: ignore[arg-type]
    assert made.requested.minor == 2_000_000 and made.vouchers == 4
    async with unit_of_work():
        found = await applications.start_review(principal=owner.maker, application_id=made.id,
                                                data=MoveIn(expected_version=made.version))  # fmt: skip
        found = await applications.approve(principal=owner.maker, application_id=made.id,
                                           data=ApproveIn(expected_version=found.version, vouchers=3))
    issued = await entitlements.entitlement(found.entitlement_id or 0)
    assert (issued.vouchers, issued.face_value_minor, issued.granted_minor) == (3, 500_000, 1_500_000)


async def test_only_the_issuer_reviews_and_only_the_parties_see(backend: Backend) -> None:
    owner = await issuing()
    other = await issuing("温州市科学技术局（测试）")
    firm = await sme()
    made = await applied(firm, owner, 2_000_000)
    for who in (other.maker, await sme("无关科技有限公司")):
        with pytest.raises(MarketError) as refused:
            await applications.get_application(principal=who, application_id=made.id)
        assert refused.value.status == 404
    with pytest.raises(MarketError):
        async with unit_of_work():
            await applications.start_review(principal=firm, application_id=made.id,
                                            data=MoveIn(expected_version=made.version))  # fmt: skip


async def test_outside_the_window(backend: Backend) -> None:
    later = date.today() + timedelta(days=30)
    window = {"opens_on": later.isoformat(), "closes_on": (later + timedelta(days=30)).isoformat()}
    owner = await issuing(windows=[window])
    check = await eligibility.eligibility(principal=await sme(), programme_id=owner.programme_id,
                                           amount_minor=100_000)  # fmt: skip
    assert [f.code for f in check.findings] == ["voucher.precheck.window"]
