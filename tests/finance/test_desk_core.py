"""The review desk's core, on both databases: machines, reason codes, cases moved by a conditional update with their
audit and outbox events, immutable decisions, and four eyes in the service and in the database."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import asyncpg
import pytest

from finance.desk import repository
from finance.desk import service as desk
from finance.desk.machines import events_from, final_states, initial_state, next_state, waiting_states
from finance.desk.reasons import REGISTRY, Reason, ReasonCode, Severity, reason, register
from finance.desk.tables import DeskCase, DeskDecision
from finance.loan_products import rules
from finance.loan_products.records import ApprovalPolicy as ProductPolicy
from market.audit.service import Actor
from market.audit.tables import AuditEvent
from market.errors import Conflict, Forbidden
from market.events.tables import DomainEvent
from market.jobs import unit_of_work
from market.kit.money import Money
from tests.conftest import Backend, make_account
from tests.finance.desk_support import Review, bank_with_members, move, open_case
from tests.support.typed_records import assert_typed

DB_ERRORS = (asyncpg.PostgresError, sqlite3.Error)

register(
    ReasonCode("desk_test.ltv_exceeded", "law.patent.art50", Severity.block),
    ReasonCode("desk_test.open_licence", "law.patent.art50", Severity.acknowledge),
)


# ------------------------------------------------------------------------------------------ pure parts


def test_the_machine_says_where_an_event_leads_and_refuses_the_rest() -> None:
    assert next_state(Review, "draft", "submit") == "submitted"
    assert next_state(Review, "proposed", "refuse") == "refused"
    assert next_state(Review, "in_review", "refuse") == "refused"
    with pytest.raises(Conflict) as refused:
        next_state(Review, "draft", "approve")
    assert refused.value.message_code == "desk.transition_not_allowed"
    with pytest.raises(Conflict):
        next_state(Review, "forged_state", "submit")
    assert initial_state(Review) == "draft"
    assert final_states(Review) == {"approved", "refused", "withdrawn"}
    assert waiting_states(Review) == {"more_info"}
    assert events_from(Review, "in_review") == ("ask", "propose", "refuse", "withdraw")


def test_reason_codes_carry_source_and_severity_from_the_registry() -> None:
    r = reason("desk_test.ltv_exceeded", field="amount", amount=Money("CNY", 5_000_000))
    assert (r.source, r.severity, r.field) == ("law.patent.art50", Severity.block, "amount")
    assert r.msg.code == "reason.desk_test.ltv_exceeded" and r.blocks
    assert Reason.from_json(r.as_json()) == r  # stored and read back with its typed parameters
    assert reason("desk_test.open_licence").severity is Severity.acknowledge
    with pytest.raises(ValueError, match="registered twice"):
        register(ReasonCode("desk_test.ltv_exceeded", "law.patent.art51", Severity.warn))
    with pytest.raises(ValueError, match="catalogue code"):
        register(ReasonCode("desk_test.sourceless", "product rule", Severity.warn))
    with pytest.raises(KeyError):
        reason("desk_test.unknown")
    assert "desk_test.sourceless" not in REGISTRY


def test_the_approval_policy_counts_approvers_by_amount() -> None:
    policy = desk.ApprovalPolicy(thresholds=((0, 1), (50_000_000, 2), (500_000_000, 3)), refusal_needs_second=True)
    assert policy.required("approve", 10_000) == 1
    assert policy.required("approve", 50_000_000) == 1  # "above": the threshold itself is not above
    assert policy.required("approve", 50_000_001) == 2
    assert policy.required("approve", 900_000_000) == 3
    assert policy.required("refuse", 900_000_000) == 1
    assert desk.ApprovalPolicy().required("refuse", 1) == 0


# --------------------------------------------------------------------------------------- cases, moves


async def count_audit(action: str, entity_id: int) -> int:
    return int(await AuditEvent.count().where((AuditEvent.action == action) & (AuditEvent.entity_id == str(entity_id))))


async def test_a_case_opens_in_the_initial_state_once_per_subject(backend: Backend) -> None:
    bank = await bank_with_members(0)
    case = await open_case(bank)
    assert (case.state, case.version, case.kind) == ("draft", 0, "pledge_loan")
    assert case.reference == f"PL-{desk.today().year}-{case.subject:06d}"
    assert case.sla_started_on is None and case.due_on is None
    assert await count_audit("desk.case_opened", case.id) == 1
    with pytest.raises(DB_ERRORS):  # unique (kind, subject): a 409 through the API
        async with unit_of_work():
            await desk.open_case(
                kind="pledge_loan",
                subject=case.subject,
                reviewer_org=bank.org_id,
                applicant_org=case.applicant_org,
                amount=Money("CNY", 1),
                machine=Review,
                reference_prefix="PX",
                sla_working_days=5,
                actor=Actor.system(),
            )
    assert await DeskCase.count() == 1


async def test_a_move_is_conditional_on_the_version_and_writes_its_audit_and_outbox_events(backend: Backend) -> None:
    bank = await bank_with_members(0)
    case = await open_case(bank)
    moved = await move(case, "submit", actor=bank.actor())
    assert (moved.state, moved.version) == ("submitted", 1)
    assert await count_audit("desk.case_moved", case.id) == 1
    [event] = await DomainEvent.select().where(DomainEvent.name == "desk.case_moved")
    assert json.loads(event["payload"]) == {
        "case_id": case.id,
        "kind": "pledge_loan",
        "subject": case.subject,
        "from_state": "draft",
        "to_state": "submitted",
        "event": "submit",
        "reviewer_org": bank.org_id,
        "applicant_org": case.applicant_org,
    }
    with pytest.raises(Conflict) as stale:  # acting on the version one read before someone else moved it
        async with unit_of_work():
            await desk.transition(
                case_id=case.id, event="start", expected_version=0, actor=bank.actor(), machine=Review
            )
    assert stale.value.message_code == "desk.stale"
    with pytest.raises(Conflict) as forged:
        async with unit_of_work():
            await desk.transition(
                case_id=case.id, event="approve", expected_version=1, actor=bank.actor(), machine=Review
            )
    assert forged.value.message_code == "desk.transition_not_allowed"
    after = await desk.case(case.id)
    assert after is not None and (after.state, after.version) == ("submitted", 1)
    assert await count_audit("desk.case_moved", case.id) == 1
    assert await DomainEvent.count().where(DomainEvent.name == "desk.case_moved") == 1


async def test_a_failed_move_leaves_nothing_behind(backend: Backend) -> None:
    """The move, its audit event and its outbox event are one transaction: a failure after the move undoes all."""
    bank = await bank_with_members(0)
    case = await open_case(bank)
    with pytest.raises(RuntimeError):
        async with unit_of_work():
            await desk.transition(
                case_id=case.id, event="submit", expected_version=0, actor=bank.actor(), machine=Review
            )
            raise RuntimeError("the caller failed after the move")
    after = await desk.case(case.id)
    assert after is not None and (after.state, after.version) == ("draft", 0)
    assert await count_audit("desk.case_moved", case.id) == 0
    assert await DomainEvent.count().where(DomainEvent.name == "desk.case_moved") == 0


# -------------------------------------------------------------------------------------------- decisions


async def test_decisions_are_immutable_and_amending_is_a_new_decision(backend: Backend) -> None:
    bank = await bank_with_members(0)
    case = await open_case(bank)
    snapshot: dict[str, Any] = {"patent": {"number": "ZL202010000001.0", "status": "valid"}, "as_of": desk.today()}
    async with unit_of_work():
        first = await desk.decide(
            case_id=case.id,
            kind="valuation",
            outcome="accepted",
            actor=bank.actor(),
            role="credit_officer",
            reasons=[reason("desk_test.open_licence", patent="ZL202010000001.0")],
            text="valuation accepted",
            snapshot=snapshot,
            amount=Money("CNY", 300_000_000),
        )
    assert first.reasons == (reason("desk_test.open_licence", patent="ZL202010000001.0"),)
    assert first.snapshot == {"patent": {"number": "ZL202010000001.0", "status": "valid"}, "as_of": str(desk.today())}
    assert first.amount == Money("CNY", 300_000_000) and first.decided_by == bank.owner.user_id
    async with unit_of_work():
        second = await desk.decide(
            case_id=case.id,
            kind="valuation",
            outcome="replaced",
            actor=bank.actor(),
            role="credit_officer",
            snapshot={"appraisal": "external"},
            amount=Money("CNY", 250_000_000),
            supersedes=first.id,
        )
    assert second.supersedes == first.id
    with pytest.raises(Conflict) as again:
        async with unit_of_work():
            await desk.decide(
                case_id=case.id,
                kind="valuation",
                outcome="x",
                actor=bank.actor(),
                role="",
                snapshot={},
                supersedes=first.id,
            )
    assert again.value.message_code == "desk.already_superseded"
    assert [d.id for d in await desk.decisions(case.id)] == [first.id, second.id]
    assert await count_audit("desk.decision_recorded", first.id) == 1
    # nothing in the code changes a decision, and the database refuses it
    assert not [name for name in dir(repository) if "decision" in name and name.startswith(("update", "delete"))]
    with pytest.raises(DB_ERRORS, match="never changed"):
        async with unit_of_work():
            await DeskDecision.update({DeskDecision.outcome: "rejected"}).where(DeskDecision.id == first.id)
    if backend.name == "postgres":
        with pytest.raises(DB_ERRORS, match="never changed"):
            async with unit_of_work():
                await DeskDecision.delete().where(DeskDecision.id == first.id)
    row = await repository.get_decision(first.id)
    assert row is not None and row.outcome == "accepted"


# -------------------------------------------------------------------------------------------- four eyes


async def in_review(bank: Any, amount: Money = Money("CNY", 100_000_000)) -> Any:
    case = await open_case(bank, amount=amount)
    return await move(case, "submit", "start", actor=bank.actor())


async def propose(bank: Any, case: Any, policy: desk.ApprovalPolicy = desk.DEFAULT_POLICY, **kw: Any) -> Any:
    async with unit_of_work():
        return await desk.propose(
            case_id=case.id,
            outcome=kw.pop("outcome", "approve"),
            actor=bank.actor(),
            role="credit_officer",
            amount=kw.pop("amount", case.amount),
            snapshot={"valuation": 300_000_000},
            policy=policy,
            machine=kw.pop("machine", Review),
            event=kw.pop("event", "propose"),
            **kw,
        )


async def approve(bank: Any, proposal_id: int, user_id: int) -> tuple[Any, bool]:
    async with unit_of_work():
        return await desk.approve(
            proposal_id=proposal_id, actor=bank.actor(user_id), role="checker", machine=Review, event="approve"
        )


async def test_the_maker_cannot_approve_their_own_proposal(backend: Backend) -> None:
    bank = await bank_with_members(1)
    case = await in_review(bank)
    proposal = await propose(bank, case)
    assert proposal.kind == "proposal" and proposal.approvals_required == 1
    with pytest.raises(Forbidden) as refused:
        await approve(bank, proposal.id, bank.owner.user_id)
    assert refused.value.message_code == "desk.four_eyes" and refused.value.status == 403
    assert await repository.approvals_of(proposal.id) == []
    decision, complete = await approve(bank, proposal.id, bank.members[0])
    assert complete and decision.maker == bank.owner.user_id and decision.proposal == proposal.id
    after = await desk.case(case.id)
    assert after is not None and after.state == "approved" and after.closed
    with pytest.raises(Conflict) as done:
        await approve(bank, proposal.id, bank.members[0])
    assert done.value.message_code == "desk.proposal_complete"


async def test_the_database_refuses_an_approval_by_its_maker(backend: Backend) -> None:
    """Past the service: the CHECK (maker <> decided_by) on PostgreSQL, its trigger on SQLite."""
    bank = await bank_with_members(0)
    case = await in_review(bank)
    proposal = await propose(bank, case)
    with pytest.raises(DB_ERRORS, match="four_eyes"):
        async with unit_of_work():
            await repository.insert_decision(
                case_id=case.id,
                kind="approval",
                outcome="approved",
                decided_by=bank.owner.user_id,
                role="checker",
                org=bank.org_id,
                at=proposal.decided_at,
                reasons=[],
                text="",
                snapshot={},
                amount_minor=None,
                currency="",
                proposal=proposal.id,
                maker=bank.owner.user_id,
                supersedes=None,
                approvals_required=0,
            )
    assert await repository.approvals_of(proposal.id) == []


async def test_one_checker_approves_a_proposal_once_in_the_database_too(backend: Backend) -> None:
    bank = await bank_with_members(1)
    case = await in_review(bank, Money("CNY", 900_000_000))
    proposal = await propose(bank, case, desk.ApprovalPolicy(thresholds=((0, 1), (500_000_000, 2))))
    await approve(bank, proposal.id, bank.members[0])
    values: dict[str, Any] = {
        "case_id": case.id, "kind": "approval", "outcome": "approved", "decided_by": bank.members[0], "role": "",
        "org": bank.org_id, "at": proposal.decided_at, "reasons": [], "text": "", "snapshot": {}, "amount_minor": None,
        "currency": "", "proposal": proposal.id, "maker": bank.owner.user_id, "supersedes": None,
        "approvals_required": 0,
    }  # fmt: skip
    with pytest.raises(DB_ERRORS):  # unique (proposal, decided_by): a 409 through the API
        async with unit_of_work():
            await repository.insert_decision(**values)


async def test_above_the_threshold_a_committee_of_two_distinct_approvers_is_needed(backend: Backend) -> None:
    bank = await bank_with_members(2)
    policy = desk.ApprovalPolicy(thresholds=((0, 1), (500_000_000, 2)))
    case = await in_review(bank, Money("CNY", 800_000_000))
    proposal = await propose(bank, case, policy)
    assert proposal.approvals_required == 2
    assert proposal.snapshot["approval_policy"] == {
        "thresholds": [[0, 1], [500_000_000, 2]],
        "refusal_needs_second": False,
    }
    _, complete = await approve(bank, proposal.id, bank.members[0])
    assert not complete
    after = await desk.case(case.id)
    assert after is not None and after.state == "proposed"  # one approval is not enough
    with pytest.raises(Conflict) as twice:
        await approve(bank, proposal.id, bank.members[0])
    assert twice.value.message_code == "desk.already_approved"
    with pytest.raises(Forbidden):
        await approve(bank, proposal.id, bank.owner.user_id)
    _, complete = await approve(bank, proposal.id, bank.members[1])
    assert complete
    status = await desk.proposal_status(proposal.id)
    assert status.complete and {a.decided_by for a in status.approvals} == set(bank.members)
    after = await desk.case(case.id)
    assert after is not None and after.state == "approved"


async def test_below_the_threshold_one_approver_is_enough(backend: Backend) -> None:
    bank = await bank_with_members(1)
    case = await in_review(bank, Money("CNY", 100_000_000))
    proposal = await propose(bank, case, desk.ApprovalPolicy(thresholds=((0, 1), (500_000_000, 2))))
    _, complete = await approve(bank, proposal.id, bank.members[0])
    assert complete


async def test_a_refusal_needs_a_second_approver_only_where_the_policy_says_so(backend: Backend) -> None:
    bank = await bank_with_members(1)
    case = await in_review(bank)
    alone = await propose(bank, case, desk.ApprovalPolicy(), outcome="refuse", event="propose")
    status = await desk.proposal_status(alone.id)
    assert status.required == 0 and status.complete
    other = await in_review(bank)
    second = await propose(bank, other, desk.ApprovalPolicy(refusal_needs_second=True), outcome="refuse")
    status = await desk.proposal_status(second.id)
    assert status.required == 1 and not status.complete
    with pytest.raises(Forbidden):
        await approve(bank, second.id, bank.owner.user_id)
    async with unit_of_work():
        _, complete = await desk.approve(proposal_id=second.id, actor=bank.actor(bank.members[0]), role="checker")
    assert complete


async def test_only_members_of_the_reviewer_organisation_propose_or_approve(backend: Backend) -> None:
    bank = await bank_with_members(0)
    case = await in_review(bank)
    proposal = await propose(bank, case)
    stranger = await make_account("bank")
    with pytest.raises(Forbidden) as refused:
        async with unit_of_work():
            await desk.approve(proposal_id=proposal.id, actor=Actor(stranger.user_id, stranger.org_id), role="checker")
    assert refused.value.message_code == "desk.not_reviewer"
    with pytest.raises(Forbidden):  # claiming to act for the bank is not enough: one must be its member
        async with unit_of_work():
            await desk.approve(proposal_id=proposal.id, actor=Actor(stranger.user_id, bank.org_id), role="checker")


async def test_a_new_proposal_supersedes_the_pending_one(backend: Backend) -> None:
    bank = await bank_with_members(1)
    case = await in_review(bank)
    first = await propose(bank, case, event=None, machine=None)
    second = await propose(bank, case, event=None, machine=None, amount=Money("CNY", 90_000_000))
    assert second.supersedes == first.id
    with pytest.raises(Conflict) as old:
        await approve(bank, first.id, bank.members[0])
    assert old.value.message_code == "desk.proposal_superseded"


async def test_a_products_policy_and_pre_check_reasons_go_on_the_desk_as_they_are(backend: Backend) -> None:
    """The bank product's approval policy and the pre-check's reasons (finance.loan_products) have the desk's shape."""
    bank = await bank_with_members(2)
    case = await in_review(bank, Money("CNY", 800_000_000))
    policy = ProductPolicy(thresholds=((500_000_000, 2),), refusal_needs_second=True)
    ground = rules.ground(10, patent="ZL202010000001.0")
    proposal = await propose(bank, case, policy, reasons=[ground])
    assert proposal.approvals_required == 2
    [stored] = proposal.reasons
    assert (stored.code, stored.source, stored.severity) == (ground.code, ground.source, Severity.acknowledge)
    assert stored.params == {"patent": "ZL202010000001.0"}


async def test_the_desk_repository_returns_typed_frozen_records(backend: Backend) -> None:
    bank = await bank_with_members(1)
    case = await move(await open_case(bank), "submit", "start", "ask")  # clock started and paused: dates set
    assert case.sla_started_on is not None and case.paused_since is not None and case.due_on is not None
    async with unit_of_work():
        made = await desk.decide(
            case_id=case.id,
            kind="more_info",
            outcome="asked",
            actor=bank.actor(),
            role="credit_officer",
            reasons=[reason("desk_test.open_licence", amount=Money("CNY", 5))],
            snapshot={"asked": ["valuation_report"]},
            amount=Money("CNY", 5),
        )
        await desk.set_calendar_day(desk.today(), "holiday", "test", bank.actor())
    [day] = await repository.calendar_days()
    page = await repository.queue(
        reviewer_org=bank.org_id,
        kind=None,
        states=(),
        assignee=None,
        unassigned=False,
        breached=None,
        open_only=True,
        q="",
        limit=10,
        offset=0,
    )
    assert page.items == (case,)
    for record in (case, made, day, page, *made.reasons):
        assert_typed(record)
    assert made.reasons[0].params == {"amount": Money("CNY", 5)}  # typed parameters read back


async def test_proposals_and_approvals_are_never_recorded_past_the_four_eyes_rule(backend: Backend) -> None:
    bank = await bank_with_members(0)
    case = await in_review(bank)
    for kind in ("proposal", "approval"):
        with pytest.raises(ValueError, match="propose/approve"):
            await desk.decide(case_id=case.id, kind=kind, outcome="approve", actor=bank.actor(), role="", snapshot={})
