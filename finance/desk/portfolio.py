"""A reviewer organisation's book on the desk, summed (the bank portfolio page and its API): amounts by state, the
open cases by age, the SLA breaches. Records and the pure ageing rule; the sums come from the repository."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Days since a case was opened, for its open cases: (label, first day, last day or None for "and over").
AGEING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-30", 8, 30),
    ("31-90", 31, 90),
    ("91+", 91, None),
)


@dataclass(frozen=True)
class StateLine:
    state: str
    currency: str
    count: int
    amount_minor: int


@dataclass(frozen=True)
class AgeLine:
    bucket: str
    currency: str
    count: int
    amount_minor: int


@dataclass(frozen=True)
class BreachLine:
    case_id: int
    kind: str
    subject: int
    reference: str
    state: str
    currency: str
    amount_minor: int
    due_on: date | None
    breached_on: date


@dataclass(frozen=True)
class Portfolio:
    reviewer_org: int
    kind: str | None
    on: date
    states: tuple[StateLine, ...]
    ageing: tuple[AgeLine, ...]
    breached_open: int  # open cases past their SLA
    breaches: tuple[BreachLine, ...]  # the latest of them, newest first


def age_bucket(opened_on: date, on: date) -> str:
    """The ageing bucket of a case opened on ``opened_on``, seen on ``on``."""
    days = max(0, (on - opened_on).days)
    for label, first, last in AGEING_BUCKETS:
        if days >= first and (last is None or days <= last):
            return label
    return AGEING_BUCKETS[-1][0]


def bucket_bounds(now: datetime) -> list[tuple[str, datetime | None, datetime]]:
    """Each bucket as bounds of ``opened_at`` (newest first): after ``lower`` (exclusive, None: no bound) and at or
    before ``upper``; a day is 24 hours back from ``now``."""
    out: list[tuple[str, datetime | None, datetime]] = []
    for label, first, last in AGEING_BUCKETS:
        upper = now if first == 0 else now - timedelta(days=first)
        lower = now - timedelta(days=last + 1) if last is not None else None
        out.append((label, lower, upper))
    return out
