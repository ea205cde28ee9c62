from __future__ import annotations

from datetime import datetime

from pydantic import Field

from market.kit.schema import Out, Schema


class PayeeAccountIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "account_name": "浙江大学",  # words: data
                "bank_name": "中国工商银行杭州玉泉支行",  # words: data
                "account_number": "1202 0212 0990 0012 345",
            }
        ]
    },
):
    """Checked by the service (each problem beside its field): the name must be the organisation's own, the number
    8 to 30 digits (spaces and hyphens typed to group digits are dropped)."""

    account_name: str = Field(max_length=200)
    bank_name: str = Field(max_length=100)
    account_number: str = Field(max_length=64)


class PayeeAccountOut(Out):
    id: int
    account_name: str = Field(description="户名: the account holder, the organisation's name")
    bank_name: str = Field(description="开户行: the bank and branch")
    account_number: str = Field(description="账号: digits only")
    created_at: datetime
    superseded_at: datetime | None = Field(default=None, description="None while in force")


class PayeeOut(Out):
    current: PayeeAccountOut | None
    history: list[PayeeAccountOut] = Field(default_factory=list, description="Every account recorded, newest first")
