"""A redemption's life and its claim's review, declared once (python-statemachine).

The redemption (``RedemptionMachine``, a conditional update on (status, version) of its own row):

    ordered → held (the provider confirms a catalogued service: the voucher's part is held)
    ordered → declined (the provider declines) | cancelled (the SME withdraws)
    held → delivered (the provider hands over the deliverable, hashed) → accepted (the SME accepts it)
    accepted → claimed (the provider files the claim: a desk case)
    held → claimed (a licence: once its remainder is paid; the reimbursed mode: filed with the hold)
    held | delivered → cancelled (the hold released; a licence: cancelled, or the voucher choice withdrawn)
    claimed → captured (the claim approved: the hold captured) | refused (the hold released)

The claim (``ClaimMachine``, on the desk, kind ``voucher_claim``):

    submitted → in_review ⇄ more_info (waiting on the claimant: the SLA clock pauses)
    in_review → approved (one reviewer at or below the programme's four-eyes threshold)
    in_review → proposed (a maker's proposal above it) → approved | refused (a different member), → in_review
    submitted | in_review | more_info → refused (coded reasons, a decision letter)
"""

from __future__ import annotations

from statemachine import State, StateMachine


class RedemptionMachine(StateMachine):
    ordered = State(initial=True)
    held = State()
    delivered = State()
    accepted = State()
    claimed = State()
    captured = State(final=True)
    refused = State(final=True)
    declined = State(final=True)
    cancelled = State(final=True)

    confirm = ordered.to(held)
    decline = ordered.to(declined)
    deliver = held.to(delivered)
    accept = delivered.to(accepted)
    file = accepted.to(claimed) | held.to(claimed)
    capture = claimed.to(captured)
    refuse = claimed.to(refused)
    cancel = ordered.to(cancelled) | held.to(cancelled) | delivered.to(cancelled)


class ClaimMachine(StateMachine):
    submitted = State(initial=True)
    in_review = State()
    more_info = State()
    proposed = State()
    approved = State(final=True)
    refused = State(final=True)

    waiting = frozenset({"more_info"})

    start_review = submitted.to(in_review)
    request_info = in_review.to(more_info) | submitted.to(more_info)
    resubmit = more_info.to(in_review)
    approve = in_review.to(approved) | proposed.to(approved)
    propose = in_review.to(proposed)
    send_back = proposed.to(in_review)
    refuse = submitted.to(refused) | in_review.to(refused) | more_info.to(refused) | proposed.to(refused)


KIND = "voucher_claim"  # the desk case's kind
REFERENCE_PREFIX = "VC"  # VC-2026-000012
SOURCES = ("licence", "service", "reimbursed")
STATUSES = ("ordered", "held", "delivered", "accepted", "claimed", "captured", "refused", "declined", "cancelled")
HOLDING = ("held", "delivered", "accepted", "claimed")  # the voucher's part is held
CLOSED = frozenset({"captured", "refused", "declined", "cancelled"})
CLAIM_STATES = ("submitted", "in_review", "more_info", "proposed", "approved", "refused")

