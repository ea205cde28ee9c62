"""Desk test factories: a review machine, a bank with several members, a case on the desk."""

from __future__ import annotations

from dataclasses import dataclass

from finance.desk import service as desk
from finance.desk.machines import State, StateMachine
from finance.desk.records import CaseRecord
from market.audit.service import Actor
from market.jobs import unit_of_work
from market.kit.money import Money
from market.orgs import service as org_service
from tests.conftest import Account, make_account


class Review(StateMachine):
    """A review as a module on the desk declares one: more_info waits on the applicant."""

    draft = State(initial=True)
    submitted = State()
    in_review = State()
    more_info = State()
    proposed = State()
    approved = State(final=True)
    refused = State(final=True)
    withdrawn = State(final=True)

    submit = draft.to(submitted)
    start = submitted.to(in_review)
    ask = in_review.to(more_info)
    answer = more_info.to(in_review)
    propose = in_review.to(proposed)
    approve = proposed.to(approved)
    refuse = proposed.to(refused) | in_review.to(refused)
    withdraw = draft.to(withdrawn) | submitted.to(withdrawn) | in_review.to(withdrawn) | more_info.to(withdrawn)

    waiting = frozenset({"more_info"})


@dataclass
class Bank:
    owner: Account
    members: list[int]  # user ids of further members

    @property
    def org_id(self) -> int:
        return self.owner.org_id

    def actor(self, user_id: int | None = None) -> Actor:
        return Actor(user_id if user_id is not None else self.owner.user_id, self.owner.org_id)


async def bank_with_members(n: int = 2, *, kind: str = "bank") -> Bank:
    owner = await make_account(kind)
    members = []
    for _ in range(n):
        other = await make_account(kind)
        async with unit_of_work():
            await org_service.add_membership(user_id=other.user_id, org_id=owner.org_id, role="member")
        members.append(other.user_id)
    return Bank(owner=owner, members=members)


_subjects = iter(range(1, 1_000_000))


async def open_case(
    bank: Bank,
    *,
    amount: Money | None = None,
    sla_working_days: int = 5,
    kind: str = "pledge_loan",
    applicant: Account | None = None,
) -> CaseRecord:
    sme = applicant or await make_account("sme")
    async with unit_of_work():
        return await desk.open_case(
            kind=kind,
            subject=next(_subjects),
            reviewer_org=bank.org_id,
            applicant_org=sme.org_id,
            amount=amount or Money("CNY", 100_000_000),
            machine=Review,
            reference_prefix="PL",
            sla_working_days=sla_working_days,
            actor=Actor(sme.user_id, sme.org_id),
        )


async def move(case: CaseRecord, *events: str, actor: Actor | None = None) -> CaseRecord:
    for event in events:
        async with unit_of_work():
            case = await desk.transition(
                case_id=case.id,
                event=event,
                expected_version=case.version,
                actor=actor or Actor.system(),
                machine=Review,
            )
    return case
