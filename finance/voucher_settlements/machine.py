"""The settlement batch's states and moves, declared once (python-statemachine); the desk
(``finance.desk.service.transition``) checks a move against this graph and writes it conditionally on (state,
version).

    assembled → proposed (a member of the issuer proposes it: the maker; the bank file is written)
    proposed → approved (a different member approves: the checker; the maker is refused)
    proposed → assembled (sent back; the lines are read again at the next proposal)
    assembled | proposed → cancelled (its claims go back to the next batch)
    approved → paid (recorded paid, or the bank's return reconciled; unpaid lines carried to the next batch)
"""

from __future__ import annotations

from statemachine import State, StateMachine


class VoucherBatchMachine(StateMachine):
    assembled = State(initial=True)
    proposed = State()
    approved = State()
    paid = State(final=True)
    cancelled = State(final=True)

    propose = assembled.to(proposed)
    approve = proposed.to(approved)
    send_back = proposed.to(assembled)
    cancel = assembled.to(cancelled) | proposed.to(cancelled)
    pay = approved.to(paid)


KIND = "voucher_batch"  # the desk case's kind
REFERENCE_PREFIX = "VS"  # VS-2027-000012: the batch number
OPEN_STATES = ("assembled", "proposed", "approved")
FINAL = frozenset({"paid", "cancelled"})
STATES = ("assembled", "proposed", "approved", "paid", "cancelled")
