"""The insurance claim's states and moves, declared once (python-statemachine). The desk
(``finance.desk.service.transition``) checks a move against this graph and writes it with a conditional update on
(state, version); nothing else changes a claim's state.

    notified → in_review ⇄ more_info (waiting on the insured: the SLA clock pauses)
    in_review → assessed (the insurer's assessment against the limits and the deductible)
    assessed → in_review (reassess: a cost added or pre-approved after the assessment)
    assessed → paid (the payment recorded) | denied
    notified | in_review | more_info → denied (coded reasons, a decision letter)
    notified | in_review | more_info → withdrawn (by the insured)
"""

from __future__ import annotations

from statemachine import State, StateMachine


class ClaimMachine(StateMachine):
    notified = State(initial=True)
    in_review = State()
    more_info = State()
    assessed = State()
    paid = State(final=True)
    denied = State(final=True)
    withdrawn = State(final=True)

    waiting = frozenset({"more_info"})

    start_review = notified.to(in_review)
    request_info = in_review.to(more_info) | notified.to(more_info)
    resubmit = more_info.to(in_review)
    assess = in_review.to(assessed)
    reassess = assessed.to(in_review)
    pay = assessed.to(paid)
    deny = notified.to(denied) | in_review.to(denied) | more_info.to(denied) | assessed.to(denied)
    withdraw = notified.to(withdrawn) | in_review.to(withdrawn) | more_info.to(withdrawn)


KIND = "insurance_claim"  # the desk case's kind
REFERENCE_PREFIX = "IC"  # IC-2026-000012
WAITING = frozenset({"more_info"})
OPEN_STATES = ("notified", "in_review", "more_info", "assessed")
FINAL = frozenset({"paid", "denied", "withdrawn"})
STATES = ("notified", "in_review", "more_info", "assessed", "paid", "denied", "withdrawn")
