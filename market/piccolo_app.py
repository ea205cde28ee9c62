"""The ``market`` Piccolo app: the core's tables and their checked-in migrations."""

import os

from piccolo.conf.apps import AppConfig

from market.accounts.tables import ApiToken, User
from market.audit.tables import AuditEvent
from market.events.tables import DomainEvent, EventDelivery
from market.idempotency.tables import IdempotencyKey
from market.notifications.tables import Notification
from market.orgs.tables import Invitation, Membership, Organisation, OrgDecision, OrgDocument
from market.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint

APP_CONFIG = AppConfig(
    app_name="market",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[
        Organisation,
        User,
        Membership,
        ApiToken,
        AuditEvent,
        Notification,
        DomainEvent,
        EventDelivery,
        IdempotencyKey,
        OrgDecision,
        OrgDocument,
        Invitation,
        WebhookEndpoint,
        WebhookDelivery,
        WebhookAttempt,
    ],
    migration_dependencies=[],
    commands=[],
)
