"""The desk's records: what its repository returns, frozen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from finance.desk.reasons import Reason
from market.kit.money import Money


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A case on the desk. ``reviewer_org``/``applicant_org``/``assignee`` are ids."""

    id: int
    kind: str
    subject: int
    reference: str
    reviewer_org: int
    applicant_org: int
    state: str
    version: int
    amount_minor: int
    currency: str
    assignee: int | None
    sla_working_days: int
    sla_started_on: date | None
    paused_since: datetime | None
    paused_working_days: int
    due_on: date | None
    breached_at: datetime | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @property
    def amount(self) -> Money:
        return Money(self.currency, self.amount_minor)

    @property
    def submitted(self) -> bool:
        """Whether it has left its initial state (the SLA clock started then)."""
        return self.sla_started_on is not None

    @property
    def paused(self) -> bool:
        return self.paused_since is not None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision, as it was made (never changed). ``reasons`` with their codes, sources and severities;
    ``snapshot`` the inputs as read then. A proposal carries ``approvals_required``; an approval its ``proposal``
    and the proposal's ``maker``."""

    id: int
    case: int
    kind: str
    outcome: str
    decided_by: int | None
    role: str
    org: int | None
    decided_at: datetime
    reasons: tuple[Reason, ...]
    text: str
    snapshot: Mapping[str, Any]
    amount_minor: int | None
    currency: str
    proposal: int | None
    maker: int | None
    supersedes: int | None
    approvals_required: int

    @property
    def amount(self) -> Money | None:
        return Money(self.currency, self.amount_minor) if self.amount_minor is not None and self.currency else None


@dataclass(frozen=True, slots=True)
class CalendarDayRecord:
    id: int
    day: date
    kind: str  # holiday | workday
    name: str
    source: str
    provisional: bool
    updated_by: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CasePage:
    """One page of a queue: the cases and how many match in all."""

    items: tuple[CaseRecord, ...]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class SlaCounts:
    """A reviewer organisation's open queue in numbers (the dashboard): open cases, those nobody holds, those past
    their due day (flagged or not yet), those due within the next days (clock running), those waiting on the
    applicant (clock paused)."""

    open: int
    unassigned: int
    overdue: int
    due_soon: int
    paused: int
