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
    payee_account: int | None = None  # bank transfer: the payee account instructed (finance.payees)
    confirmed_by_org: int | None = None


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


@dataclass(frozen=True, slots=True)
class StatementRunRecord:
    id: int
    uploaded_by: int | None
    organisation: int | None
    filename: str
    stored_path: str
    size_bytes: int
    status: str
    total_rows: int
    processed_rows: int
    confirmed: int
    needs_review: int
    error_code: str
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class StatementLineRecord:
    id: int
    run: int
    row: int
    status: str
    reference: str
    payer: str
    amount_minor: int | None
    currency: str
    detail_code: str
    detail_params: dict[str, JsonValue]
    payment: int | None
