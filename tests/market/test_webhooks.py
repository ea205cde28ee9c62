"""Webhooks against a real local HTTP receiver: signed deliveries, retries with backoff, failures kept visible and
redeliverable, one delivery per (endpoint, event id), the owners' API and page."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time

import pytest

from market import events, jobs
from market.accounts import service as accounts
from market.accounts.principal import Principal
from market.errors import Forbidden, NotFound, ValidationFailed
from market.notifications.tables import Notification
from market.webhooks import service as webhooks
from market.webhooks.schemas import EndpointIn
from market.webhooks.tables import WebhookDelivery
from tests.conftest import Account, Client, make_account, sign_in
from tests.market import test_jobs
from tests.support.receiver import receiver


async def owner_of(kind: str = "bank") -> tuple[Account, Principal]:
    account = await make_account(kind)
    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    return account, principal


async def endpoint(principal: Principal, url: str, events: list[str] | None = None) -> webhooks.EndpointCreated:
    async with jobs.unit_of_work():
        return await webhooks.create_endpoint(
            principal=principal,
            data=EndpointIn(url=url, events=events or ["desk.case_moved"]),
            allow_loopback_http=True,
        )


async def publish(org_id: int, event_id: str, event_type: str = "desk.case_moved") -> list[int]:
    async with jobs.unit_of_work():
        return await webhooks.publish(org_id, event_type, event_id, {"case_id": 7, "to_state": "in_review"})


def verify_as_the_docs_say(header: str, body: bytes, secret: str, tolerance: int = 300) -> bool:
    """docs/webhooks.md's receiver example, verbatim: the test checks the documented recipe works."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.5)


async def test_a_delivery_is_signed_over_timestamp_and_body(backend, job_queue) -> None:
    account, principal = await owner_of()
    with receiver([200]) as hook:
        created = await endpoint(principal, hook.url)
        assert created.secret.startswith("whsec_") and created.secret_prefix == created.secret[:12]
        made = await publish(account.org_id, "evt-1")
        assert len(made) == 1
        await job_queue.drain()
    assert len(hook.got) == 1
    got = hook.got[0]
    header = got.headers["x-market-signature"]
    assert header.startswith("t=") and ",v1=" in header
    assert verify_as_the_docs_say(header, got.body, created.secret)
    assert webhooks.verify(header, got.body, created.secret)
    assert not webhooks.verify(header, got.body + b" ", created.secret)  # a changed body fails
    assert not webhooks.verify(header, got.body, "whsec_another")  # another secret fails
    assert not webhooks.verify(header, got.body, created.secret, now=time.time() + 3600)  # a replay fails
    body = json.loads(got.body)
    assert body["id"] == "evt-1" and body["type"] == "desk.case_moved" and body["data"]["case_id"] == 7
    assert got.headers["x-market-event-id"] == "evt-1" and got.headers["content-type"] == "application/json"
    row = await WebhookDelivery.select().where(WebhookDelivery.id == made[0]).first()
    assert row["status"] == "delivered" and row["attempts"] == 1 and row["delivered_at"] is not None


async def test_a_failing_endpoint_is_retried_then_succeeds(backend, job_queue) -> None:
    account, principal = await owner_of()
    with receiver([503, "sleep", 200]) as hook:
        await endpoint(principal, hook.url)
        [delivery_id] = await publish(account.org_id, "evt-retry")
        await job_queue.drain()
    assert len(hook.got) == 3
    assert len({r.headers["x-market-event-id"] for r in hook.got}) == 1  # the same event each time
    assert len({r.body for r in hook.got}) == 1  # the same bytes each time
    detail = await webhooks.get_delivery(principal=principal, delivery_id=delivery_id)
    assert detail.status == "delivered" and detail.attempts == 3
    assert [(a.status_code, a.error) for a in detail.attempt_log] == [(503, "HTTP 503"), (None, "timeout"), (200, "")]


async def test_a_permanently_failing_endpoint_ends_failed_visible_and_redeliverable(
    backend, job_queue, monkeypatch
) -> None:
    monkeypatch.setattr(webhooks, "MAX_TRIES", 3)
    account, principal = await owner_of()
    with receiver([500, 500, 500, 200]) as hook:
        await endpoint(principal, hook.url)
        [delivery_id] = await publish(account.org_id, "evt-dead")
        await job_queue.drain()
        assert len(hook.got) == 3
        failed = await webhooks.list_deliveries(principal=principal, status="failed")
        assert [(d.id, d.attempts, d.last_status_code, d.last_error) for d in failed] == [
            (delivery_id, 3, 500, "HTTP 500")
        ]
        async with jobs.unit_of_work():
            again = await webhooks.redeliver(principal=principal, delivery_id=delivery_id)
        assert again.status == "pending"
        await job_queue.drain()
        assert len(hook.got) == 4
    detail = await webhooks.get_delivery(principal=principal, delivery_id=delivery_id)
    assert detail.status == "delivered" and detail.attempts == 4
    told = await Notification.select().where(Notification.kind == "webhook_failed")
    assert [(n["user"], n["code"]) for n in told] == [(account.user_id, "notification.webhook_failed")]


async def test_a_client_error_is_not_retried(backend, job_queue) -> None:
    account, principal = await owner_of()
    with receiver([410]) as hook:
        await endpoint(principal, hook.url)
        [delivery_id] = await publish(account.org_id, "evt-gone")
        await job_queue.drain()
    assert len(hook.got) == 1
    row = await WebhookDelivery.select().where(WebhookDelivery.id == delivery_id).first()
    assert row["status"] == "failed" and row["last_status_code"] == 410


async def test_an_event_published_twice_is_delivered_once(backend, job_queue) -> None:
    account, principal = await owner_of()
    with receiver([200]) as hook:
        await endpoint(principal, hook.url)
        first = await publish(account.org_id, "evt-twice")
        second = await publish(account.org_id, "evt-twice")
        # and twenty at once (PostgreSQL: the unique (endpoint, event id) index decides)
        at_once = await asyncio.gather(*(publish(account.org_id, "evt-many") for _ in range(20)))
        await job_queue.drain()
    assert len(first) == 1 and second == []
    assert sum(len(made) for made in at_once) == 1
    assert sorted(r.headers["x-market-event-id"] for r in hook.got) == ["evt-many", "evt-twice"]
    assert await WebhookDelivery.count() == 2


async def test_only_subscribed_active_endpoints_of_the_organisation_get_an_event(backend, job_queue) -> None:
    account, principal = await owner_of()
    _, other_principal = await owner_of()
    with receiver([200]) as hook:
        desk = await endpoint(principal, hook.url + "/desk", ["desk.case_moved"])
        await endpoint(principal, hook.url + "/reg", ["registrations.*"])
        await endpoint(principal, hook.url + "/all", ["*"])
        await endpoint(other_principal, hook.url + "/other", ["*"])
        await publish(account.org_id, "e1", "desk.case_moved")
        await publish(account.org_id, "e2", "registrations.registered")
        await job_queue.drain()
        async with jobs.unit_of_work():
            await webhooks.disable_endpoint(principal=principal, endpoint_id=desk.id)
        await publish(account.org_id, "e3", "desk.case_moved")
        await job_queue.drain()
    got = sorted((r.path, r.headers["x-market-event-id"]) for r in hook.got)
    assert got == [("/hooks/all", "e1"), ("/hooks/all", "e2"), ("/hooks/all", "e3"), ("/hooks/desk", "e1"),
                   ("/hooks/reg", "e2")]


TEST_EVENT = "tests.case_moved"


@events.on(TEST_EVENT)
async def forward_to_webhooks(*, org_id: int, case_id: int) -> None:
    """A module's bridge as finance modules write it: its handler publishes; the event id comes from the event."""
    await webhooks.publish(org_id, "desk.case_moved", None, {"case_id": case_id})


async def test_a_handler_publishing_without_an_event_id_uses_the_domain_events(backend, job_queue) -> None:
    account, principal = await owner_of()
    with receiver([200]) as hook:
        await endpoint(principal, hook.url)
        async with jobs.unit_of_work():
            event_id = await events.emit(TEST_EVENT, org_id=account.org_id, case_id=3)
        await job_queue.drain()
    assert [r.headers["x-market-event-id"] for r in hook.got] == [f"evt_{event_id}"]
    with pytest.raises(ValueError, match="event_id"):
        await webhooks.publish(account.org_id, "desk.case_moved", None, {})


@pytest.mark.parametrize(
    ("url", "loopback_ok", "code"),
    [
        ("http://bank.example.cn/hook", True, "webhooks.url_https"),
        ("ftp://bank.example.cn/hook", True, "webhooks.url_invalid"),
        ("https://user:pw@bank.example.cn/hook", True, "webhooks.url_credentials"),
        ("http://127.0.0.1:9/hook", False, "webhooks.url_https"),
        ("https://127.0.0.1/hook", False, "webhooks.url_private"),
        ("https://10.1.2.3/hook", False, "webhooks.url_private"),
        ("https://localhost/hook", False, "webhooks.url_private"),
    ],
)
def test_urls_are_https_and_public(url: str, loopback_ok: bool, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        webhooks.check_url(url, allow_loopback_http=loopback_ok)
    assert refused.value.message_code == code and refused.value.errors[0].field == "url"


def test_good_urls_pass() -> None:
    assert webhooks.check_url("https://bank.example.cn/hook", allow_loopback_http=False)
    assert webhooks.check_url("http://localhost:8080/hook", allow_loopback_http=True)


async def test_members_who_are_not_owners_and_other_organisations_are_refused(backend) -> None:
    account, principal = await owner_of()
    created = await endpoint(principal, "https://bank.example.cn/hook")
    [delivery_id] = await publish(account.org_id, "evt-private")
    member = Principal(**{**principal.__dict__, "role": principal.role.__class__("member")})
    with pytest.raises(Forbidden):
        await webhooks.list_endpoints(principal=member)
    _, stranger = await owner_of()
    with pytest.raises(NotFound):
        await webhooks.get_delivery(principal=stranger, delivery_id=delivery_id)
    with pytest.raises(NotFound):
        await webhooks.disable_endpoint(principal=stranger, endpoint_id=created.id)


async def test_the_api_shows_the_secret_once_and_the_page_shows_failures(client: Client, monkeypatch) -> None:
    monkeypatch.setattr(webhooks, "MAX_TRIES", 2)
    account = await make_account("bank")
    await sign_in(client, account)
    with receiver([500]) as hook:
        r = await client.send_json("POST", "/api/webhooks/endpoints", {"url": hook.url, "events": ["*"]})
        assert r.status_code == 201, r.text
        secret = r.json()["secret"]
        listed = (await client.get("/api/webhooks/endpoints")).json()
        assert len(listed) == 1 and "secret" not in listed[0] and secret not in json.dumps(listed)
        r = await client.send_json("POST", f"/api/webhooks/endpoints/{listed[0]['id']}/ping")
        assert r.status_code == 201 and r.json()["event_type"] == "webhooks.ping"
        await client.app.state.job_queue.drain()
    assert webhooks.verify(hook.got[0].headers["x-market-signature"], hook.got[0].body, secret)
    deliveries = (await client.get("/api/webhooks/deliveries", params={"status": "failed"})).json()
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("failed", 2)]
    detail = (await client.get(f"/api/webhooks/deliveries/{deliveries[0]['id']}")).json()
    assert [a["status_code"] for a in detail["attempt_log"]] == [500, 500]
    bad = await client.send_json("POST", "/api/webhooks/endpoints", {"url": "http://bank.example.cn/", "events": ["*"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "url"

    client.cookies.set("lang", "en")
    page = await client.get("/webhooks")
    assert page.status_code == 200 and "Failed" in page.text and "webhooks.ping" in page.text
    client.cookies.set("lang", "zh")
    page = await client.get(f"/webhooks/deliveries/{deliveries[0]['id']}")
    assert page.status_code == 200 and "失败" in page.text and "重新推送" in page.text
    created = await client.post("/webhooks", data={"url": "http://bank.example.cn/x", "events": "*"},
                                headers={"x-csrftoken": await client.csrf()})
    assert created.status_code == 422 and 'id="url-error"' in created.text


arq_settings = test_jobs.arq_settings  # the fixture: Redis (MARKET_TEST_REDIS_URL), a queue of the test's own


@pytest.mark.redis
async def test_the_arq_worker_delivers_and_retries(backend, arq_settings) -> None:
    """``webhooks.deliver`` in the real arq worker (`market worker`): a 503 is retried with arq's deferred Retry."""
    queue = jobs.ArqQueue(arq_settings.redis_url, arq_settings.job_queue_name)
    jobs.configure(queue)
    try:
        account, principal = await owner_of()
        with receiver([503, 200]) as hook:
            await endpoint(principal, hook.url)
            [delivery_id] = await publish(account.org_id, "evt-arq")
            await test_jobs.run_worker_until_idle(arq_settings, backend)
        assert [r.headers["x-market-event-id"] for r in hook.got] == ["evt-arq", "evt-arq"]
        row = await WebhookDelivery.select().where(WebhookDelivery.id == delivery_id).first()
        assert row["status"] == "delivered" and row["attempts"] == 2
    finally:
        await queue.close()
