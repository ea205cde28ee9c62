"""The pledge-loan application's states and moves, declared once (python-statemachine). The desk
(``finance.desk.service.transition``) checks a move against this graph and writes it with a conditional update on
(state, version); nothing else changes an application's state.

    draft → submitted → in_review ⇄ more_info (waiting on the SME: the SLA clock pauses)
    in_review → proposed (a maker's credit proposal) → approved (the checkers) → offered → accepted
    proposed → in_review (sent back by a checker)
    submitted | in_review | more_info | proposed → refused (coded reasons, a decision letter)
    draft | submitted | in_review | more_info | offered → withdrawn (by the SME; declining an offer withdraws)
    offered → offer_expired (a job, at the offer's expiry)

After ``accepted`` the pledge contract and its CNIPA registration have their own machine
(``finance.registrations``)."""

from __future__ import annotations

from statemachine import State, StateMachine


class PledgeMachine(StateMachine):
    draft = State(initial=True)
    submitted = State()
    in_review = State()
    more_info = State()
    proposed = State()
    approved = State()
    offered = State()
    accepted = State(final=True)
    refused = State(final=True)
    withdrawn = State(final=True)
    offer_expired = State(final=True)

    waiting = frozenset({"more_info"})  # waiting on the applicant: the desk pauses the SLA clock there

    submit = draft.to(submitted)
    start_review = submitted.to(in_review)
    request_info = in_review.to(more_info) | submitted.to(more_info)
    resubmit = more_info.to(in_review)
    propose = in_review.to(proposed)
    send_back = proposed.to(in_review)
    approve = proposed.to(approved)
    offer = approved.to(offered)
    accept = offered.to(accepted)
    expire = offered.to(offer_expired)
    refuse = submitted.to(refused) | in_review.to(refused) | more_info.to(refused) | proposed.to(refused)
    withdraw = (
        draft.to(withdrawn)
        | submitted.to(withdrawn)
        | in_review.to(withdrawn)
        | more_info.to(withdrawn)
        | offered.to(withdrawn)
    )


KIND = "pledge_loan"  # the desk case's kind
REFERENCE_PREFIX = "PL"  # PL-2026-000012
WAITING = frozenset({"more_info"})  # waiting on the applicant: the SLA clock pauses
OPEN_STATES = ("submitted", "in_review", "more_info", "proposed", "approved", "offered")
FINAL = frozenset({"accepted", "refused", "withdrawn", "offer_expired"})
STATES = (
    "draft",
    "submitted",
    "in_review",
    "more_info",
    "proposed",
    "approved",
    "offered",
    "accepted",
    "refused",
    "withdrawn",
    "offer_expired",
)
