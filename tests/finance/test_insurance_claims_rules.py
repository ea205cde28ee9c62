"""The claim's coverage checks and the insurer's assessment, pure: each coverage reason passes and fails once, each
cost exclusion once, and the assessment's figures computed by hand (the deductible, the per-claim limit, the
aggregate limit used by an earlier paid claim), line by line."""

from __future__ import annotations

from datetime import date

import pytest

from finance.desk.reasons import REGISTRY
from finance.insurance_claims import rules
from finance.insurance_claims.rules import CostLine, Cover, KnownDispute, Notice
from market.i18n import Msg, render
from market.kit.money import Money


def cny(yuan: int) -> Money:
    return Money("CNY", yuan * 100)


COVER = Cover(
    kind="enforcement",
    patent_ids=(11, 12),
    starts_on=date(2027, 1, 1),
    ends_on=date(2027, 12, 31),
    retroactive_date=date(2026, 1, 1),
    per_claim_limit=cny(100_000),
    aggregate_limit=cny(150_000),
    deductible=cny(5_000),
)
GOOD = Notice(patent_id=11, event_on=date(2027, 2, 1), first_claim_on=date(2027, 2, 10))


def codes(found: list[rules.Reason]) -> list[str]:
    return [r.code for r in found]


def test_a_claim_inside_the_period_on_a_listed_patent_is_covered() -> None:
    assert rules.coverage(COVER, GOOD) == []


@pytest.mark.parametrize(
    ("notice", "cover", "code"),
    [
        (Notice(11, date(2027, 2, 1), date(2028, 1, 1)), COVER, rules.OUTSIDE_PERIOD),
        (Notice(11, date(2026, 6, 1), date(2026, 12, 31)), COVER, rules.OUTSIDE_PERIOD),
        (Notice(11, date(2025, 12, 31), date(2027, 2, 10)), COVER, rules.BEFORE_RETROACTIVE),
        # no retroactive date: cover starts with the period
        (Notice(11, date(2026, 12, 31), date(2027, 2, 10)), Cover(**{**COVER.__dict__, "retroactive_date": None}),
         rules.BEFORE_RETROACTIVE),
        (Notice(99, date(2027, 2, 1), date(2027, 2, 10)), COVER, rules.NOT_LISTED),
        (Notice(None, date(2027, 2, 1), date(2027, 2, 10)), COVER, rules.NOT_LISTED),
        (Notice(11, date(2027, 2, 1), date(2027, 2, 10), (KnownDispute("questionnaire", date(2026, 11, 20)),)),
         COVER, rules.DISPUTE_KNOWN),
        (Notice(11, date(2027, 2, 1), date(2027, 2, 10), (KnownDispute("claim_on_record", date(2026, 5, 1)),)),
         COVER, rules.DISPUTE_KNOWN),
        (Notice(11, date(2027, 2, 1), date(2027, 2, 10), (KnownDispute("notice", date(2026, 12, 30)),)),
         COVER, rules.DISPUTE_KNOWN),
    ],
)
def test_each_coverage_reason_fails_once(notice: Notice, cover: Cover, code: str) -> None:
    found = rules.coverage(cover, notice)
    assert codes(found) == [code]
    assert found[0].source in (rules.SCHEDULE, rules.WORDING)
    for lang in ("zh", "en"):
        assert "reason." not in render(found[0].msg, lang)


def test_a_dispute_known_only_after_the_start_is_not_a_known_dispute() -> None:
    later = Notice(11, date(2027, 2, 1), date(2027, 2, 10), (KnownDispute("notice", date(2027, 1, 1)),))
    assert rules.coverage(COVER, later) == []


def test_a_guarantee_claim_names_no_patent() -> None:
    guarantee = Cover(**{**COVER.__dict__, "kind": "pledge_guarantee", "patent_ids": ()})
    assert rules.coverage(guarantee, Notice(None, date(2027, 2, 1), date(2027, 2, 10))) == []


def cost(i: int, kind: str, yuan: int, on: date, pre: bool = True) -> CostLine:
    return CostLine(id=i, kind=kind, amount=cny(yuan), incurred_on=on, pre_approved=pre, invoice_number=f"INV{i}")


def test_enforcement_legal_costs_need_the_case_acceptance_investigation_costs_do_not() -> None:
    lawyer = cost(1, "lawyer", 10_000, date(2027, 3, 20))
    investigation = cost(2, "investigation", 10_000, date(2027, 3, 1))
    assert codes(rules.cost_reasons("enforcement", lawyer, acceptance_number="", accepted_on=None)) == [
        rules.NO_ACCEPTANCE
    ]
    number = "(2027)京73民初123号"  # words: data
    before = rules.cost_reasons("enforcement", lawyer, acceptance_number=number, accepted_on=date(2027, 4, 1))
    assert codes(before) == [rules.NO_ACCEPTANCE]
    assert before[0].source == rules.ENFORCEMENT
    assert rules.cost_reasons("enforcement", investigation, acceptance_number="", accepted_on=None) == []
    after = cost(3, "lawyer", 10_000, date(2027, 4, 1))
    assert rules.cost_reasons("enforcement", after, acceptance_number="A1", accepted_on=date(2027, 4, 1)) == []
    # other kinds of cover do not ask for it
    assert rules.cost_reasons("infringement_loss", lawyer, acceptance_number="", accepted_on=None) == []


def test_a_cost_the_insurer_must_approve_first_is_excluded_without_its_pre_approval() -> None:
    expert = cost(1, "expert", 3_000, date(2027, 3, 1), pre=False)
    assert codes(rules.cost_reasons("enforcement", expert, acceptance_number="A1", accepted_on=date(2027, 1, 5))) == [
        rules.NOT_PRE_APPROVED
    ]
    court = cost(2, "court_fee", 3_000, date(2027, 3, 1), pre=False)  # the forum's own fee: no approval needed
    assert rules.cost_reasons("enforcement", court, acceptance_number="A1", accepted_on=date(2027, 1, 5)) == []


def test_the_assessment_by_hand_deductible_then_the_aggregate_left_after_an_earlier_paid_claim() -> None:
    accepted = date(2027, 4, 1)
    costs = [
        cost(1, "investigation", 20_000, date(2027, 3, 1)),
        cost(2, "lawyer", 60_000, date(2027, 4, 10)),
        cost(3, "court_fee", 8_000, date(2027, 4, 2), pre=False),
        cost(4, "expert", 3_000, date(2027, 4, 5), pre=False),  # excluded: not pre-approved
        cost(5, "lawyer", 10_000, date(2027, 3, 20)),  # excluded: before the acceptance
    ]
    found = rules.assess(
        COVER, GOOD, costs, acceptance_number="A1", accepted_on=accepted, aggregate_used=cny(90_000)
    )
    # 20,000 + 60,000 + 8,000 = 88,000 covered; 13,000 excluded; less 5,000 = 83,000; within the 100,000 per claim;
    # the aggregate of 150,000 has 60,000 left after the earlier claim's 90,000: 60,000 payable.
    assert found.submitted == cny(101_000)
    assert found.covered == cny(88_000)
    assert found.excluded == cny(13_000)
    assert found.after_deductible == cny(83_000)
    assert not found.per_claim_capped
    assert found.aggregate_left == cny(60_000)
    assert found.aggregate_capped
    assert found.payable == cny(60_000)
    assert sorted(found.codes()) == sorted([rules.NOT_PRE_APPROVED, rules.NO_ACCEPTANCE])
    keys = [line.key for line in found.lines]
    assert keys == [
        "cost", "cost", "cost", "excluded", "excluded", "covered", "deductible", "after_deductible",
        "per_claim_cap", "aggregate_cap", "payable",
    ]  # fmt: skip
    assert found.lines[-1].amount == cny(60_000)
    for lang in ("zh", "en"):
        for line in found.lines:
            text = render(line.label, lang)
            assert "insurance_claim." not in text, text
    assert "60,000" in render(found.lines[-1].label, "en") or "60000" in render(found.lines[-1].label, "en")


def test_the_per_claim_limit_caps_and_says_so() -> None:
    costs = [cost(1, "investigation", 50_000, date(2027, 3, 1)), cost(2, "lawyer", 70_000, date(2027, 4, 2))]
    found = rules.assess(
        COVER, GOOD, costs, acceptance_number="A1", accepted_on=date(2027, 4, 1), aggregate_used=cny(0)
    )
    # 120,000 - 5,000 = 115,000, capped at 100,000 per claim; the aggregate has 150,000 left
    assert found.after_deductible == cny(115_000)
    assert found.per_claim_capped and not found.aggregate_capped
    assert found.payable == cny(100_000)
    capped = next(line for line in found.lines if line.key == "per_claim_cap")
    assert capped.label.code == "insurance_claim.line.per_claim_capped"


def test_costs_below_the_deductible_pay_nothing_and_a_claim_not_covered_pays_nothing() -> None:
    small = rules.assess(
        COVER, GOOD, [cost(1, "investigation", 4_000, date(2027, 3, 1))], acceptance_number="",
        accepted_on=None, aggregate_used=cny(0),
    )  # fmt: skip
    assert small.after_deductible == cny(0) and small.payable == cny(0)
    outside = Notice(11, date(2027, 2, 1), date(2028, 2, 1))
    denied = rules.assess(
        COVER, outside, [cost(1, "investigation", 40_000, date(2027, 3, 1))], acceptance_number="",
        accepted_on=None, aggregate_used=cny(0),
    )  # fmt: skip
    assert denied.payable == cny(0)
    assert denied.codes() == [rules.OUTSIDE_PERIOD]
    assert denied.as_json()["payable"] == {"minor": 0, "currency": "CNY"}


def test_disputes_in_the_frozen_answers() -> None:
    answers = {"known_dispute": "yes", "turnover": 1000, "pending_litigation": False, "notes": "none"}
    found = rules.disputes_in_answers(answers, answered_on=date(2026, 12, 1))
    assert [(k.source, k.detail) for k in found] == [("questionnaire", "known_dispute")]


def test_every_code_is_registered_with_its_words_in_both_languages() -> None:
    for code in (*rules.DENIAL_CODES, rules.NOT_IN_FORCE):
        known = REGISTRY[code]
        for lang in ("zh", "en"):
            assert render(Msg(known.source), lang) != known.source
    for kind in rules.COST_KINDS:
        for lang in ("zh", "en"):
            assert render(Msg(f"insurance_claim.cost_kind.{kind}"), lang) != f"insurance_claim.cost_kind.{kind}"
