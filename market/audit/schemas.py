from __future__ import annotations

from datetime import datetime
from typing import Any

from market.kit.schema import Out


class AuditEventOut(Out):
    seq: int
    at: datetime
    actor_user_id: int | None
    org_id: int | None
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any
    hash: str


class ChainReport(Out):
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str | None = None
