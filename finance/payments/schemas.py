from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, computed_field

from finance.payees.schemas import PayeeAccountOut
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
    licensor: str = Field(default="", description="Bank transfer: the university paid")
    declaration_id: int | None = Field(default=None, description="Bank transfer: the listing (declaration) licensed")
    patent_number: str = ""
    payee: PayeeAccountOut | None = Field(default=None, description="Bank transfer: the account instructed")
    confirmed_by: int | None = Field(default=None, description="The user who confirmed a bank transfer")
    confirmed_by_org: int | None = Field(default=None, description="The organisation that user acted for")


class StatementRowOut(Out):
    row: int
    status: str
    detail: str = Field(description="Why, in the reader's language")
    detail_code: str = Field(description="Why, as a catalogue code (bank_statement.*)")
    detail_params: dict[str, Any] = Field(default_factory=dict)
    reference: str | None
    payer: str
    payment_id: int | None = None
    amount_minor: int | None = None
    currency: str = ""


class StatementRunOut(Out):
    """A statement file being matched (``queued``, ``running``) or matched (``done``, ``failed``)."""

    id: int
    filename: str
    size_bytes: int
    status: str
    total_rows: int = Field(description="Rows of the file, once read (0 while queued)")
    processed_rows: int = Field(description="Rows matched and written so far: the progress")
    confirmed: int
    needs_review: int
    error_code: str = Field(description="Why the file could not be read (a catalogue code), or empty")
    created_at: datetime
    finished_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return self.processed_rows * 100 // self.total_rows if self.total_rows else 0
