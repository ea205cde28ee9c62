from __future__ import annotations

from datetime import datetime

from market.kit.schema import Out


class NotificationOut(Out):
    id: int
    kind: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None
