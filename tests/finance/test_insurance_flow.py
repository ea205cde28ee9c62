"""The insurance application through the services, on both databases: the questionnaire answered once and frozen
with its version, the Art 16 acknowledgement (who, when) and the quote (answering again, or changing an answer, is a
409 and writes nothing; a later change of the product's questionnaire changes nothing here); more information
asked and given; one underwriter decides at or below the threshold, four eyes above it (the maker's own approval
refused); a decline carries coded reasons and a sealed bilingual letter; ``insurance.accepted`` is emitted and
``mark_bound`` closes the application."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from finance.desk import service as desk
from finance.insurance import service as insurance
from finance.insurance.schemas import AnswersIn, ApprovalIn, DecisionIn, MoreInfoIn, MoveIn
from finance.insurance.tables import InsuranceApplication
from finance.insurance_products import service as products
from finance.insurance_products.schemas import VersionIn
from finance.letters import service as letters
from market.audit.service import Actor
from market.errors import Conflict, Forbidden, ValidationFailed
from market.events.tables import DomainEvent
from market.jobs import unit_of_work
from market.notifications.tables import Notification
from tests.finance.insurance_support import (
    ANSWERS,
    PRODUCT,
    SME_NAME,
    accepted_application,
    answer,
    apply,
    insurer,
    sme,
    submitted,
    upload,
)
from tests.listings.support import eligible, record


async def stored(application_id: int) -> dict[str, Any]:
    row = await InsuranceApplication.select().where(InsuranceApplication.id == application_id).first()
    assert row is not None
    return dict(row)


async def test_answers_are_frozen_once_with_their_version_and_the_quote(backend: Any) -> None:
    cover = await insurer()
    firm = await sme()
    app = await apply(firm, cover)
    assert not app.answered and app.quote is None and app.questionnaire_version == 1
    assert [q.key for q in app.questions] == ["known_disputes", "turnover"]

    # not acknowledged, or an answer missing: refused beside the field, nothing written
    with pytest.raises(ValidationFailed) as refused:
        async with unit_of_work():
            await insurance.answer(
                principal=firm.principal, application_id=app.id,
                data=AnswersIn(questionnaire_version=1, answers=ANSWERS, acknowledge_disclosure=False),
            )  # fmt: skip
    assert [e.field for e in refused.value.errors] == ["acknowledge_disclosure"]
    with pytest.raises(ValidationFailed) as refused:
        async with unit_of_work():
            await insurance.answer(
                principal=firm.principal, application_id=app.id,
                data=AnswersIn(questionnaire_version=1, answers={"known_disputes": "no"}, acknowledge_disclosure=True),
            )  # fmt: skip
    assert {e.field for e in refused.value.errors} == {"answers.known_disputes", "answers.turnover"}
    assert (await stored(app.id))["answered_at"] is None

    answered = await answer(firm, app.id)
    assert answered.answered and answered.state == "draft" and answered.reference.startswith("IN-")
    assert answered.answers == ANSWERS and answered.questionnaire_version == 1
    assert answered.disclosure_ack_by == firm.principal.user_id and answered.disclosure_ack_at is not None
    quote = answered.quote
    assert quote is not None
    # PICC 2012 shape, one patent: CNY 2,000 base + 200 per patent = 2,200; limit 15x = 33,000
    assert (quote.premium_minor, quote.aggregate_limit_minor) == (220_000, 3_300_000)
    assert [line.amount_minor for line in quote.lines][:2] == [200_000, 20_000]
    assert quote.valid_until == insurance.today() + timedelta(days=30)
    case = await desk.case(answered.case_id or 0)
    assert case is not None and case.amount_minor == 3_300_000 and case.kind == "insurance"
    before = await stored(app.id)

    # answering again, or changing an answer, is a 409 with a clear message and writes nothing
    for answers in (ANSWERS, {**ANSWERS, "known_disputes": True}):
        with pytest.raises(Conflict) as frozen:
            await answer(firm, app.id, answers)
        assert frozen.value.message.code == "insurance.answers_frozen"
    assert await stored(app.id) == before

    # the insurer changes its questionnaire (a new version of the product): the frozen application does not change
    terms = {k: v for k, v in PRODUCT.items() if k not in ("code", "kind")}
    terms["questions"] = [*PRODUCT["questions"], {"key": "prior_claims", "kind": "yes_no", "material": True}]
    async with unit_of_work():
        changed = await products.new_version(
            principal=cover.underwriter, product_id=cover.product_id, data=VersionIn(expected_version=1, **terms)
        )
    assert changed.questionnaire.version == 2
    again = await insurance.get(principal=firm.principal, application_id=app.id)
    assert again.questionnaire_version == 1 and [q.key for q in again.questions] == ["known_disputes", "turnover"]
    assert again.quote == answered.quote and await stored(app.id) == before
    record_ = await insurance.application(app.id)
    assert record_.questionnaire_version == 1 and record_.quote["premium_minor"] == 220_000
    assert record_.disclosure_ack_by == firm.principal.user_id


async def test_more_info_then_one_underwriter_accepts_with_conditions(backend: Any) -> None:
    cover = await insurer()
    firm = await sme()
    app = await submitted(firm, cover)
    assert app.state == "in_review" and not app.four_eyes
    told = await Notification.select().where(Notification.kind == "insurance")
    assert {n["user"] for n in told} >= {cover.underwriter.user_id}  # submitted: the insurer's members told

    async with unit_of_work():
        app = await insurance.request_info(
            principal=cover.underwriter, application_id=app.id,
            data=MoreInfoIn(
                expected_version=app.version, requirements=["patent_certificate"], text="请补充证书"  # words: data
            ),
        )
    assert app.state == "more_info"
    await upload(firm.principal, app.id)
    async with unit_of_work():
        app = await insurance.resubmit(
            principal=firm.principal, application_id=app.id, data=MoveIn(expected_version=app.version)
        )
    assert app.state == "in_review"

    conditions = ["不承保保单生效前已知的侵权纠纷"]  # words: data
    async with unit_of_work():
        app = await insurance.decide(
            principal=cover.underwriter, application_id=app.id,
            data=DecisionIn(expected_version=app.version, outcome="accept", conditions=conditions,
                            reasons=["insurance.condition.exclusion"]),
        )  # fmt: skip
    assert app.state == "accepted" and app.conditions == conditions
    made = [d for d in app.decisions if d.kind == "underwriting"]
    assert made[0].outcome == "accepted" and made[0].conditions == conditions
    assert made[0].reasons[0].source == "law.insurance.underwriting_rules"
    issued = await letters.letters_of_case(app.case_id or 0)
    assert len(issued) == 1  # accepted with conditions: a letter
    events = [e["name"] for e in await DomainEvent.select(DomainEvent.name)]
    assert insurance.ACCEPTED_EVENT in events

    async with unit_of_work():
        await insurance.mark_bound(app.id, policy_id=77, actor=Actor(None, None))
    bound = await insurance.application(app.id)
    assert bound.state == "bound" and bound.policy == 77
    with pytest.raises(Conflict):
        async with unit_of_work():
            await insurance.mark_bound(app.id, policy_id=78, actor=Actor(None, None))


async def test_four_eyes_above_the_threshold(backend: Any) -> None:
    cover = await insurer()
    firm = await sme()
    more = [await record(firm.principal, eligible(n, patentees=[SME_NAME]))
            for n in ("CN108982326B", "CN109637352B", "CN108859303B")]  # fmt: skip
    app = await submitted(firm, cover, firm.patent, *more)
    assert app.four_eyes and app.quote is not None and app.quote.aggregate_limit_minor == 4_200_000

    async with unit_of_work():
        app = await insurance.decide(
            principal=cover.underwriter, application_id=app.id,
            data=DecisionIn(expected_version=app.version, outcome="accept"),
        )  # fmt: skip
    assert app.state == "proposed" and app.pending_proposal_id is not None
    # the maker may not approve its own proposal: refused, nothing moves
    with pytest.raises(Forbidden) as refused:
        async with unit_of_work():
            await insurance.approve(
                principal=cover.underwriter, application_id=app.id,
                data=ApprovalIn(expected_version=app.version, proposal_id=app.pending_proposal_id),
            )  # fmt: skip
    assert refused.value.message.code == "desk.four_eyes"
    assert (await insurance.application(app.id)).state == "proposed"
    async with unit_of_work():
        app = await insurance.approve(
            principal=cover.checker, application_id=app.id,
            data=ApprovalIn(expected_version=app.version, proposal_id=app.pending_proposal_id),
        )  # fmt: skip
    assert app.state == "accepted"
    assert [d.kind for d in app.decisions][-3:] == ["proposal", "approval", "underwriting"]


async def test_a_decline_has_coded_reasons_and_a_bilingual_letter(backend: Any) -> None:
    cover = await insurer()
    firm = await sme()
    app = await submitted(firm, cover)
    with pytest.raises(ValidationFailed):  # a decline needs a coded reason
        async with unit_of_work():
            await insurance.decide(
                principal=cover.underwriter, application_id=app.id,
                data=DecisionIn(expected_version=app.version, outcome="decline"),
            )  # fmt: skip
    async with unit_of_work():
        app = await insurance.decide(
            principal=cover.underwriter, application_id=app.id,
            data=DecisionIn(expected_version=app.version, outcome="decline",
                            reasons=["insurance.decline.non_disclosure"], text="问卷未告知已知纠纷"),  # words: data
        )  # fmt: skip
    assert app.state == "declined"
    decision = next(d for d in app.decisions if d.kind == "underwriting")
    coded = [(r.code, r.source) for r in decision.reasons]
    assert coded == [("insurance.decline.non_disclosure", "law.insurance.art16")]
    [letter] = await letters.letters_of_case(app.case_id or 0)
    zh = await letters.letter_text(letter.decision, "zh")
    en = await letters.letter_text(letter.decision, "en")
    assert "拒绝承保" in zh and "保险法" in zh  # words: data
    assert "Declined" in en and "Art 16" in en and "insurance.decline.non_disclosure" in en
    assert len(letter.sha256) == 64
    declined = [e for e in await DomainEvent.select() if e["name"] == insurance.DECLINED_EVENT]
    payload = declined[0]["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert payload["reasons"] == ["insurance.decline.non_disclosure"]
    assert payload["insurer_org"] == cover.underwriter.org_id


async def test_an_accepted_application_for_other_modules(backend: Any) -> None:
    accepted = await accepted_application()
    found = await insurance.application(accepted.application_id)
    assert found.state == "accepted" and found.patent_ids == (accepted.sme.patent,)
    assert found.insurer == accepted.insurer.underwriter.org_id and found.applicant == accepted.sme.principal.org_id
    assert found.quote["premium_minor"] == 220_000 and found.quote_valid_until is not None
    assert await insurance.firm_tier(accepted.sme.principal.org_id) == "sme"


async def test_an_accepted_application_lapses_when_its_quote_ends_unbound(backend: Any, monkeypatch: Any) -> None:
    accepted = await accepted_application()
    found = await insurance.application(accepted.application_id)
    assert found.quote_valid_until is not None
    async with unit_of_work():  # nothing lapses while the quote is valid
        assert await insurance.lapse_unbound(on=found.quote_valid_until) == 0
    later = found.quote_valid_until + timedelta(days=1)
    monkeypatch.setattr(insurance, "today", lambda: later)
    with pytest.raises(Conflict) as refused:  # binding after the quote's validity is refused
        async with unit_of_work():
            await insurance.mark_bound(accepted.application_id, policy_id=5, actor=Actor(None, None))
    assert refused.value.message.code == "insurance.quote_expired"
    async with unit_of_work():
        assert await insurance.lapse_unbound(on=later) == 1
    async with unit_of_work():  # run twice: once
        assert await insurance.lapse_unbound(on=later) == 0
    assert (await insurance.application(accepted.application_id)).state == "lapsed"


async def test_a_dispute_recorded_after_applying_blocks_the_submission(backend: Any) -> None:
    from listings.patents import service as patents
    from listings.patents.schemas import PatentFactsIn

    cover = await insurer()
    firm = await sme()
    app = await answer(firm, (await apply(firm, cover)).id)
    await upload(firm.principal, app.id)
    async with unit_of_work():
        await patents.update_facts(
            principal=firm.principal, patent_id=firm.patent, data=PatentFactsIn(infringement_dispute="pending")
        )
    with pytest.raises(ValidationFailed) as refused:
        async with unit_of_work():
            await insurance.submit(principal=firm.principal, application_id=app.id, version=app.version)
    assert [e.code for e in refused.value.errors] == ["insurance.eligibility.infringement_dispute"]
    assert (await insurance.application(app.id)).state == "draft"
    async with unit_of_work():  # the SME withdraws it
        gone = await insurance.withdraw(
            principal=firm.principal, application_id=app.id, data=MoveIn(expected_version=app.version)
        )
    assert gone.state == "withdrawn" and gone.events == []
