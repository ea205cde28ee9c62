"""The voucher entitlement application's states and moves, declared once (python-statemachine); the desk
(``finance.desk.service.transition``) checks a move against this graph and writes it conditionally on (state,
version).

    submitted → in_review ⇄ more_info (waiting on the SME: the SLA clock pauses)
    in_review → in_review (pass_tier: a tier approves and the next tier reviews; one approval decision per tier)
    in_review → approved (the last tier approves: the entitlement is issued and the budget committed)
    in_review → proposed (a maker's approval above the programme's four-eyes threshold, at any tier)
    proposed → in_review (the checker completes a tier's proposal that is not the last, or sends it back)
    proposed → approved (the checker completes the last tier's proposal) | refused (a refusal proposal completed)
    submitted | in_review | more_info | proposed → refused (coded reasons, a decision letter)
    submitted | in_review | more_info → withdrawn (by the SME)
"""

from __future__ import annotations

from statemachine import State, StateMachine


class VoucherApplicationMachine(StateMachine):
    submitted = State(initial=True)
    in_review = State()
    more_info = State()
    proposed = State()
    approved = State(final=True)
    refused = State(final=True)
    withdrawn = State(final=True)

    waiting = frozenset({"more_info"})

    start_review = submitted.to(in_review)
    request_info = in_review.to(more_info) | submitted.to(more_info)
    resubmit = more_info.to(in_review)
    pass_tier = in_review.to(in_review) | proposed.to(in_review)
    approve = in_review.to(approved) | proposed.to(approved)
    propose = in_review.to(proposed)
    send_back = proposed.to(in_review)
    refuse = submitted.to(refused) | in_review.to(refused) | more_info.to(refused) | proposed.to(refused)
    withdraw = submitted.to(withdrawn) | in_review.to(withdrawn) | more_info.to(withdrawn)


KIND = "voucher_entitlement"  # the desk case's kind
REFERENCE_PREFIX = "VE"  # VE-2026-000012
WAITING = frozenset({"more_info"})
OPEN_STATES = ("submitted", "in_review", "more_info", "proposed")
FINAL = frozenset({"approved", "refused", "withdrawn"})
STATES = ("submitted", "in_review", "more_info", "proposed", "approved", "refused", "withdrawn")
