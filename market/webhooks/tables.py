"""An organisation's webhook endpoints, the deliveries of events to them, and every attempt at one."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.accounts.tables import User
from market.orgs.tables import Organisation


class WebhookEndpoint(Table, tablename="market_webhook_endpoint"):
    """Where an organisation wants its events: an HTTPS URL, the event types it subscribes to, and the secret that
    signs each delivery (shown once when made; kept to sign, never shown again)."""

    id = Serial(primary_key=True)
    org = ForeignKey(Organisation, null=False, index=True)
    url = Varchar(length=500)
    description = Varchar(length=200, default="")
    events = Text(default="[]")  # JSON list of event types ("desk.case_moved", "registrations.*", "*")
    secret = Varchar(length=100)
    secret_prefix = Varchar(length=20)
    active = Boolean(default=True)
    created_by = ForeignKey(User, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    disabled_at = Timestamptz(null=True, default=None)


class WebhookDelivery(Table, tablename="market_webhook_delivery"):
    """One event for one endpoint: the body is fixed when published (every attempt sends the same bytes, signed
    afresh). Unique (endpoint, event_id): publishing one event twice makes one delivery. ``status``: pending,
    retrying, delivered, failed; ``tries`` counts this round's attempts (a manual redelivery starts a new round)."""

    id = Serial(primary_key=True)
    endpoint = ForeignKey(WebhookEndpoint, null=False, index=True)
    org = Integer(index=True)
    event_id = Varchar(length=100)
    event_type = Varchar(length=80)
    body = Text()
    status = Varchar(length=12, default="pending", index=True)
    tries = Integer(default=0)
    attempts = Integer(default=0)
    last_status_code = Integer(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    delivered_at = Timestamptz(null=True, default=None)


class WebhookAttempt(Table, tablename="market_webhook_attempt"):
    """One HTTP request of a delivery and what came of it (status code, or the error: timeout, refused ...)."""

    id = Serial(primary_key=True)
    delivery = ForeignKey(WebhookDelivery, null=False, index=True)
    number = Integer()
    at = Timestamptz(default=TimestamptzNow())
    status_code = Integer(null=True, default=None)
    error = Text(default="")
    duration_ms = Integer(default=0)
