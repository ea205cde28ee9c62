"""Domain events: written in the transaction of the change, handled once per handler, retried, visible when stuck."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from market import events, jobs
from market.errors import TemporaryFailure
from market.events import service as event_service
from market.events.tables import DomainEvent, EventDelivery
from market.i18n import Msg
from market.notifications.service import notify
from market.notifications.tables import Notification
from tests.conftest import Client, make_account, sign_in

CALLS: Counter[str] = Counter()
FAIL_TIMES: dict[str, int] = {}
BROKEN: set[str] = set()


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    CALLS.clear()
    FAIL_TIMES.clear()
    BROKEN.clear()


@events.on("tests.happened")
async def note_it(*, user_id: int, key: str) -> None:
    """Writes a notification (real work in the handler's transaction); fails as told."""
    CALLS[key] += 1
    if CALLS[key] <= FAIL_TIMES.get(key, 0):
        raise TemporaryFailure(f"try {CALLS[key]} of {key} failed")
    if key in BROKEN:
        raise ValueError(f"a bug in the handler of {key}")
    await notify(user_id=user_id, kind="test", message=Msg("common.site_name"), dedupe_key=f"{key}:{CALLS[key]}")


async def notes(key: str) -> int:
    return int(await Notification.count().where(Notification.dedupe_key.like(f"{key}:%")))


async def test_an_event_is_written_in_the_transaction_of_the_change_and_handled_after_it(backend, job_queue) -> None:
    account = await make_account()
    async with jobs.unit_of_work():
        event_id = await events.emit("tests.happened", user_id=account.user_id, key="commit")
        assert job_queue._tasks == {}  # dispatched only once the change has committed
    await job_queue.drain()
    assert await notes("commit") == 1
    row = await DomainEvent.select().where(DomainEvent.id == event_id).first()
    assert row is not None and row["status"] == "done" and row["handled_at"] is not None


async def test_the_events_of_one_transaction_are_dispatched_together(backend, job_queue) -> None:
    account = await make_account()
    async with jobs.unit_of_work():
        for n in range(3):
            await events.emit("tests.happened", user_id=account.user_id, key=f"together-{n}")
    assert len(job_queue._tasks) == 1  # one dispatch for the transaction
    await job_queue.drain()
    assert [await notes(f"together-{n}") for n in range(3)] == [1, 1, 1]
    assert await DomainEvent.count().where(DomainEvent.status == "done") == 3


async def test_a_rolled_back_change_leaves_no_event_and_no_dispatch(backend, job_queue) -> None:
    account = await make_account()
    with pytest.raises(RuntimeError, match="boom"):
        async with jobs.unit_of_work():
            await events.emit("tests.happened", user_id=account.user_id, key="rollback")
            raise RuntimeError("boom")
    await job_queue.drain()
    assert job_queue._tasks == {}
    assert await DomainEvent.count() == 0
    assert CALLS["rollback"] == 0


async def test_an_event_dispatched_twice_is_handled_once(backend, job_queue) -> None:
    account = await make_account()
    async with jobs.unit_of_work():
        event_id = await events.emit("tests.happened", user_id=account.user_id, key="twice")
    await job_queue.drain()
    await event_service.dispatch(event_id=event_id)  # a second delivery of the same job
    await DomainEvent.update({DomainEvent.status: "pending"}).where(DomainEvent.id == event_id)
    await asyncio.gather(*(event_service.dispatch(event_id=event_id) for _ in range(3)))  # even if it looks pending
    assert CALLS["twice"] == 1
    assert await notes("twice") == 1
    [delivery] = await EventDelivery.select().where(EventDelivery.event == event_id)
    assert delivery["status"] == "done" and delivery["attempts"] == 1


async def test_two_dispatches_at_once_run_the_handler_once(backend, job_queue) -> None:
    account = await make_account()
    event_id = await events.emit("tests.happened", user_id=account.user_id, key="race")  # outside: sent at once
    await asyncio.gather(*(event_service.dispatch(event_id=event_id) for _ in range(5)))
    await job_queue.drain()
    assert CALLS["race"] == 1 and await notes("race") == 1


async def test_a_temporary_failure_is_retried_with_backoff_until_handled(backend, job_queue) -> None:
    account = await make_account()
    FAIL_TIMES["flaky"] = 2
    async with jobs.unit_of_work():
        event_id = await events.emit("tests.happened", user_id=account.user_id, key="flaky")
    await job_queue.drain()
    assert CALLS["flaky"] == 3
    assert await notes("flaky") == 1  # the failed tries' work was rolled back with them
    [delivery] = await EventDelivery.select().where(EventDelivery.event == event_id)
    assert delivery["status"] == "done" and delivery["attempts"] == 3
    assert (await DomainEvent.select(DomainEvent.status).where(DomainEvent.id == event_id).first()) == {
        "status": "done"
    }


async def test_a_handler_failing_every_try_is_marked_failed(backend, job_queue) -> None:
    account = await make_account()
    FAIL_TIMES["hopeless"] = 100
    async with jobs.unit_of_work():
        event_id = await events.emit("tests.happened", user_id=account.user_id, key="hopeless")
    await job_queue.drain()
    assert CALLS["hopeless"] == event_service.MAX_TRIES
    [delivery] = await EventDelivery.select().where(EventDelivery.event == event_id)
    assert delivery["status"] == "failed" and "try 5 of hopeless failed" in delivery["last_error"]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_failed_or_stuck_event_is_shown_to_a_platform_admin_who_can_retry_it(client: Client) -> None:
    university = await make_account()
    BROKEN.add("broken")
    async with jobs.unit_of_work():
        failed_id = await events.emit("tests.happened", user_id=university.user_id, key="broken")
    await client.app.state.job_queue.drain()
    # An event whose dispatch was lost (written, never sent): pending, and stuck once old enough.
    lost_id = await event_service.repository.add("tests.happened", {"user_id": university.user_id, "key": "lost"})

    await sign_in(client, university)
    assert (await client.get("/api/admin/events")).status_code == 403
    admin = await make_account("platform_admin")
    await sign_in(client, admin)

    listed = (await client.get("/api/admin/events", params={"stuck_after_minutes": 0})).json()
    by_id = {e["id"]: e for e in listed}
    assert set(by_id) == {failed_id, lost_id}
    assert by_id[failed_id]["status"] == "failed"
    [delivery] = by_id[failed_id]["deliveries"]
    assert delivery["status"] == "failed" and "a bug in the handler of broken" in delivery["last_error"]
    assert by_id[lost_id]["status"] == "pending" and by_id[lost_id]["deliveries"] == []
    # Pending for less than the default five minutes is not stuck yet; failed is shown at once.
    assert [e["id"] for e in (await client.get("/api/admin/events")).json()] == [failed_id]

    BROKEN.discard("broken")  # the bug is fixed: the admin retries
    r = await client.send_json("POST", f"/api/admin/events/{failed_id}/retry")
    assert r.status_code == 200, r.text
    await client.app.state.job_queue.drain()
    assert await notes("broken") == 1
    assert (await client.get(f"/api/admin/events/{failed_id}")).json()["status"] == "done"

    assert await event_service.sweep(older_than_seconds=0) == 1  # the lost one is dispatched by the sweep
    await client.app.state.job_queue.drain()
    assert await notes("lost") == 1
    assert (await client.get("/api/admin/events", params={"stuck_after_minutes": 0})).json() == []
    assert (await client.send_json("POST", "/api/admin/events/999999/retry")).status_code == 404
