from __future__ import annotations

from datetime import datetime
from typing import Any

from market.kit.schema import Out


class DeliveryOut(Out):
    handler: str
    status: str
    attempts: int
    last_error: str
    updated_at: datetime


class EventOut(Out):
    id: int
    name: str
    payload: dict[str, Any]
    status: str
    created_at: datetime
    handled_at: datetime | None
    handlers: list[str]
    deliveries: list[DeliveryOut]
