from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from market.kit.schema import Out, Schema


class ReviewIn(
    Schema,
    json_schema_extra={
        "examples": [
            {"event": "verify", "expected_version": 1},
            {"event": "reject", "expected_version": 1, "reason_code": "qualification.reject.not_in_register"},
        ]
    },
):
    """A platform administrator's move: ``verify`` a recorded one, ``reject`` it or ``revoke`` a live one (both
    with a reason code), on the version read (409 when it changed)."""

    event: Literal["verify", "reject", "revoke"]
    expected_version: int = Field(ge=1)
    reason_code: str = Field(default="", max_length=60)
    note: str = Field(default="", max_length=1000)


class QualificationOut(Out):
    id: int
    organisation: int
    kind: str
    certificate_number: str
    issuing_body: str
    issued_on: date
    expires_on: date = Field(description="The last day it is valid")
    expired: bool = Field(description="Past its expiry date today")
    held_today: bool = Field(description="Live and within its dates today: what held() counts")
    filename: str
    content_type: str
    size: int
    sha256: str
    status: Literal["recorded", "verified", "rejected", "revoked", "superseded"]
    version: int
    reason_code: str
    note: str
    superseded_by: int | None
    recorded_at: datetime
    reviewed_at: datetime | None
    actions: list[str] = Field(default_factory=list, description="An administrator's moves allowed now")


class QualificationCheckOut(Out):
    on: date
    held: list[str]
    verified: list[str]
    missing: list[str]
