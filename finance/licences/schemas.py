"""Licences in and out. Money in integer minor units with its currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from market.kit.schema import Out, Schema
from market.kit.words import MsgOut


class LicenceRequestIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "declaration_id": 1,
                "declaration_version": 1,
                "accept_terms": True,
                "licensee_credit_code": "91440300MA5G7K3M2Q",
                "licensee_address": "广东省深圳市南山区科技园南区创新路 16 号",  # words: data
            }
        ]
    },
):
    """The written notice of Patent Law Art 51: the firm accepts the announced terms of this version."""

    declaration_id: int
    declaration_version: int = Field(ge=1, description="The version whose terms the firm read and accepts.")
    accept_terms: Literal[True] = Field(description="The firm accepts the announced terms; no negotiation.")
    licensee_credit_code: str = Field(
        default="",
        pattern=r"^([0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10})?$",
        description="统一社会信用代码 (18 characters), for the contract and the filing",
    )
    licensee_address: str = Field(default="", max_length=300)


class LicenceOut(Out):
    id: int
    number: str
    declaration_id: int
    declaration_version: int
    patent_id: int
    patent_number: str
    patent_title: str
    licensor_org_id: int
    licensor_name: str
    licensee_org_id: int
    licensee_name: str
    status: str
    payment_mode: str
    currency: str
    lump_sum_minor: int | None
    entry_fee_minor: int | None
    royalty_rate_bp: int | None
    royalty_base: str = "net_sales"  # what the running royalty is a share of: net_sales or profit
    term_years: int | None
    amount_due_minor: int
    starts_on: date | None
    ends_on: date | None
    first_report_due: date | None
    filing_deadline: date | None
    activated_at: datetime | None
    created_at: datetime
    terms: list[MsgOut]  # the terms as sentences (codes; their text in the reader's language)
    contract_ready: bool = False
    voucher_cover_minor: int = 0  # what a service voucher pays of the amount due (held on the SME's entitlement)
    amount_to_pay_minor: int = 0  # the amount due less the voucher's cover: what the licensee pays itself


class FilingOut(Out):
    """What the CNIPA filing (备案) of the licence contract needs (Implementing Regulations Art 15, 87)."""

    licence_number: str
    deadline: date
    article: str = Field(description="The articles' catalogue code.")
    article_text: str
    licensor_name: str
    licensee_name: str
    licensee_credit_code: str
    licensee_address: str
    licence_kind: str = Field(description="The kind of licence as a catalogue code.")
    licence_kind_text: str
    patent_number: str
    patent_title: str
    filing_date: date | None
    grant_date: date | None
    term_start: date
    term_end: date | None
    royalty: list[MsgOut]
    contract_sha256: str | None
