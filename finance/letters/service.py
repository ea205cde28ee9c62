"""Decision letters: ``render_letter(decision, case, what_to_fix=..., how_to_reapply=...)`` writes a desk decision
as a bilingual PDF (``finance/documents/decision_letter``: the Chinese letter, then the English one), seals it
(``finance.signatures.seal``), stores it as the case's dossier document ``decision_letter``, records its SHA-256 in
the audit trail and emits ``letters.issued`` (the applicant's members are notified with the same text:
``finance.letters.jobs``). Once per decision: a second call returns the first letter.

``letter_text(decision, lang)`` is the stored letter's text in ``lang``; ``compose_text(...)`` the same without
storing anything (a preview).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from finance.desk import service as desk
from finance.desk.records import CaseRecord, DecisionRecord
from finance.dossiers import service as dossiers
from finance.dossiers.checklist import PDF, Requirement
from finance.letters import repository
from finance.letters.content import LANGUAGES, LetterFacts, as_text, compose, context
from finance.letters.records import LetterRecord
from finance.letters.schemas import LetterOut
from finance.signatures import service as signatures
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.i18n import Msg
from market.integrations.pdf import render_document_in_thread
from market.integrations.signing import SealCheck
from market.orgs import service as org_service

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
LETTER_FOLDER = DOCUMENTS / "decision_letter"
LETTER = Requirement(code="decision_letter", required=False, accepted_types=(PDF,))
SEAL_REASON = "decision_letter"

letter_of = repository.of_decision
letters_of_case = repository.of_case


async def facts(
    decision: DecisionRecord, found_case: CaseRecord, *, what_to_fix: Sequence[Msg], how_to_reapply: Msg | None
) -> LetterFacts:
    applicant = await org_service.org_by_id(found_case.applicant_org)
    reviewer = await org_service.org_by_id(found_case.reviewer_org)
    return LetterFacts(
        reference=found_case.reference,
        decision=decision.id,
        decided_on=decision.decided_at.date(),
        applicant=applicant.name if applicant else "",
        reviewer=reviewer.name if reviewer else "",
        outcome=decision.outcome,
        reasons=tuple(decision.reasons),
        note=decision.text,
        what_to_fix=tuple(what_to_fix),
        how_to_reapply=how_to_reapply,
    )


async def compose_text(
    decision: DecisionRecord,
    found_case: CaseRecord,
    lang: str,
    *,
    what_to_fix: Sequence[Msg] = (),
    how_to_reapply: Msg | None = None,
) -> str:
    made = await facts(decision, found_case, what_to_fix=what_to_fix, how_to_reapply=how_to_reapply)
    return as_text(compose(made, lang))


async def render_letter(
    decision: DecisionRecord,
    case: CaseRecord,
    *,
    what_to_fix: Sequence[Msg] = (),
    how_to_reapply: Msg | None = None,
) -> LetterRecord:
    """The decision's letter, rendered, sealed, stored and audited (once per decision)."""
    if decision.case != case.id:
        raise ValueError("the decision is not of this case")
    known = await repository.of_decision(decision.id)
    if known is not None:
        return known
    made = await facts(decision, case, what_to_fix=what_to_fix, how_to_reapply=how_to_reapply)
    texts = [compose(made, lang) for lang in LANGUAGES]
    rendered = await render_document_in_thread(LETTER_FOLDER, context(made, texts))
    sealed = await signatures.seal(rendered.pdf, reason=SEAL_REASON)
    stored = await dossiers.issue(
        case_id=case.id,
        requirement=LETTER,
        filename=f"{case.reference}-decision-{decision.id}.pdf",
        content=sealed,
        actor=Actor.system(),
    )
    by_lang = {t.lang: as_text(t) for t in texts}
    letter_id = await repository.insert(
        decision_id=decision.id,
        case_id=case.id,
        document_id=stored.id,
        sha256=stored.sha256,
        template=rendered.document,
        template_version=rendered.version,
        text_zh=by_lang["zh"],
        text_en=by_lang["en"],
        at=datetime.now(UTC),
    )
    await record(
        actor=Actor.system(),
        action="letters.issued",
        entity_type="desk_decision",
        entity_id=decision.id,
        org_id=case.reviewer_org,
        after={
            "letter": letter_id,
            "case": case.id,
            "reference": case.reference,
            "document": stored.id,
            "sha256": stored.sha256,
            "template": rendered.document,
            "template_version": rendered.version,
            "pages": rendered.pages,
            "outcome": decision.outcome,
            "reasons": [r.code for r in decision.reasons],
        },
    )
    await events.emit("letters.issued", letter_id=letter_id)
    letter = await repository.get(letter_id)
    assert letter is not None
    return letter


async def letter_text(decision: DecisionRecord | int, lang: str) -> str:
    """The stored letter of ``decision`` in ``lang`` (empty if it has none)."""
    decision_id = decision if isinstance(decision, int) else decision.id
    letter = await repository.of_decision(decision_id)
    return letter.text(lang) if letter else ""


async def check(letter_id: int) -> SealCheck:
    """The stored letter's seal, checked again (its bytes are also checked against their SHA-256)."""
    letter = await repository.get(letter_id)
    if letter is None:
        raise ValueError(f"no letter {letter_id}")
    return await signatures.verify(await dossiers.content(letter.document))


def letter_out(letter: LetterRecord, lang: str) -> LetterOut:
    return LetterOut(
        id=letter.id,
        decision=letter.decision,
        case_id=letter.case,
        sha256=letter.sha256,
        template=letter.template,
        template_version=letter.template_version,
        created_at=letter.created_at,
        text=letter.text(lang),
        url=f"/api/dossiers/documents/{letter.document}/content",
    )


async def letters_for(*, principal: Principal, case_id: int, lang: str) -> list[LetterOut]:
    """A case's letters, for its applicant and reviewer organisations (any other: 404)."""
    found = await dossiers.case_for_party(principal=principal, case_id=case_id)
    return [letter_out(x, lang) for x in await repository.of_case(found.id)]


async def applicant_members(letter_id: int) -> tuple[LetterRecord, CaseRecord, list[int]] | None:
    letter = await repository.get(letter_id)
    if letter is None:
        return None
    found = await desk.case(letter.case)
    if found is None:
        return None
    members = await org_service.members_of_org(found.applicant_org)
    return letter, found, [m.user_id for m in members]
