from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from market.kit.schema import Out, Schema
from market.kit.words import MsgOut


class PaymentStartIn(Schema, json_schema_extra={"examples": [{"method": "bank_transfer"}]}):
    method: str = Field(pattern="^(card|alipay|wechat_pay|bank_transfer)$")


class PaymentOut(Out):
    id: int
    licence_id: int
    purpose: str
    method: str
    provider: str
    status: str
    amount_minor: int
    currency: str
    platform_fee_minor: int
    reference: str
    provider_id: str
    licence_number: str = ""
    payer: str = ""
    created_at: datetime
    succeeded_at: datetime | None
    client_secret: str | None = Field(default=None, description="Stripe: for the payer's browser only")
    test_mode: bool = False
    instructions: MsgOut | None = None  # bank transfer: what to send where, in the reader's language


class StatementRowOut(Out):
    row: int
    status: str
    detail: str = Field(description="Why, in the reader's language")
    detail_code: str = Field(description="Why, as a catalogue code (bank_statement.*)")
    detail_params: dict[str, Any] = Field(default_factory=dict)
    reference: str | None
    payer: str
    payment_id: int | None = None


class StatementReportOut(Out):
    confirmed: int
    needs_review: int
    rows: list[StatementRowOut]
