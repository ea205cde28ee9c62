"""A voucher provider's states and moves, declared once (python-statemachine); the desk
(``finance.desk.service.transition``) checks a move against this graph and writes it conditionally on (state,
version).

    applied → in_review ⇄ more_info (waiting on the applicant)
    in_review → notice (the issuer approves: the public notice starts; anyone signed in may object)
    notice → listed (the notice ended with no objection open or upheld: a job, or at the moment of use)
    notice → refused (an objection upheld)
    applied | in_review | more_info → refused (coded reasons)
    listed ⇄ suspended (suspend / reinstate, coded reasons)
    listed | suspended → delisted (coded reasons, e.g. collusion; the record is kept)

The issuer's review clock stops once it approves: the notice and the listing are not review work, so they are
declared waiting states (the desk pauses the SLA clock there) as ``more_info`` is.
"""

from __future__ import annotations

from statemachine import State, StateMachine


class VoucherProviderMachine(StateMachine):
    applied = State(initial=True)
    in_review = State()
    more_info = State()
    notice = State()
    listed = State()
    suspended = State()
    refused = State(final=True)
    delisted = State(final=True)

    waiting = frozenset({"more_info", "notice", "listed", "suspended"})

    start_review = applied.to(in_review)
    request_info = in_review.to(more_info) | applied.to(more_info)
    resubmit = more_info.to(in_review)
    approve = in_review.to(notice)
    list_provider = notice.to(listed)
    uphold = notice.to(refused)
    refuse = applied.to(refused) | in_review.to(refused) | more_info.to(refused)
    suspend = listed.to(suspended)
    reinstate = suspended.to(listed)
    delist = listed.to(delisted) | suspended.to(delisted)


KIND = "voucher_provider"  # the desk case's kind
REFERENCE_PREFIX = "VP"  # VP-2026-000012
OPEN_STATES = ("applied", "in_review", "more_info", "notice", "listed", "suspended")
FINAL = frozenset({"refused", "delisted"})
STATES = ("applied", "in_review", "more_info", "notice", "listed", "suspended", "refused", "delisted")
