"""The insurance application's states and moves, declared once (python-statemachine). The desk
(``finance.desk.service.transition``) checks a move against this graph and writes it with a conditional update on
(state, version); nothing else changes an application's state.

    draft → submitted → in_review ⇄ more_info (waiting on the SME: the SLA clock pauses)
    in_review → accepted | declined (one underwriter, the aggregate limit at or below the four-eyes threshold)
    in_review → proposed (the maker's proposal, above it) → accepted | declined (a different member approves)
    proposed → in_review (sent back)
    submitted | in_review | more_info → declined (coded reasons, a decision letter)
    draft | submitted | in_review | more_info → withdrawn (by the SME)
    accepted → bound (finance.policies binds the policy) | lapsed (the quote's validity passed unbound)
"""

from __future__ import annotations

from statemachine import State, StateMachine


class InsuranceMachine(StateMachine):
    draft = State(initial=True)
    submitted = State()
    in_review = State()
    more_info = State()
    proposed = State()
    accepted = State()
    declined = State(final=True)
    withdrawn = State(final=True)
    bound = State(final=True)
    lapsed = State(final=True)

    # waiting on the applicant (more information; binding the accepted terms): the desk pauses the SLA clock there
    waiting = frozenset({"more_info", "accepted"})

    submit = draft.to(submitted)
    start_review = submitted.to(in_review)
    request_info = in_review.to(more_info) | submitted.to(more_info)
    resubmit = more_info.to(in_review)
    propose = in_review.to(proposed)
    send_back = proposed.to(in_review)
    accept = in_review.to(accepted) | proposed.to(accepted)
    decline = submitted.to(declined) | in_review.to(declined) | more_info.to(declined) | proposed.to(declined)
    withdraw = draft.to(withdrawn) | submitted.to(withdrawn) | in_review.to(withdrawn) | more_info.to(withdrawn)
    bind = accepted.to(bound)
    lapse = accepted.to(lapsed)


KIND = "insurance"  # the desk case's kind
REFERENCE_PREFIX = "IN"  # IN-2026-000012
WAITING = frozenset({"more_info", "accepted"})
OPEN_STATES = ("submitted", "in_review", "more_info", "proposed")
FINAL = frozenset({"declined", "withdrawn", "bound", "lapsed"})
STATES = (
    "draft",
    "submitted",
    "in_review",
    "more_info",
    "proposed",
    "accepted",
    "declined",
    "withdrawn",
    "bound",
    "lapsed",
)
