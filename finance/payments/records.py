"""The payments module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import JsonValue


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """A payment row. ``licence`` is the licence's id; ``royalty_report`` the report's id for a royalty payment."""

    id: int
    licence: int
    purpose: str
    royalty_report: int | None
    method: str
    provider: str
    provider_id: str
    reference: str
    amount_minor: int
    currency: str
    platform_fee_minor: int
    status: str
    version: int
    idempotency_key: str
    confirmed_by: int | None
    created_at: datetime
    succeeded_at: datetime | None


@dataclass(frozen=True, slots=True)
class PaymentEventRecord:
    """A provider's webhook event as stored (its payload loaded from JSON)."""

    id: int
    provider: str
    event_id: str
    type: str
    object_id: str
    payload: dict[str, JsonValue]
    received_at: datetime
    deliveries: int
    processed_at: datetime | None
    result: str
