"""Settlement batches under concurrency on PostgreSQL (20 at once, each in its own transaction as 20 requests would
be): one batch per programme and cycle end, and a claim in one batch only; one payment of a batch, one payout per
claim."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from finance.voucher_settlements import service as settlements
from finance.voucher_settlements.tables import VoucherBatch, VoucherBatchLine, VoucherPayout
from market.audit.service import Actor
from market.errors import MarketError
from market.jobs import unit_of_work
from market.web.problems import unique_violation
from tests.conftest import Backend
from tests.finance.voucher_settlement_support import claim, issuer, payee, programme

N = 20
pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


async def outcome(action: Any) -> int:
    """200 for a success, the status the API would answer otherwise (a unique key's violation: 409)."""
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


async def test_twenty_batches_of_the_same_claims_at_once_make_one(backend: Backend) -> None:
    owner = await issuer()
    uni = await payee("university")
    claims = [await claim(uni.org_id, 1_000 * (n + 1)) for n in range(5)]
    actor = Actor(owner.maker.user_id, owner.maker.org_id)

    def make(n: int) -> Any:  # different cycle ends: only the claims' uniqueness stands between them
        return lambda: settlements.assemble(programme=programme(owner.maker), up_to=date.today() - timedelta(days=n),
                                            claims=claims, actor=actor)  # fmt: skip

    answers = await asyncio.gather(*(outcome(make(n)) for n in range(N)))
    assert Counter(answers) == Counter({200: 1, 409: N - 1}), answers
    assert await VoucherBatch.count() == 1 and await VoucherBatchLine.count() == 5


async def test_twenty_payments_of_one_batch_at_once_record_one(backend: Backend) -> None:
    owner = await issuer()
    uni = await payee("university")
    actor = Actor(owner.maker.user_id, owner.maker.org_id)
    claims = [await claim(uni.org_id, 7_000), await claim(uni.org_id, 8_000)]
    async with unit_of_work():
        made = await settlements.assemble(programme=programme(owner.maker), up_to=date.today(), claims=claims,
                                          actor=actor)  # fmt: skip
    async with unit_of_work():
        await settlements.propose(principal=owner.maker, batch_id=made.id, expected_version=0)
    shown = await settlements.get_batch(principal=owner.maker, batch_id=made.id)
    async with unit_of_work():
        await settlements.approve(principal=owner.checker, batch_id=made.id, proposal_id=shown.pending_proposal_id or 0,
                                  expected_version=shown.version)  # fmt: skip

    def pay(n: int) -> Any:
        return lambda: settlements.record_paid(principal=owner.maker, batch_id=made.id, paid_on=date.today(),
                                               reference=f"R{n}", expected_version=shown.version + 1)  # fmt: skip

    answers = await asyncio.gather(*(outcome(pay(n)) for n in range(N)))
    assert Counter(answers) == Counter({200: 1, 409: N - 1}), answers
    assert await VoucherPayout.count() == 2
    paid = await settlements.get_batch(principal=owner.maker, batch_id=made.id)
    assert paid.state == "paid" and paid.paid.minor == 15_000
