"""The period and the pro-rata amounts of a policy, pure, against hand-computed values (to the fen)."""

from __future__ import annotations

from datetime import date

from finance.policies import proration
from market.kit.money import Money


def cny(minor: int) -> Money:
    return Money("CNY", minor)


def test_period_starts_the_day_after_payment_and_runs_the_term() -> None:
    span = proration.period(paid_on=date(2026, 12, 31), term_months=12, retroactive_days=365)
    assert (span.starts_on, span.ends_on) == (date(2027, 1, 1), date(2027, 12, 31))
    assert span.days == 365
    assert span.retroactive_date == date(2026, 1, 1)  # start - 365 days


def test_a_chosen_later_start_wins_an_earlier_one_does_not() -> None:
    later = proration.period(paid_on=date(2026, 12, 10), term_months=12, retroactive_days=0,
                             requested_start=date(2027, 1, 1))
    assert (later.starts_on, later.ends_on, later.retroactive_date) == (
        date(2027, 1, 1), date(2027, 12, 31), date(2027, 1, 1))
    earlier = proration.period(paid_on=date(2026, 12, 10), term_months=12, retroactive_days=0,
                               requested_start=date(2026, 12, 5))
    assert earlier.starts_on == date(2026, 12, 11)


def test_a_period_over_a_leap_day_has_366_days() -> None:
    span = proration.period(paid_on=date(2027, 12, 31), term_months=12, retroactive_days=0)
    assert (span.starts_on, span.ends_on, span.days) == (date(2028, 1, 1), date(2028, 12, 31), 366)


def test_endorsement_premium_is_pro_rata_for_the_days_left_rounded_down() -> None:
    # CNY 200.00 a year for one more patent, added with effect from 1 July 2027 in a 2027 calendar-year policy:
    # 1 July to 31 December both counted = 31+31+30+31+30+31 = 184 days of 365; 20,000 x 184 / 365 = 10,082.19 fen.
    pro = proration.endorsement_premium(
        annual_delta=cny(20_000), effective_on=date(2027, 7, 1), starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    assert (pro.days, pro.days_in_period, pro.amount) == (184, 365, cny(10_082))
    assert pro.lines[-1].amount == cny(10_082)
    assert [line.label.code for line in pro.lines] == [
        "policies.line.annual_delta", "policies.line.period", "policies.line.days_covered", "policies.line.pro_rata"]


def test_endorsement_before_the_start_charges_the_whole_year() -> None:
    pro = proration.endorsement_premium(
        annual_delta=cny(20_000), effective_on=date(2026, 12, 20), starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    assert (pro.effective_on, pro.days, pro.amount) == (date(2027, 1, 1), 365, cny(20_000))


def test_cancellation_refunds_the_unearned_premium_rounded_down() -> None:
    # CNY 2,800.00 a year, cancelled with effect from 1 October 2027 (last day covered 30 September): 1 October to
    # 31 December = 31+30+31 = 92 days unearned of 365; 280,000 x 92 / 365 = 70,575.34 fen -> 70,575.
    pro = proration.cancellation_refund(
        annual_premium=cny(280_000), paid=cny(290_082), effective_on=date(2027, 10, 1),
        starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
    )
    assert (pro.days, pro.days_in_period, pro.amount) == (92, 365, cny(70_575))


def test_cancellation_before_the_start_refunds_all_and_never_more_than_paid() -> None:
    whole = proration.cancellation_refund(
        annual_premium=cny(260_000), paid=cny(260_000), effective_on=date(2026, 12, 31),
        starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
    )
    assert whole.amount == cny(260_000) and whole.days == 365
    capped = proration.cancellation_refund(
        annual_premium=cny(260_000), paid=cny(100_000), effective_on=date(2027, 1, 1),
        starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
    )
    assert capped.amount == cny(100_000)
    assert capped.lines[-1].label.code == "policies.line.capped_at_paid"


def test_cancellation_on_the_last_day_refunds_one_day() -> None:
    # 260,000 x 1 / 365 = 712.33 fen -> 712
    pro = proration.cancellation_refund(
        annual_premium=cny(260_000), paid=cny(260_000), effective_on=date(2027, 12, 31),
        starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
    )
    assert (pro.days, pro.amount) == (1, cny(712))


def test_earned_premium_grows_by_the_day() -> None:
    paid = cny(365_000)
    assert proration.earned(paid=paid, starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
                            on=date(2026, 12, 31)) == cny(0)
    assert proration.earned(paid=paid, starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
                            on=date(2027, 1, 10)) == cny(10_000)
    assert proration.earned(paid=paid, starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
                            on=date(2028, 3, 1)) == paid
