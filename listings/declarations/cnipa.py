"""What CNIPA has (and has not yet) announced of a declaration, as pure rules over plain values. No database.

Patent Law Art 50: the patentee declares in writing to CNIPA, and CNIPA announces the declaration; a withdrawal is
announced too. Publishing on this platform is not that announcement: a version published here is "published on the
platform, to be filed with CNIPA" (待国家知识产权局公告) until the university records CNIPA's announcement number
(公告号) and date (公告日). Reminders to file count working days on a calendar that is data
(``listings/data/workday_calendar.csv``: the State Council's holiday notice of each year, added by the operator).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

from market.kit.messages import Msg

ARTICLE = "law.patent.art50"
"""CNIPA announces a declaration and its withdrawal (Patent Law Art 50)."""
EVENTS = ("declaration", "revision", "withdrawal")
"""What the university files with CNIPA: a declaration, a revised declaration (new terms), a withdrawal."""


@dataclass(frozen=True)
class Announcement:
    number: str
    announced_on: date


def status_msg(*, published_on: date | None, number: str, announced_on: date | None) -> Msg:
    """The version's standing with CNIPA in words: a draft, published here awaiting CNIPA, or announced."""
    if number and announced_on is not None:
        return Msg("cnipa.status.announced", {"date": announced_on, "number": number})
    if published_on is None:
        return Msg("cnipa.status.draft")
    return Msg("cnipa.status.pending", {"date": published_on})


def state(*, published_on: date | None, number: str) -> str:
    """``announced``, ``pending`` (published here, to be filed with CNIPA) or ``draft``."""
    if number:
        return "announced"
    return "pending" if published_on is not None else "draft"


def announcement_errors(*, announced_on: date, published_on: date | None, today: date) -> list[tuple[str, Msg]]:
    """Why an announcement date cannot be right: in the future, or before the declaration was published here
    (the platform exports the filing on publication, so CNIPA cannot have announced it earlier)."""
    out: list[tuple[str, Msg]] = []
    if announced_on > today:
        out.append(("in_future", Msg("cnipa.announced_in_future", {"date": announced_on})))
    if published_on is not None and announced_on < published_on:
        out.append(
            (
                "before_declaration",
                Msg("cnipa.announced_before_declaration", {"date": announced_on, "published_on": published_on}),
            )
        )
    return out


# ------------------------------------------------------------------------------------------- working days


@lru_cache(maxsize=1)
def calendar() -> tuple[frozenset[date], frozenset[date]]:
    """(holidays on weekdays, working weekend days) from the calendar file."""
    text = resources.files("listings").joinpath("data/workday_calendar.csv").read_text(encoding="utf-8")
    holidays: set[date] = set()
    workdays: set[date] = set()
    for row in csv.DictReader(line for line in text.splitlines() if not line.startswith("#")):
        day = date.fromisoformat(row["date"].strip())
        (holidays if row["kind"].strip() == "holiday" else workdays).add(day)
    return frozenset(holidays), frozenset(workdays)


def is_working_day(day: date) -> bool:
    holidays, workdays = calendar()
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
