"""The CNIPA registration of a pledge, declared in one place (python-statemachine checks the graph; the service
persists a move by a conditional UPDATE on (id, state, version) in the transaction that writes the audit event).

    awaiting_signatures -> ready_to_file -> filed -> registered -> release_due -> release_filed -> released
                                         filed <-> correction_requested (waiting on the parties: the SLA pauses)
                                         filed -> refused (with its ground)

CNIPA decides within 7 working days (专利权质押登记办法; RULES.md): the clock runs from filing, pauses while a
correction is asked for and stops at a decision.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from finance.desk import machines

SLA_WORKING_DAYS = 7


class RegistrationMachine(StateMachine):
    awaiting_signatures = State(initial=True)
    ready_to_file = State()
    filed = State()
    correction_requested = State()
    registered = State()
    refused = State(final=True)
    release_due = State()
    release_filed = State()
    released = State(final=True)

    sign_complete = awaiting_signatures.to(ready_to_file)
    file = ready_to_file.to(filed)
    request_correction = filed.to(correction_requested)
    resubmit = correction_requested.to(filed)
    register = filed.to(registered)
    refuse = filed.to(refused) | correction_requested.to(refused)
    repaid = registered.to(release_due)
    file_release = release_due.to(release_filed) | registered.to(release_filed)
    register_release = release_filed.to(released)


WAITING = frozenset({"correction_requested"})  # waiting on the parties: CNIPA's clock is paused
RUNNING = frozenset({"filed"})  # CNIPA's clock runs
PLEDGED = frozenset({"registered", "release_due", "release_filed"})  # the pledge exists (from registration)


def next_state(state: str, event: str) -> str:
    """The state ``event`` leads to from ``state``; Conflict (409, ``desk.transition_not_allowed``) if none."""
    return machines.next_state(RegistrationMachine, state, event)


def final_states() -> frozenset[str]:
    return frozenset(s.id for s in RegistrationMachine.states if s.final)


def events_from(state: str) -> list[str]:
    """The moves open from ``state`` (the pages show these and only these)."""
    out: list[str] = []
    for source in RegistrationMachine.states:
        if source.id == state:
            for transition in source.transitions:
                out += sorted(str(e) for e in transition.events if str(e) not in out)
    return out
