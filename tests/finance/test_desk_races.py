"""Reviewers acting at once on PostgreSQL (20 in parallel, each in its own transaction, as 20 requests would be): one
succeeds, every other gets a 409 and leaves nothing behind."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from finance.desk import repository
from finance.desk import service as desk
from market.audit.tables import AuditEvent
from market.errors import MarketError
from market.events.tables import DomainEvent
from market.jobs import unit_of_work
from market.kit.money import Money
from tests.conftest import Backend
from tests.finance.desk_support import Review, bank_with_members, move, open_case

N = 20
pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


async def outcome(action: Any) -> int:
    """200 for a success, the error's status otherwise (as the API would answer)."""
    try:
        async with unit_of_work():
            await action()
    except MarketError as exc:
        return exc.status
    return 200


async def test_twenty_approvals_at_once_give_one_success_and_nineteen_409(backend: Backend) -> None:
    bank = await bank_with_members(N)
    case = await move(await open_case(bank), "submit", "start")
    async with unit_of_work():
        proposal = await desk.propose(
            case_id=case.id,
            outcome="approve",
            actor=bank.actor(),
            role="credit_officer",
            amount=case.amount,
            snapshot={},
            machine=Review,
            event="propose",
        )

    def approval(user_id: int) -> Any:
        return lambda: desk.approve(
            proposal_id=proposal.id, actor=bank.actor(user_id), role="checker", machine=Review, event="approve"
        )

    answers = await asyncio.gather(*(outcome(approval(u)) for u in bank.members))
    assert Counter(answers) == Counter({200: 1, 409: N - 1}), answers
    assert len(await repository.approvals_of(proposal.id)) == 1
    after = await desk.case(case.id)
    assert after is not None and after.state == "approved"
    moved = AuditEvent.action == "desk.case_moved"
    assert await AuditEvent.count().where(moved & (AuditEvent.entity_id == str(case.id))) == 4  # once to approved
    assert await DomainEvent.count().where(DomainEvent.name == "desk.case_moved") == 4


async def test_twenty_approvals_by_one_checker_at_once_record_one(backend: Backend) -> None:
    bank = await bank_with_members(1)
    case = await move(await open_case(bank, amount=Money("CNY", 900_000_000)), "submit", "start")
    policy = desk.ApprovalPolicy(thresholds=((0, 1), (500_000_000, 2)))
    async with unit_of_work():
        proposal = await desk.propose(
            case_id=case.id,
            outcome="approve",
            actor=bank.actor(),
            role="",
            amount=case.amount,
            snapshot={},
            policy=policy,
        )
    checker = bank.members[0]
    answers = await asyncio.gather(
        *(outcome(lambda: desk.approve(proposal_id=proposal.id, actor=bank.actor(checker), role="")) for _ in range(N))
    )
    assert Counter(answers) == Counter({200: 1, 409: N - 1}), answers
    status = await desk.proposal_status(proposal.id)
    assert len(status.approvals) == 1 and not status.complete


async def test_twenty_moves_of_one_version_give_one(backend: Backend) -> None:
    bank = await bank_with_members(0)
    case = await move(await open_case(bank), "submit", "start")
    answers = await asyncio.gather(
        *(
            outcome(
                lambda: desk.transition(
                    case_id=case.id, event="ask", expected_version=case.version, actor=bank.actor(), machine=Review
                )
            )
            for _ in range(N)
        )
    )
    assert Counter(answers) == Counter({200: 1, 409: N - 1}), answers
    after = await desk.case(case.id)
    assert after is not None and (after.state, after.version) == ("more_info", case.version + 1)
