"""State machines of the desk's cases: declared once per aggregate with python-statemachine, persisted by the desk.

A module declares its machine as a ``StateMachine`` subclass (states and events; one place per aggregate) and may
name the states where the case waits on the applicant (``waiting = frozenset({"more_info"})``): the SLA clock
pauses there. The library checks the graph; the desk persists a move as a conditional update on (state, version)
(``finance.desk.service.transition``), which is what makes two reviewers acting at once give one success and one
409. These helpers read the class's graph only: no machine is instantiated and no callback runs.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from market.errors import Conflict
from market.i18n import Msg

__all__ = ["State", "StateMachine", "events_from", "final_states", "initial_state", "next_state", "waiting_states"]


def _state(machine: type[StateMachine], state: str) -> State | None:
    return next((s for s in machine.states if s.id == state), None)


def next_state(machine: type[StateMachine], state: str, event: str) -> str:
    """The state ``event`` leads to from ``state``; ``Conflict("desk.transition_not_allowed")`` if it leads nowhere
    (an unknown state, an unknown event, or an event not allowed from there)."""
    current = _state(machine, state)
    if current is not None:
        for transition in current.transitions:
            if transition.match(event):
                return str(transition.target.id)
    raise Conflict(Msg("desk.transition_not_allowed", {"state": state, "event": event}))


def events_from(machine: type[StateMachine], state: str) -> tuple[str, ...]:
    """The events allowed from ``state``, in declaration order (pages show them as actions)."""
    current = _state(machine, state)
    if current is None:
        return ()
    return tuple(dict.fromkeys(e for t in current.transitions for e in str(t.event).split()))


def initial_state(machine: type[StateMachine]) -> str:
    return next(str(s.id) for s in machine.states if s.initial)


def final_states(machine: type[StateMachine]) -> frozenset[str]:
    return frozenset(str(s.id) for s in machine.states if s.final)


def waiting_states(machine: type[StateMachine]) -> frozenset[str]:
    """States flagged as waiting on the applicant (the class attribute ``waiting``): the SLA clock pauses there."""
    declared: frozenset[str] = frozenset(getattr(machine, "waiting", frozenset()))
    known = {str(s.id) for s in machine.states}
    unknown = set(declared) - known
    if unknown:
        raise ValueError(f"{machine.__name__}.waiting names states it does not have: {sorted(unknown)}")
    return frozenset(declared)
