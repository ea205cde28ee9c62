"""A policy's life, declared in one place (python-statemachine checks the graph; the service persists a move by a
conditional UPDATE on (id, state, version) in the transaction that writes the audit event).

    awaiting_premium -> in_force -> expired
    awaiting_premium -> cancelled      (the insured withdraws before paying: nothing to refund)
    in_force -> cancelled              (the insured or the insurer: the unearned premium refunded pro rata)
    in_force -> in_force               (an endorsement: a patent added)
"""

from __future__ import annotations

from statemachine import State, StateMachine

from finance.desk import machines


class PolicyMachine(StateMachine):
    awaiting_premium = State(initial=True)
    in_force = State()
    cancelled = State(final=True)
    expired = State(final=True)

    premium_received = awaiting_premium.to(in_force)
    endorse = in_force.to(in_force)
    cancel = awaiting_premium.to(cancelled) | in_force.to(cancelled)
    expire = in_force.to(expired)


STATES = ("awaiting_premium", "in_force", "cancelled", "expired")


def next_state(state: str, event: str) -> str:
    """The state ``event`` leads to from ``state``; Conflict (409, ``desk.transition_not_allowed``) if none."""
    return machines.next_state(PolicyMachine, state, event)
