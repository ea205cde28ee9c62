"""Webhooks in and out of the API (written by hand)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from market.kit.schema import Out, Schema

EVENT_PATTERN = r"^(\*|[a-z][a-z_]*\.(\*|[a-z][a-z_]*))$"


class EndpointIn(
    Schema,
    json_schema_extra={
        "examples": [
            {"url": "https://loans.bank.example.cn/market/hooks", "description": "loan system",
             "events": ["desk.case_moved", "registrations.*"]}
        ]
    },
):
    url: str = Field(min_length=1, max_length=500, description="https URL the events are POSTed to")
    description: str = Field(default="", max_length=200)
    events: list[str] = Field(
        min_length=1,
        max_length=50,
        description='Event types: exact ("desk.case_moved"), a module\'s ("servicing.*") or all ("*")',
    )


class EndpointOut(Out):
    id: int
    url: str
    description: str
    events: list[str]
    secret_prefix: str = Field(description="The first characters of the signing secret, to tell secrets apart")
    active: bool
    created_at: datetime
    disabled_at: datetime | None


class EndpointCreated(EndpointOut):
    secret: str = Field(description="The signing secret: shown this once, never again")


class AttemptOut(Out):
    number: int
    at: datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(Out):
    id: int
    endpoint_id: int
    event_id: str
    event_type: str
    status: str = Field(description="pending, retrying, delivered or failed")
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


class DeliveryDetailOut(DeliveryOut):
    payload: dict[str, Any] = Field(description="The body sent (the same bytes on every attempt)")
    attempt_log: list[AttemptOut]
