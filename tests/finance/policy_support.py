"""IP insurance policy test factories (for finance.policies, subsidies and claims tests): a policy bound from an
accepted application, and one in force with its premium received by bank transfer and its schedule issued.

    from tests.finance.policy_support import in_force_policy
    made = await in_force_policy()                   # paid on the policies' clock (today unless ``paid_at``)
    made.policy_id, made.sme.principal, made.insurer.underwriter, made.accepted.application_id
    row = await policies.policy(made.policy_id)      # state "in_force", starts the day after payment
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from finance.policies import service as policies
from market.accounts.principal import Principal
from market.jobs import unit_of_work
from tests.finance.insurance_support import Accepted, Insurer, Sme, accepted_application
from tests.finance.support import drain


@dataclass
class Made:
    policy_id: int
    accepted: Accepted

    @property
    def sme(self) -> Sme:
        return self.accepted.sme

    @property
    def insurer(self) -> Insurer:
        return self.accepted.insurer

    @property
    def insured(self) -> Principal:
        return self.accepted.sme.principal

    @property
    def underwriter(self) -> Principal:
        return self.accepted.insurer.underwriter


@contextmanager
def clock(at: datetime | date) -> Iterator[None]:
    """The policies' clock at ``at`` (a date: 09:00 UTC that day) inside the block."""
    moment = at if isinstance(at, datetime) else datetime(at.year, at.month, at.day, 9, 0, tzinfo=UTC)
    saved = policies.now
    policies.now = lambda: moment  # type: ignore[assignment]
    try:
        yield
    finally:
        policies.now = saved  # type: ignore[assignment]


async def bound_policy(accepted: Accepted | None = None, *, starts_on: date | None = None) -> Made:
    """An accepted application bound by its SME: the policy awaits its premium."""
    accepted = accepted or await accepted_application()
    async with unit_of_work():
        out = await policies.bind(principal=accepted.sme.principal, application_id=accepted.application_id,
                                  starts_on=starts_on)
    await drain()
    return Made(policy_id=out.id, accepted=accepted)


async def pay_by_transfer(made: Made) -> Any:
    """The SME asks to pay by bank transfer and the insurer confirms the transfer arrived."""
    async with unit_of_work():
        out = await policies.pay_premium(principal=made.insured, policy_id=made.policy_id, method="bank_transfer")
    waiting = [p for p in out.payments if p.status == "awaiting_payer" and p.method == "bank_transfer"]
    async with unit_of_work():
        done = await policies.confirm_premium_received(principal=made.underwriter, payment_id=waiting[-1].id)
    await drain()
    return done


async def in_force_policy(
    accepted: Accepted | None = None, *, paid_at: datetime | date | None = None, **apply: Any
) -> Made:
    """A policy in force: bound, premium paid by bank transfer and confirmed by the insurer (on ``paid_at`` of the
    policies' clock, if given: the period starts the next day), schedule issued."""
    if accepted is None:
        accepted = await accepted_application(**apply)
    made = await bound_policy(accepted)
    if paid_at is None:
        await pay_by_transfer(made)
    else:
        with clock(paid_at):
            await pay_by_transfer(made)
    row = await policies.policy(made.policy_id)
    assert row.state == "in_force", row.state
    return made
