from __future__ import annotations

from datetime import datetime

from pydantic import Field

from market.kit.schema import Out


class SealCheckOut(Out):
    valid: bool = Field(description="True only if the platform's seal covers the file and nothing in it changed")
    intact: bool = Field(description="The signed digest matches the bytes it covers")
    trusted: bool = Field(description="The seal's certificate is the platform's (or chains to a trusted root)")
    signer: str = ""
    signed_at: datetime | None = None
    reason: str = ""
    problem: str = Field(
        default="", description="unreadable | no_seal | altered | bad_signature | untrusted | not_covered"
    )


class SignatureOut(Out):
    id: int
    document_kind: str
    document_id: int
    sha256: str = Field(description="The SHA-256 of the document version signed")
    signer: int = Field(description="The user's id")
    organisation: int
    role: str
    signed_at: datetime
    method: str = Field(description="click (a signed click); later: ca")
