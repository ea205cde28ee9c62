"""The period of a policy and the pro-rata amounts of its changes, pure (no database): what the schedule, the
endorsement and the cancellation show line by line, each to the fen.

- Period: from the first day covered (the day after the premium is received, or the start the insured chose if
  later) to the day before the same date ``term_months`` later (12 months from 2027-01-01: to 2027-12-31). The
  retroactive date is the start less the product's retroactive days.
- A patent added with effect from day ``d``: the extra annual premium x (days from ``d`` to the end, both counted) /
  days in the period, rounded down to the fen.
- Cancelled with effect from day ``d`` (the last day covered is the day before): the unearned premium is the annual
  premium x (days from ``d`` to the end, both counted) / days in the period, rounded down to the fen, and never more
  than was paid. Before the start, all of it; from the day after the end, nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from market.i18n import Msg
from market.kit.money import Money


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return day.replace(year=year, month=month, day=min(day.day, last))


@dataclass(frozen=True)
class Period:
    starts_on: date
    ends_on: date  # the last day covered
    retroactive_date: date

    @property
    def days(self) -> int:
        return days_in_period(self.starts_on, self.ends_on)


def period(*, paid_on: date, term_months: int, retroactive_days: int, requested_start: date | None = None) -> Period:
    """The period a premium received on ``paid_on`` starts: the next day, or the chosen start if later."""
    starts = paid_on + timedelta(days=1)
    if requested_start is not None and requested_start > starts:
        starts = requested_start
    ends = add_months(starts, term_months) - timedelta(days=1)
    return Period(starts_on=starts, ends_on=ends, retroactive_date=starts - timedelta(days=retroactive_days))


def days_in_period(starts_on: date, ends_on: date) -> int:
    return (ends_on - starts_on).days + 1


def days_from(day: date, starts_on: date, ends_on: date) -> int:
    """Days of the period from ``day`` to its end, both counted (all of them before the start, none after)."""
    if day <= starts_on:
        return days_in_period(starts_on, ends_on)
    if day > ends_on:
        return 0
    return (ends_on - day).days + 1


@dataclass(frozen=True)
class Line:
    label: Msg
    amount: Money | None = None


@dataclass(frozen=True)
class ProRata:
    effective_on: date
    days: int
    days_in_period: int
    amount: Money
    lines: tuple[Line, ...]


def _share(annual: Money, days: int, total: int) -> Money:
    return Money(annual.currency, annual.minor * days // total)  # rounded down to the fen


def endorsement_premium(*, annual_delta: Money, effective_on: date, starts_on: date, ends_on: date) -> ProRata:
    """The extra premium of a patent added with effect from ``effective_on`` (not before the start)."""
    effective = max(effective_on, starts_on)
    days = days_from(effective, starts_on, ends_on)
    total = days_in_period(starts_on, ends_on)
    amount = _share(annual_delta, days, total)
    lines = (
        Line(Msg("policies.line.annual_delta"), annual_delta),
        Line(Msg("policies.line.period", {"starts": starts_on, "ends": ends_on, "days": total})),
        Line(Msg("policies.line.days_covered", {"from": effective, "days": days})),
        Line(Msg("policies.line.pro_rata", {"days": days, "total": total}), amount),
    )
    return ProRata(effective_on=effective, days=days, days_in_period=total, amount=amount, lines=lines)


def cancellation_refund(
    *, annual_premium: Money, paid: Money, effective_on: date, starts_on: date, ends_on: date
) -> ProRata:
    """The unearned premium refunded when cancelled with effect from ``effective_on``, at most what was paid."""
    days = days_from(effective_on, starts_on, ends_on)
    total = days_in_period(starts_on, ends_on)
    unearned = _share(annual_premium, days, total)
    amount = unearned if unearned.minor <= paid.minor else paid
    lines = [
        Line(Msg("policies.line.annual_premium"), annual_premium),
        Line(Msg("policies.line.period", {"starts": starts_on, "ends": ends_on, "days": total})),
        Line(Msg("policies.line.days_unearned", {"from": effective_on, "days": days})),
        Line(Msg("policies.line.pro_rata", {"days": days, "total": total}), unearned),
    ]
    if amount != unearned:
        lines.append(Line(Msg("policies.line.capped_at_paid"), amount))
    return ProRata(effective_on=effective_on, days=days, days_in_period=total, amount=amount, lines=tuple(lines))


def earned(*, paid: Money, starts_on: date, ends_on: date, on: date) -> Money:
    """The part of ``paid`` earned by ``on`` (days elapsed, both ends counted, over the period's days)."""
    total = days_in_period(starts_on, ends_on)
    elapsed = 0 if on < starts_on else min(total, (on - starts_on).days + 1)
    return Money(paid.currency, paid.minor * elapsed // total)
