"""The voucher ledger and the budget under concurrency on PostgreSQL (each call in its own transaction, as parallel
requests would be): holds never take more than the balance and the entries always sum to it; approvals never commit
more than the programme's budget."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from finance.voucher_entitlements import applications, eligibility
from finance.voucher_entitlements import service as entitlements
from finance.voucher_entitlements.schemas import ApplicationOut, ApproveIn, MoveIn
from finance.voucher_programmes import service as programmes
from market.errors import MarketError
from market.jobs import unit_of_work
from tests.conftest import Backend
from tests.finance.voucher_entitlement_support import applied, assert_ledger_balanced, entitled, issuing, sme

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


async def outcome(action: Callable[[], Awaitable[Any]]) -> int | str:
    """200 for a success, the error's code otherwise (as the API would answer)."""
    try:
        async with unit_of_work():
            await action()
    except MarketError as exc:
        return exc.message_code or exc.status
    return 200


async def test_200_parallel_holds_never_take_more_than_the_balance(backend: Backend) -> None:
    e = await entitled(1_000_000)  # 10,000 yuan; 200 holds of 70 yuan each ask 14,000
    now = datetime.now(UTC)

    def holding(n: int) -> Callable[[], Awaitable[Any]]:
        return lambda: entitlements.hold(entitlement_id=e.id, amount_minor=7_000, ref=f"race:{n}", on=now,
                                         actor=e.sme_actor)  # fmt: skip

    answers = await asyncio.gather(*(outcome(holding(n)) for n in range(200)))
    counted = Counter(answers)
    assert counted == Counter({200: 142, "voucher.insufficient_balance": 58}), counted
    balance = await entitlements.balance(e.id)
    assert balance.held_minor == 142 * 7_000 and balance.available_minor == 1_000_000 - 142 * 7_000
    await assert_ledger_balanced(e.id)


async def test_parallel_captures_releases_and_a_revocation_keep_the_ledger_balanced(backend: Backend) -> None:
    e = await entitled(1_000_000)
    now = datetime.now(UTC)
    made = []
    for n in range(30):
        async with unit_of_work():
            made.append(await entitlements.hold(entitlement_id=e.id, amount_minor=20_000, ref=f"mix:{n}", on=now,
                                                actor=e.sme_actor))  # fmt: skip

    def settle(n: int) -> Callable[[], Awaitable[Any]]:
        if n % 3 == 0:
            return lambda: entitlements.release(hold_id=made[n].id, actor=e.sme_actor)
        return lambda: entitlements.capture(hold_id=made[n].id, amount_minor=15_000, actor=e.issuer_actor)

    twice = [settle(n) for n in range(30)] * 2  # each settled twice at once: the second is a no-op
    revoking = [lambda: entitlements.revoke(entitlement_id=e.id, reason_code="voucher.revoke.collusion",
                                            actor=e.issuer_actor)]  # fmt: skip
    await asyncio.gather(*(outcome(a) for a in [*twice, *revoking]))
    balance = await entitlements.balance(e.id)
    assert balance.available_minor == 0 and balance.held_minor == 0
    assert balance.captured_minor % 15_000 == 0
    await assert_ledger_balanced(e.id)


async def test_20_parallel_approvals_never_exceed_the_budget(backend: Backend) -> None:
    owner = await issuing(budget_minor=5_000_000, review_tiers=["issuer"])  # room for 10 of the 20
    ready = []
    for n in range(20):
        made = await applied(await sme(f"并发测试科技有限公司{n}"), owner, 500_000)
        async with unit_of_work():
            ready.append(await applications.start_review(principal=owner.maker, application_id=made.id,
                                                         data=MoveIn(expected_version=made.version)))  # fmt: skip

    def approving(found: ApplicationOut) -> Callable[[], Awaitable[Any]]:
        return lambda: applications.approve(principal=owner.maker, application_id=found.id,
                                            data=ApproveIn(expected_version=found.version))  # fmt: skip

    answers = await asyncio.gather(*(outcome(approving(found)) for found in ready))
    assert Counter(answers) == Counter({200: 10, "voucher.budget_exhausted": 10}), Counter(answers)
    assert await eligibility.committed(owner.programme_id) == 5_000_000
    issued = await entitlements.entitlements_of_issuer(owner.maker.org_id)
    assert len(issued) == 10 and sum(e.granted_minor for e in issued) == 5_000_000
    states = Counter([(await applications.get_application(principal=owner.maker, application_id=f.id)).state
                      for f in ready])  # fmt: skip
    assert states == Counter({"approved": 10, "in_review": 10})  # the refused ones wrote nothing
    assert (await programmes.programme(owner.programme_id)).status == "closed"
