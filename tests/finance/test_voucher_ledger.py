"""The voucher ledger on both databases: grant, hold, release, capture, expire, revoke; the balance read from the
entries; expiry and revocation refused at the moment of use; refusals write nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from finance.voucher_entitlements import jobs as entitlement_jobs
from finance.voucher_entitlements import service as entitlements
from market.audit.service import Actor
from market.errors import Conflict, MarketError, NotFound, ValidationFailed
from market.events.tables import DomainEvent
from market.jobs import unit_of_work
from tests.conftest import Backend
from tests.finance.voucher_entitlement_support import assert_ledger_balanced, entitled, sme


def at() -> datetime:
    return datetime.now(UTC)


async def test_issue_grants_the_amount_and_the_balance_is_the_entries(backend: Backend) -> None:
    e = await entitled(10_000_000)
    balance = await entitlements.balance(e.id)
    assert (balance.granted_minor, balance.available_minor, balance.held_minor) == (10_000_000, 10_000_000, 0)
    assert [x.kind for x in await entitlements.ledger(e.id)] == ["grant"]
    names = [r["name"] for r in await DomainEvent.select(DomainEvent.name)]
    assert names.count(entitlements.ENTITLEMENT_ISSUED) == 1
    await assert_ledger_balanced(e.id)


async def test_hold_then_partial_capture_releases_the_rest(backend: Backend) -> None:
    e = await entitled(10_000_000)
    async with unit_of_work():
        held = await entitlements.hold(entitlement_id=e.id, amount_minor=3_000_000, ref="licence:1", on=at(),
                                       actor=e.sme_actor)  # fmt: skip
    assert held.status == "held" and held.amount_minor == 3_000_000
    assert (await entitlements.balance(e.id)).available_minor == 7_000_000
    async with unit_of_work():
        await entitlements.capture(hold_id=held.id, amount_minor=2_000_000, actor=e.issuer_actor)
    balance = await entitlements.balance(e.id)
    assert (balance.available_minor, balance.held_minor, balance.captured_minor) == (8_000_000, 0, 2_000_000)
    assert [x.kind for x in await entitlements.ledger(e.id)] == ["grant", "hold", "capture", "release"]
    async with unit_of_work():  # the same capture again: nothing more
        await entitlements.capture(hold_id=held.id, amount_minor=2_000_000, actor=e.issuer_actor)
    with pytest.raises(Conflict):
        async with unit_of_work():
            await entitlements.release(hold_id=held.id, actor=e.sme_actor)
    assert len(await entitlements.ledger(e.id)) == 4
    await assert_ledger_balanced(e.id)


async def test_payouts_never_exceed_what_was_captured(backend: Backend) -> None:
    e = await entitled(5_000_000)
    async with unit_of_work():
        held = await entitlements.hold(entitlement_id=e.id, amount_minor=2_000_000, ref="licence:3", on=at(),
                                       actor=e.sme_actor)  # fmt: skip
    with pytest.raises(Conflict):  # not captured yet
        async with unit_of_work():
            await entitlements.payout(hold_id=held.id, amount_minor=1, ref="batch:1:1", actor=e.issuer_actor)
    async with unit_of_work():
        await entitlements.capture(hold_id=held.id, amount_minor=1_500_000, actor=e.issuer_actor)
        await entitlements.payout(hold_id=held.id, amount_minor=1_000_000, ref="batch:1:1", actor=e.issuer_actor)
    with pytest.raises(Conflict) as refused:
        async with unit_of_work():
            await entitlements.payout(hold_id=held.id, amount_minor=500_001, ref="batch:2:1", actor=e.issuer_actor)
    assert refused.value.message_code == "voucher.payout_above_captured"
    balance = await entitlements.balance(e.id)
    assert (balance.available_minor, balance.captured_minor, balance.paid_out_minor) == (3_500_000, 1_500_000,
                                                                                        1_000_000)  # fmt: skip
    await assert_ledger_balanced(e.id)


async def test_release_gives_it_all_back_once(backend: Backend) -> None:
    e = await entitled(5_000_000)
    async with unit_of_work():
        held = await entitlements.hold(entitlement_id=e.id, amount_minor=5_000_000, ref="order:9", on=at(),
                                       actor=e.sme_actor)  # fmt: skip
    for _ in range(2):
        async with unit_of_work():
            await entitlements.release(hold_id=held.id, actor=e.sme_actor)
    assert (await entitlements.balance(e.id)).available_minor == 5_000_000
    assert [x.kind for x in await entitlements.ledger(e.id)] == ["grant", "hold", "release"]
    with pytest.raises(Conflict) as refused:
        async with unit_of_work():
            await entitlements.capture(hold_id=held.id, actor=e.issuer_actor)
    assert refused.value.message_code == "voucher.hold_released"
    await assert_ledger_balanced(e.id)


async def test_the_same_ref_returns_the_same_hold(backend: Backend) -> None:
    e = await entitled(5_000_000)
    async with unit_of_work():
        first = await entitlements.hold(entitlement_id=e.id, amount_minor=1_000_000, ref="licence:7", on=at(),
                                        actor=e.sme_actor)  # fmt: skip
    async with unit_of_work():
        again = await entitlements.hold(entitlement_id=e.id, amount_minor=1_000_000, ref="licence:7", on=at(),
                                        actor=e.sme_actor)  # fmt: skip
    assert again.id == first.id
    assert (await entitlements.balance(e.id)).held_minor == 1_000_000
    with pytest.raises(Conflict) as taken:
        async with unit_of_work():
            await entitlements.hold(entitlement_id=e.id, amount_minor=2_000_000, ref="licence:7", on=at(),
                                    actor=e.sme_actor)  # fmt: skip
    assert taken.value.message_code == "voucher.hold_ref_taken"
    await assert_ledger_balanced(e.id)


@pytest.mark.parametrize(
    ("amount", "error", "code"),
    [
        (5_000_001, Conflict, "voucher.insufficient_balance"),
        (0, ValidationFailed, "voucher.amount_not_positive"),
        (-100, ValidationFailed, "voucher.amount_not_positive"),
    ],
)
async def test_refused_holds_write_nothing(backend: Backend, amount: int, error: type[MarketError], code: str) -> None:
    e = await entitled(5_000_000)
    with pytest.raises(error) as refused:
        async with unit_of_work():
            await entitlements.hold(entitlement_id=e.id, amount_minor=amount, ref="x:1", on=at(), actor=e.sme_actor)
    assert refused.value.message_code == code
    assert [x.kind for x in await entitlements.ledger(e.id)] == ["grant"]
    assert await entitlements.hold_of_ref("x:1") is None
    await assert_ledger_balanced(e.id)


async def test_another_firms_entitlement_is_not_found(backend: Backend) -> None:
    e = await entitled(5_000_000)
    other = await sme("温州另一家科技有限公司")
    with pytest.raises(NotFound):
        async with unit_of_work():
            await entitlements.hold(entitlement_id=e.id, amount_minor=100, ref="x:2", on=at(),
                                    actor=Actor(other.user_id, other.org_id))  # fmt: skip
    with pytest.raises(NotFound):  # naming the holder as the firm spent for does not help another firm's actor
        async with unit_of_work():
            await entitlements.hold(entitlement_id=e.id, amount_minor=100, ref="x:2", on=at(),
                                    actor=Actor(other.user_id, other.org_id), for_org=other.org_id)  # fmt: skip
    async with unit_of_work():  # a provider confirming the SME's order names the SME
        await entitlements.hold(entitlement_id=e.id, amount_minor=100, ref="x:3", on=at(),
                                actor=Actor(other.user_id, other.org_id), for_org=e.sme.org_id)  # fmt: skip
    await assert_ledger_balanced(e.id)


async def test_expired_is_refused_at_the_moment_of_use_before_the_nightly_job(backend: Backend) -> None:
    issued = date.today() - timedelta(days=400)
    e = await entitled(5_000_000, issued_on=issued, validity_months=12)
    assert e.entitlement.expires_at < at()
    with pytest.raises(Conflict) as refused:
        async with unit_of_work():
            await entitlements.hold(entitlement_id=e.id, amount_minor=100, ref="late:1", on=at(), actor=e.sme_actor)
    assert refused.value.message_code == "voucher.entitlement_expired"
    assert await entitlements.usable(e.sme.org_id, on=at()) == []
    assert len(await entitlements.ledger(e.id)) == 1  # the job has not run: the refusal did not need it


async def test_a_hold_placed_in_time_survives_expiry_and_the_job_writes_off_the_rest(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = await entitled(5_000_000)
    before = e.entitlement.expires_at - timedelta(minutes=1)
    async with unit_of_work():
        kept = await entitlements.hold(entitlement_id=e.id, amount_minor=1_000_000, ref="in-time:1", on=before,
                                       actor=e.sme_actor)  # fmt: skip
        dropped = await entitlements.hold(entitlement_id=e.id, amount_minor=500_000, ref="in-time:2", on=before,
                                          actor=e.sme_actor)  # fmt: skip
    with pytest.raises(Conflict):
        async with unit_of_work():
            await entitlements.hold(entitlement_id=e.id, amount_minor=100, ref="late:2", on=e.entitlement.expires_at,
                                    actor=e.sme_actor)  # fmt: skip
    later = (e.entitlement.expires_at + timedelta(hours=1)).isoformat()
    async with unit_of_work():
        assert await entitlement_jobs.expire_entitlements(at=later) == 1
    async with unit_of_work():  # twice: nothing more
        assert await entitlement_jobs.expire_entitlements(at=later) == 0
    balance = await entitlements.balance(e.id)
    assert (balance.available_minor, balance.held_minor, balance.expired_minor) == (0, 1_500_000, 3_500_000)
    async with unit_of_work():
        await entitlements.capture(hold_id=kept.id, actor=e.issuer_actor)
    await assert_ledger_balanced(e.id)
    day_after = e.entitlement.expires_at + timedelta(days=1)
    monkeypatch.setattr(entitlements, "now", lambda: day_after)
    async with unit_of_work():  # released after expiry: written off at once
        await entitlements.release(hold_id=dropped.id, actor=e.sme_actor)
    balance = await entitlements.balance(e.id)
    assert (balance.available_minor, balance.captured_minor, balance.expired_minor) == (0, 1_000_000, 4_000_000)
    assert [x.kind for x in await entitlements.ledger(e.id)][-2:] == ["release", "expire"]
    await assert_ledger_balanced(e.id)


async def test_revoke_writes_off_what_is_held_and_available_never_what_was_captured(backend: Backend) -> None:
    e = await entitled(10_000_000)
    async with unit_of_work():
        spent = await entitlements.hold(entitlement_id=e.id, amount_minor=2_000_000, ref="a:1", on=at(),
                                        actor=e.sme_actor)  # fmt: skip
        open_ = await entitlements.hold(entitlement_id=e.id, amount_minor=3_000_000, ref="a:2", on=at(),
                                        actor=e.sme_actor)  # fmt: skip
        await entitlements.capture(hold_id=spent.id, actor=e.issuer_actor)
    async with unit_of_work():
        revoked = await entitlements.revoke(entitlement_id=e.id, reason_code="voucher.revoke.collusion",
                                            actor=e.issuer_actor)  # fmt: skip
    assert revoked.revoked
    balance = await entitlements.balance(e.id)
    assert (balance.available_minor, balance.held_minor, balance.captured_minor, balance.revoked_minor) == (
        0, 0, 2_000_000, 8_000_000)  # fmt: skip
    with pytest.raises(Conflict) as refused:
        async with unit_of_work():
            await entitlements.capture(hold_id=open_.id, actor=e.issuer_actor)
    assert refused.value.message_code == "voucher.entitlement_revoked"
    with pytest.raises(Conflict) as refused:
        async with unit_of_work():
            await entitlements.hold(entitlement_id=e.id, amount_minor=1, ref="a:3", on=at(), actor=e.sme_actor)
    assert refused.value.message_code == "voucher.entitlement_revoked"
    with pytest.raises(Conflict):
        async with unit_of_work():
            await entitlements.revoke(entitlement_id=e.id, reason_code="voucher.revoke.collusion",
                                      actor=e.issuer_actor)  # fmt: skip
    await assert_ledger_balanced(e.id)


async def test_only_the_issuer_revokes(backend: Backend) -> None:
    e = await entitled(1_000_000)
    with pytest.raises(MarketError) as refused:
        async with unit_of_work():
            await entitlements.revoke(entitlement_id=e.id, reason_code="voucher.revoke.collusion",
                                      actor=e.sme_actor)  # fmt: skip
    assert refused.value.status == 403
    assert not (await entitlements.entitlement(e.id)).revoked


def test_expiry_is_midnight_in_china_validity_months_later() -> None:
    expires = entitlements.expiry_of(date(2027, 1, 31), 1)
    assert expires == datetime(2027, 2, 27, 16, 0, tzinfo=UTC)  # 28 Feb 00:00 in China
    assert entitlements.add_months(date(2026, 12, 3), 12) == date(2027, 12, 3)
