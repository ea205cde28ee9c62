from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from market.kit.schema import Out


class NotificationOut(Out):
    id: int
    kind: str
    code: str = Field(
        description="The notification as a catalogue code; title and body are it in the reader's language"
    )
    params: dict[str, Any] = Field(default_factory=dict)
    title: str
    body: str
    link: str = Field(default="", description="The path of the notification's object (relative), or empty")
    lang: str = Field(default="", description="The language of title and body (an old text keeps its own)")
    created_at: datetime
    read_at: datetime | None


class UnreadOut(Out):
    unread: int = Field(description="How many of mine are unread")
    marked: int = Field(default=0, description="How many this request marked read")
