"""The subsidy claim's states and moves, declared once (python-statemachine); the desk
(``finance.desk.service.transition``) checks a move against this graph and writes it conditionally on (state,
version).

    submitted → in_review ⇄ more_info (waiting on the firm: the SLA clock pauses)
    in_review → approved (one reviewer, at or below the programme's four-eyes threshold)
    in_review → proposed (a maker's proposal above it) → approved | refused (a different member approves)
    proposed → in_review (sent back)
    submitted | in_review | more_info | proposed → refused (coded reasons, a decision letter)
    approved → paid (the issuer records the payment)
"""

from __future__ import annotations

from statemachine import State, StateMachine


class SubsidyClaimMachine(StateMachine):
    submitted = State(initial=True)
    in_review = State()
    more_info = State()
    proposed = State()
    approved = State()
    paid = State(final=True)
    refused = State(final=True)

    waiting = frozenset({"more_info"})

    start_review = submitted.to(in_review)
    request_info = in_review.to(more_info) | submitted.to(more_info)
    resubmit = more_info.to(in_review)
    approve = in_review.to(approved) | proposed.to(approved)
    propose = in_review.to(proposed)
    send_back = proposed.to(in_review)
    refuse = submitted.to(refused) | in_review.to(refused) | more_info.to(refused) | proposed.to(refused)
    pay = approved.to(paid)


KIND = "subsidy_claim"  # the desk case's kind
REFERENCE_PREFIX = "SB"  # SB-2026-000012
WAITING = frozenset({"more_info"})
OPEN_STATES = ("submitted", "in_review", "more_info", "proposed", "approved")
FINAL = frozenset({"paid", "refused"})
STATES = ("submitted", "in_review", "more_info", "proposed", "approved", "paid", "refused")
