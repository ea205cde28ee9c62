"""Webhooks: an organisation's endpoints, the events published to them, and their delivery (at least once).

- ``publish(org_id, event_type, event_id, payload)`` (other modules' ``@on`` handlers call it, inside their unit of
  work) makes one delivery per active endpoint of the organisation subscribed to ``event_type``, unique by
  (endpoint, event id): publishing one event twice (a handler run again) delivers it once. ``event_id`` may be left
  out inside an event handler: it is then derived from the domain event handled, the same on every run.
- ``webhooks.deliver`` POSTs the stored body, signed (``X-Market-Signature: t=<unix>,v1=<hex>``, HMAC-SHA256 of
  ``<t>.<body>`` with the endpoint's secret), records the attempt, and on a timeout, a connection error, 408, 429
  or 5xx tries again with the job queue's exponential backoff, up to ``MAX_TRIES``; any other answer, or the last
  try, ends the delivery ``failed`` (visible, redeliverable by an owner). A receiver may get an event twice (a lost
  answer): the event id lets it drop the second.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import structlog
from pydantic import JsonValue

from market import jobs
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, TemporaryFailure, ValidationFailed
from market.events import service as events
from market.i18n import Msg
from market.notifications.service import notify
from market.orgs import service as orgs
from market.webhooks import repository
from market.webhooks.records import AttemptRecord, DeliveryRecord, EndpointRecord
from market.webhooks.schemas import (
    EVENT_PATTERN,
    AttemptOut,
    DeliveryDetailOut,
    DeliveryOut,
    EndpointCreated,
    EndpointIn,
    EndpointOut,
)

log = structlog.get_logger("market.webhooks")

DELIVER_JOB = "webhooks.deliver"
SWEEP_JOB = "webhooks.sweep"
MAX_TRIES = 10  # with the queue's backoff (2 s doubling, capped at 5 min): about 13 minutes of trying
TIMEOUT_SECONDS = 10.0
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of generated secrets, not a secret
SIGNATURE_HEADER = "X-Market-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
USER_AGENT = "open-licence-market-webhooks/1"
PING = "webhooks.ping"
TEMPORARY_STATUSES = frozenset({408, 425, 429})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})

# The event types an endpoint may subscribe to, offered on the page (the API takes any well-formed type too).
EVENT_TYPES: tuple[str, ...] = (  # words: data (event type names)
    "desk.case_moved",
    "desk.sla_breached",
    "pledges.*",
    "registrations.*",
    "servicing.*",
    "insurance.*",
    "subsidy.*",
    "voucher.*",
    "*",
)


# -------------------------------------------------------------------------------------------- signatures


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Market-Signature`` value of ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(header: str, body: bytes, secret: str, *, tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
           now: float | None = None) -> bool:
    """What a receiver does (docs/webhooks.md): the header's ``v1`` is the HMAC of ``<t>.<body>`` and ``t`` is
    recent (a replayed old request is refused)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# ------------------------------------------------------------------------------------------------ checks


def _require_owner(principal: Principal) -> None:
    if not principal.is_owner:
        raise Forbidden(Msg("webhooks.owner_only"))


def check_url(url: str, *, allow_loopback_http: bool) -> str:
    """An https URL with a host, no credentials; plain http only to this machine (localhost) and only where
    ``allow_loopback_http`` (tests and development). In production, no loopback, private or link-local address."""
    parts = urlsplit(url.strip())
    problem: str | None = None
    host = (parts.hostname or "").lower()
    try:
        address = ipaddress.ip_address(host) if host else None
    except ValueError:
        address = None
    loopback = host in LOOPBACK_NAMES or (address is not None and address.is_loopback)
    if parts.scheme not in ("https", "http") or not host:
        problem = "webhooks.url_invalid"
    elif parts.username or parts.password:
        problem = "webhooks.url_credentials"
    elif parts.scheme == "http" and not (loopback and allow_loopback_http):
        problem = "webhooks.url_https"
    elif not allow_loopback_http and (
        loopback or (address is not None and (address.is_private or address.is_link_local or address.is_reserved))
    ):
        problem = "webhooks.url_private"
    if problem:
        raise ValidationFailed(Msg(problem), errors=[FieldError("url", Msg(problem))])
    return url.strip()


def _subscribes(endpoint: EndpointRecord, event_type: str) -> bool:
    module = event_type.split(".", 1)[0]
    return any(e in ("*", event_type, f"{module}.*") for e in endpoint.events)


# ---------------------------------------------------------------------------------------------- endpoints


def _endpoint_out(e: EndpointRecord) -> EndpointOut:
    return EndpointOut(
        id=e.id, url=e.url, description=e.description, events=list(e.events), secret_prefix=e.secret_prefix,
        active=e.active, created_at=e.created_at, disabled_at=e.disabled_at,
    )


async def create_endpoint(*, principal: Principal, data: EndpointIn, allow_loopback_http: bool) -> EndpointCreated:
    """Register an endpoint of the caller's organisation; the secret is in the answer and nowhere else."""
    _require_owner(principal)
    url = check_url(data.url, allow_loopback_http=allow_loopback_http)
    events_wanted = sorted(set(data.events))
    bad = [e for e in events_wanted if not _well_formed(e)]
    if bad:
        message = Msg("webhooks.event_type_invalid", {"event": bad[0]})
        raise ValidationFailed(message, errors=[FieldError("events", message)])
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint_id = await repository.insert_endpoint(
        org_id=principal.org_id, url=url, description=data.description, events=events_wanted, secret=secret,
        secret_prefix=secret[: len(SECRET_PREFIX) + 6], created_by=principal.user_id,
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id), action="webhooks.endpoint_created",
        entity_type="webhook_endpoint", entity_id=endpoint_id, after={"url": url, "events": events_wanted},
    )
    created = await repository.endpoint(endpoint_id)
    assert created is not None
    return EndpointCreated(**_endpoint_out(created).model_dump(), secret=secret)


def _well_formed(event_type: str) -> bool:
    return re.fullmatch(EVENT_PATTERN, event_type) is not None


async def list_endpoints(*, principal: Principal) -> list[EndpointOut]:
    _require_owner(principal)
    return [_endpoint_out(e) for e in await repository.endpoints_of(principal.org_id)]


async def _own_endpoint(principal: Principal, endpoint_id: int) -> EndpointRecord:
    _require_owner(principal)
    endpoint = await repository.endpoint(endpoint_id)
    if endpoint is None or endpoint.org != principal.org_id:
        raise NotFound(Msg("webhooks.endpoint_not_found"))
    return endpoint


async def endpoint_of(*, principal: Principal, endpoint_id: int) -> EndpointOut:
    return _endpoint_out(await _own_endpoint(principal, endpoint_id))


async def disable_endpoint(*, principal: Principal, endpoint_id: int) -> EndpointOut:
    """No more deliveries to it (those pending end failed); it stays listed with its history."""
    endpoint = await _own_endpoint(principal, endpoint_id)
    if endpoint.active:
        await repository.disable_endpoint(endpoint_id)
        await record(
            actor=Actor(principal.user_id, principal.org_id), action="webhooks.endpoint_disabled",
            entity_type="webhook_endpoint", entity_id=endpoint_id, before={"active": True}, after={"active": False},
        )
    return _endpoint_out(await _own_endpoint(principal, endpoint_id))


# ------------------------------------------------------------------------------------------------ publish


def _body(*, org_id: int, event_type: str, event_id: str, payload: Mapping[str, Any]) -> str:
    return json.dumps(
        {
            "id": event_id,
            "type": event_type,
            "org_id": org_id,
            "created_at": datetime.now(UTC).isoformat(),
            "data": payload,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


async def _queue(delivery_id: int, *, again: bool = False) -> None:
    job_id = f"{DELIVER_JOB}:{delivery_id}" + (f":again:{time.time_ns()}" if again else "")
    await jobs.enqueue(DELIVER_JOB, job_id=job_id, delivery_id=delivery_id)


async def publish(
    org_id: int, event_type: str, event_id: str | None, payload: Mapping[str, JsonValue]
) -> list[int]:
    """Deliver ``event_type`` with ``payload`` (ids and plain values) to each of the organisation's active endpoints
    subscribed to it, once per (endpoint, ``event_id``); returns the ids of the deliveries made now. Call it in the
    caller's unit of work: the deliveries are sent after its commit. ``event_id`` None, inside an event handler:
    ``evt_<domain event id>``."""
    if event_id is None:
        handled = events.handling()
        if handled is None:
            raise ValueError("publish() outside an event handler needs an event_id")
        event_id = f"evt_{handled}"
    made = []
    for endpoint in await repository.active_endpoints_of(org_id):
        if not _subscribes(endpoint, event_type):
            continue
        made_id = await _add(endpoint, event_type=event_type, event_id=event_id, payload=payload)
        if made_id is not None:
            made.append(made_id)
    return made


async def _add(endpoint: EndpointRecord, *, event_type: str, event_id: str, payload: Mapping[str, Any]) -> int | None:
    body = _body(org_id=endpoint.org, event_type=event_type, event_id=event_id, payload=payload)
    delivery_id = await repository.insert_delivery(
        endpoint_id=endpoint.id, org_id=endpoint.org, event_id=event_id, event_type=event_type, body=body
    )
    if delivery_id is not None:
        await _queue(delivery_id)
    return delivery_id


async def ping(*, principal: Principal, endpoint_id: int) -> DeliveryOut:
    """A test event (``webhooks.ping``) to one endpoint, whatever it subscribes to."""
    endpoint = await _own_endpoint(principal, endpoint_id)
    if not endpoint.active:
        raise Conflict(Msg("webhooks.endpoint_disabled"))
    event_id = f"ping_{secrets.token_hex(8)}"
    delivery_id = await _add(endpoint, event_type=PING, event_id=event_id, payload={"endpoint_id": endpoint.id})
    assert delivery_id is not None
    delivery = await repository.delivery(delivery_id)
    assert delivery is not None
    return _delivery_out(delivery)


# --------------------------------------------------------------------------------------------- deliveries


def _delivery_out(d: DeliveryRecord) -> DeliveryOut:
    return DeliveryOut(
        id=d.id, endpoint_id=d.endpoint, event_id=d.event_id, event_type=d.event_type, status=d.status,
        attempts=d.attempts, last_status_code=d.last_status_code, last_error=d.last_error, created_at=d.created_at,
        updated_at=d.updated_at, delivered_at=d.delivered_at,
    )


def _attempt_out(a: AttemptRecord) -> AttemptOut:
    return AttemptOut(number=a.number, at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms)


async def list_deliveries(
    *, principal: Principal, status: str | None = None, endpoint_id: int | None = None, limit: int = 50,
    offset: int = 0,
) -> list[DeliveryOut]:
    _require_owner(principal)
    rows = await repository.deliveries_of(
        principal.org_id, status=status, endpoint_id=endpoint_id, limit=limit, offset=offset
    )
    return [_delivery_out(d) for d in rows]


async def _own_delivery(principal: Principal, delivery_id: int) -> DeliveryRecord:
    _require_owner(principal)
    delivery = await repository.delivery(delivery_id)
    if delivery is None or delivery.org != principal.org_id:
        raise NotFound(Msg("webhooks.delivery_not_found"))
    return delivery


async def get_delivery(*, principal: Principal, delivery_id: int) -> DeliveryDetailOut:
    delivery = await _own_delivery(principal, delivery_id)
    return DeliveryDetailOut(
        **_delivery_out(delivery).model_dump(),
        payload=json.loads(delivery.body),
        attempt_log=[_attempt_out(a) for a in await repository.attempts_of(delivery_id)],
    )


async def redeliver(*, principal: Principal, delivery_id: int) -> DeliveryOut:
    """Send a delivery again from a first try (after the commit): a failed one, or a delivered one the receiver
    lost. The same event id and body: the receiver de-duplicates as it would any repeat."""
    delivery = await _own_delivery(principal, delivery_id)
    endpoint = await repository.endpoint(delivery.endpoint)
    if endpoint is None or not endpoint.active:
        raise Conflict(Msg("webhooks.endpoint_disabled"))
    await repository.restart_delivery(delivery_id)
    await record(
        actor=Actor(principal.user_id, principal.org_id), action="webhooks.redelivered",
        entity_type="webhook_delivery", entity_id=delivery_id, before={"status": delivery.status},
        after={"status": "pending"},
    )
    await _queue(delivery_id, again=True)
    again = await repository.delivery(delivery_id)
    assert again is not None
    return _delivery_out(again)


# ------------------------------------------------------------------------------------------------ sending


async def _post(endpoint: EndpointRecord, delivery: DeliveryRecord) -> tuple[int | None, str, bool, int]:
    """One request: (status code, error, temporary?, milliseconds). No redirect is followed."""
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(endpoint.secret, body, int(time.time())),
        "X-Market-Event": delivery.event_type,
        "X-Market-Event-Id": delivery.event_id,
        "X-Market-Delivery": str(delivery.id),
    }
    started = time.monotonic()
    status: int | None = None
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = await client.post(endpoint.url, content=body, headers=headers)
        status = response.status_code
    except httpx.TimeoutException:
        error, temporary = "timeout", True
    except httpx.HTTPError as exc:
        error, temporary = f"{type(exc).__name__}: {exc}"[:500], True
    else:
        temporary = status >= 500 or status in TEMPORARY_STATUSES
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    return status, error, temporary, int((time.monotonic() - started) * 1000)


async def deliver(*, delivery_id: int) -> None:
    """The job: send one delivery unless it is settled. The request is made outside any transaction; the attempt
    is recorded in one of its own. Raises ``TemporaryFailure`` (the queue retries with backoff) while it is to be
    tried again."""
    async with jobs.unit_of_work():
        delivery = await repository.delivery(delivery_id)
        endpoint = await repository.endpoint(delivery.endpoint) if delivery else None
    if delivery is None or endpoint is None or delivery.status in ("delivered", "failed"):
        return
    if not endpoint.active:
        status_code, error, temporary, took = None, "endpoint disabled", False, 0
    else:
        status_code, error, temporary, took = await _post(endpoint, delivery)
    async with jobs.unit_of_work():
        now = await repository.delivery(delivery_id)
        assert now is not None
        tries, attempts = now.tries + 1, now.attempts + 1
        if endpoint.active:
            await repository.insert_attempt(
                delivery_id=delivery_id, number=attempts, status_code=status_code, error=error, duration_ms=took
            )
        if not error:
            status = "delivered"
        elif now.status == "delivered":
            status = "delivered"  # another send of it got through meanwhile
        else:
            status = "retrying" if temporary and tries < MAX_TRIES else "failed"
        await repository.update_delivery(
            delivery_id, status=status, tries=tries, attempts=attempts if endpoint.active else now.attempts,
            status_code=status_code, error=error,
        )
        if status == "failed" and now.status != "failed":
            await _tell_owners(endpoint, now)
    log.info("webhook." + status, delivery_id=delivery_id, status_code=status_code, error=error, tries=tries)
    if status == "retrying":
        raise TemporaryFailure(f"webhook delivery {delivery_id}: {error}")


async def _tell_owners(endpoint: EndpointRecord, delivery: DeliveryRecord) -> None:
    """A delivery gave up: the organisation's owners are told (once a day per endpoint, however many fail)."""
    day = datetime.now(UTC).date().isoformat()
    message = Msg("notification.webhook_failed", {"url": endpoint.url})
    body = Msg("notification.webhook_failed.body", {"event": delivery.event_type, "event_id": delivery.event_id})
    for member in await orgs.members_of_org(endpoint.org):
        if member.role == "owner":
            await notify(
                user_id=member.user_id, kind="webhook_failed", message=message, body=body,
                dedupe_key=f"webhook-failed:{endpoint.id}:{day}:{member.user_id}",
            )


async def sweep(*, older_than_seconds: int = 3600) -> int:
    """Queue again the deliveries left pending or retrying (their job lost with a worker); returns how many."""
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    unsettled = await repository.unsettled(updated_before=cutoff, limit=1000)
    for delivery in unsettled:
        await _queue(delivery.id, again=True)
    return len(unsettled)

