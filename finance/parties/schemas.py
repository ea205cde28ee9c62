from __future__ import annotations

from datetime import datetime

from pydantic import Field

from market.kit.schema import BasisPoints, Out, Schema
from market.kit.words import MsgOut


class ShareholderIn(
    Schema,
    json_schema_extra={
        "examples": [{"name": "张三", "id_number": "110101199003070011", "share_bp": 6000}]  # words: data
    },
):
    """An organisation (its unified social credit code) or a natural person (name; the ID number is kept as a keyed
    hash and its last four characters only)."""

    name: str = Field(max_length=200)
    credit_code: str = Field(default="", max_length=30, description="An organisation shareholder's credit code")
    id_number: str = Field(default="", max_length=30, description="A natural person's ID number (hashed when kept)")
    share_bp: BasisPoints = Field(description="The share held, in basis points (6000 = 60%)")


class PartyFactsIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "legal_rep_name": "李四",  # words: data
                "legal_rep_id_number": "110101198001010053",
                "phone": "0571-8888 6666",
                "address": "",
                "parent_credit_code": "",
                "shareholders": [
                    {"name": "李四", "id_number": "110101198001010053", "share_bp": 7000},  # words: data
                    {
                        "name": "杭州某投资有限公司",  # words: data
                        "credit_code": "91330100MA2B000018",
                        "share_bp": 3000,
                    },
                ],
            }
        ]
    },
):
    """Checked by the service, each problem beside its field: ID numbers (an 18-character resident ID is checked by
    its check character), credit codes (GB 32100-2015), the phone (6 to 15 digits), shares (together at most
    100%)."""

    legal_rep_name: str = Field(max_length=100)
    legal_rep_id_number: str = Field(default="", max_length=30, description="Hashed when kept; last 4 shown")
    phone: str = Field(default="", max_length=40, description="The registered contact phone")
    address: str = Field(
        default="", max_length=300, description="A registered address other than the organisation's, if any"
    )
    parent_credit_code: str = Field(default="", max_length=30, description="The controlling group's credit code")
    shareholders: list[ShareholderIn] = Field(default_factory=list, max_length=50)


class ShareholderOut(Out):
    name: str
    credit_code: str
    id_last4: str = Field(description="The last four characters of the ID number, if one was given")
    share_bp: int


class PartyFactsOut(Out):
    id: int
    version: int
    legal_rep_name: str
    legal_rep_id_last4: str
    phone: str
    address: str
    registered_address: str = Field(default="", description="The organisation's registered address (market.orgs)")
    parent_credit_code: str
    recorded_at: datetime
    superseded_at: datetime | None = None
    shareholders: list[ShareholderOut] = Field(default_factory=list)


class PartiesOut(Out):
    current: PartyFactsOut | None
    history: list[PartyFactsOut] = Field(default_factory=list, description="Every version, newest first")


class RelatedFindingOut(Out):
    code: str
    source: str
    severity: str
    message: MsgOut
    source_text: MsgOut
