"""Two underwriters deciding the same application at once on PostgreSQL (each in its own transaction, as two
requests would be): one decision stands, the other is a 409 and leaves nothing behind; two answers at once freeze
one set of answers."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from finance.desk import service as desk
from finance.insurance import service as insurance
from finance.insurance.schemas import AnswersIn, DecisionIn
from market.errors import MarketError
from market.events.tables import DomainEvent
from market.jobs import unit_of_work
from tests.conftest import Backend
from tests.finance.insurance_support import ANSWERS, apply, insurer, sme, submitted

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


async def outcome(action: Any) -> int:
    """200 for a success, the error's status otherwise (as the API would answer)."""
    try:
        async with unit_of_work():
            await action()
    except MarketError as exc:
        return exc.status
    return 200


async def test_two_underwriters_at_once_one_succeeds_one_409(backend: Backend) -> None:
    cover = await insurer()
    firm = await sme()
    app = await submitted(firm, cover)

    def decision(who: Any, outcome_: str) -> Any:
        reasons = ["insurance.decline.underwriting_rules"] if outcome_ == "decline" else []
        data = DecisionIn(expected_version=app.version, outcome=outcome_, reasons=reasons)  # type: ignore[arg-type]
        return lambda: insurance.decide(principal=who, application_id=app.id, data=data)

    answers = await asyncio.gather(
        outcome(decision(cover.underwriter, "accept")), outcome(decision(cover.checker, "decline"))
    )
    assert Counter(answers) == Counter({200: 1, 409: 1}), answers
    assert app.case_id is not None
    made = [d for d in await desk.decisions(app.case_id) if d.kind == "underwriting"]
    assert len(made) == 1
    state = (await insurance.application(app.id)).state
    assert state == ("accepted" if made[0].outcome == "accepted" else "declined")
    names = [e["name"] for e in await DomainEvent.select(DomainEvent.name)]
    assert names.count(insurance.ACCEPTED_EVENT) + names.count(insurance.DECLINED_EVENT) == 1


async def test_two_answers_at_once_freeze_one(backend: Backend) -> None:
    cover = await insurer()
    firm = await sme()
    app = await apply(firm, cover)

    def answering(known: bool) -> Any:
        data = AnswersIn(
            questionnaire_version=1, answers={**ANSWERS, "known_disputes": known}, acknowledge_disclosure=True
        )
        return lambda: insurance.answer(principal=firm.principal, application_id=app.id, data=data)

    answers = await asyncio.gather(outcome(answering(False)), outcome(answering(True)))
    assert Counter(answers) == Counter({200: 1, 409: 1}), answers
    found = await insurance.application(app.id)
    assert found.case is not None and found.questionnaire_version == 1
