"""Working days, pure: weekends are off unless the calendar makes them workdays (调休上班), weekdays are on unless
the calendar makes them holidays. The calendar is data (``finance_desk_calendar_day``, edited by platform admins);
days it does not cover follow the weekend rule alone.

Counting: ``add_working_days(d, n)`` is the n-th working day after ``d`` (``d`` itself not counted), and
``working_days_between(a, b)`` counts the working days after ``a`` up to and including ``b``, so that
``working_days_between(d, add_working_days(d, n)) == n``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ONE_DAY = timedelta(days=1)
# The seed (finance_0011 loads it): 2026 from the State Council's notice, 2027's statutory days (provisional).
SEED = Path(__file__).with_name("calendar_cn.csv")


@dataclass(frozen=True, slots=True)
class SeedDay:
    day: date
    kind: str
    name: str
    source: str
    provisional: bool


def seed_days(path: Path = SEED) -> list[SeedDay]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            SeedDay(
                day=date.fromisoformat(row["day"]),
                kind=row["kind"],
                name=row["name"],
                source=row["source"],
                provisional=row["provisional"] == "1",
            )
            for row in csv.DictReader(fh)
        ]


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # weekend days that are worked

    @classmethod
    def of(cls, days: Iterable[tuple[date, str]]) -> WorkCalendar:
        """From (day, kind) pairs, kind ``holiday`` or ``workday``."""
        listed = list(days)
        return cls(
            holidays=frozenset(d for d, kind in listed if kind == "holiday"),
            workdays=frozenset(d for d, kind in listed if kind == "workday"),
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.weekday() < 5

    def add_working_days(self, day: date, n: int) -> date:
        if n < 0:
            raise ValueError("n must be zero or more")
        current = day
        left = n
        while left > 0:
            current += ONE_DAY
            if self.is_working_day(current):
                left -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
        count = 0
        current = start
        while current < end:
            current += ONE_DAY
            if self.is_working_day(current):
                count += 1
        return count
