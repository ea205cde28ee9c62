"""What the needs repository returns: frozen records of its tables (and of the two other rows an alert reads),
built from Piccolo's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class NeedRecord:
    """A row of ``listings_need`` with its organisation's name."""

    id: int
    organisation: int
    created_by: int
    title: str
    description: str
    tech_field: int | None
    budget_max_minor: int | None
    currency: str
    region: str
    deadline: date | None
    status: str
    created_at: datetime
    updated_at: datetime
    org_name: str | None


@dataclass(frozen=True, slots=True)
class SavedSearchRecord:
    """A row of ``listings_saved_search``; ``params`` is the stored JSON of ``listings.search.schemas.SearchParams``,
    loaded (it is validated where it is used: one stored before a change of the schema may no longer be valid)."""

    id: int
    organisation: int
    created_by: int
    name: str
    params: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AlertRecipientRecord:
    """The user an alert goes to (``market_user``: id, e-mail, locale). Read here until ``market.accounts`` offers
    it (issue 10: a module's tables are read by its own repository only)."""

    id: int
    email: str
    locale: str


@dataclass(frozen=True, slots=True)
class AlertNotificationRecord:
    """An alert notification to e-mail (``market_notification``: its user, title and body). Read here until
    ``market.notifications`` offers it."""

    user: int
    title: str
    body: str
