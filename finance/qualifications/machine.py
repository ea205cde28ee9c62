"""A recorded qualification's states and moves, declared once (python-statemachine); the service checks a move
against this graph (``next_status``) and the repository writes it conditionally on (status, version).

    recorded → verified | rejected (a platform administrator, with a reason code when rejecting)
    recorded | verified → revoked (a platform administrator, reason code: the certificate was withdrawn or false)
    recorded | verified → superseded (the organisation records a newer one of the same kind)
"""

from __future__ import annotations

from statemachine import State, StateMachine

from market.errors import Conflict
from market.i18n import Msg


class QualificationMachine(StateMachine):
    recorded = State(initial=True)
    verified = State()
    rejected = State(final=True)
    revoked = State(final=True)
    superseded = State(final=True)

    verify = recorded.to(verified)
    reject = recorded.to(rejected)
    revoke = recorded.to(revoked) | verified.to(revoked)
    supersede = recorded.to(superseded) | verified.to(superseded)


STATUSES = ("recorded", "verified", "rejected", "revoked", "superseded")
LIVE = ("recorded", "verified")


def next_status(status: str, event: str) -> str:
    """The status ``event`` leads to from ``status``; a 409 ``qualification.move_not_allowed`` otherwise."""
    for state in QualificationMachine.states:
        if state.id == status:
            for transition in state.transitions:
                if transition.match(event):
                    return str(transition.target.id)
    raise Conflict(Msg("qualification.move_not_allowed", {"status": Msg(f"qualification.status.{status}")}))


def events_from(status: str) -> tuple[str, ...]:
    """The moves allowed from ``status`` (pages show them as actions)."""
    for state in QualificationMachine.states:
        if state.id == status:
            return tuple(dict.fromkeys(e for t in state.transitions for e in str(t.event).split()))
    return ()
