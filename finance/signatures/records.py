"""The signatures module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SignatureRecord:
    """One party's signature of one document version. ``signer`` is the user's id, ``organisation`` the org's."""

    id: int
    document_kind: str
    document_id: int
    sha256: str
    signer: int
    organisation: int
    role: str
    signed_at: datetime
    ip: str
    user_agent: str
    method: str
    evidence: str
