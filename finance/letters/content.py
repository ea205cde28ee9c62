"""The words of a decision letter, in one language, from the catalogues: the PDF and the notification are both
made from this, so they say the same thing. Pure: no database.

Reasons come as the desk's ``Reason``s: each line shows its code, its text (``reason.<code>``) and its article (the
reason's ``source``, a ``law.*`` code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from finance.desk.reasons import Reason
from market.i18n import Msg, gettext, render

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class LetterReason:
    code: str
    text: str
    article: str
    severity: str
    source_line: str  # "依据：<article>" / "Source: <article>"


@dataclass(frozen=True)
class LetterText:
    """The letter in one language."""

    lang: str
    title: str
    reference_line: str
    parties_line: str
    outcome_heading: str
    outcome: str
    reasons_heading: str
    reasons: tuple[LetterReason, ...]
    no_reasons: str
    note_heading: str
    note: str
    fix_heading: str
    fixes: tuple[str, ...]
    reapply_heading: str
    reapply: str
    closing: str


@dataclass(frozen=True)
class LetterFacts:
    """What a letter is made of (ids and texts as decided; the language comes later)."""

    reference: str
    decision: int
    decided_on: date
    applicant: str
    reviewer: str
    outcome: str
    reasons: tuple[Reason, ...]
    note: str
    what_to_fix: tuple[Msg, ...]
    how_to_reapply: Msg | None


def outcome_text(lang: str, outcome: str) -> str:
    code = f"letters.outcome.{outcome}"
    text = gettext(lang, code)
    return text if text != code else gettext(lang, "letters.outcome.other", outcome=outcome)


def compose(facts: LetterFacts, lang: str) -> LetterText:
    return LetterText(
        lang=lang,
        title=gettext(lang, "letters.title"),
        reference_line=gettext(lang, "letters.reference", reference=facts.reference, date=facts.decided_on),
        parties_line=gettext(lang, "letters.parties", applicant=facts.applicant, reviewer=facts.reviewer),
        outcome_heading=gettext(lang, "letters.outcome_heading"),
        outcome=outcome_text(lang, facts.outcome),
        reasons_heading=gettext(lang, "letters.reasons_heading"),
        reasons=tuple(
            LetterReason(
                code=r.code,
                text=render(r.msg, lang),
                article=gettext(lang, r.source),
                severity=gettext(lang, f"letters.severity.{r.severity.value}"),
                source_line=gettext(lang, "letters.source_line", article=gettext(lang, r.source)),
            )
            for r in facts.reasons
        ),
        no_reasons=gettext(lang, "letters.no_reasons"),
        note_heading=gettext(lang, "letters.note_heading"),
        note=facts.note,
        fix_heading=gettext(lang, "letters.fix_heading"),
        fixes=tuple(render(m, lang) for m in facts.what_to_fix),
        reapply_heading=gettext(lang, "letters.reapply_heading"),
        reapply=render(facts.how_to_reapply, lang) if facts.how_to_reapply else "",
        closing=gettext(lang, "letters.closing"),
    )


def as_text(letter: LetterText) -> str:
    """The letter as plain text (the notification's body), line for line what the PDF shows."""
    lines = [letter.title, letter.reference_line, letter.parties_line, "", letter.outcome_heading, letter.outcome, ""]
    lines.append(letter.reasons_heading)
    if letter.reasons:
        lines += [
            gettext(letter.lang, "letters.reason_line", reason=r.code, text=r.text, article=r.article,
                    severity=r.severity)
            for r in letter.reasons
        ]
    else:
        lines.append(letter.no_reasons)
    if letter.note:
        lines += ["", letter.note_heading, letter.note]
    if letter.fixes:
        lines += ["", letter.fix_heading, *(f"{n}. {f}" for n, f in enumerate(letter.fixes, 1))]
    if letter.reapply:
        lines += ["", letter.reapply_heading, letter.reapply]
    lines += ["", letter.closing]
    return "\n".join(lines)


def context(facts: LetterFacts, letters: Sequence[LetterText]) -> dict[str, Any]:
    """The plain values of the PDF template (the shape of ``finance/documents/decision_letter/sample.yaml``)."""
    return {
        "letter": {"reference": facts.reference, "decided_on": facts.decided_on, "decision": facts.decision,
                   "template": "decision_letter"},
        "languages": [
            {
                "lang": letter.lang,
                "title": letter.title,
                "reference_line": letter.reference_line,
                "parties_line": letter.parties_line,
                "outcome_heading": letter.outcome_heading,
                "outcome": letter.outcome,
                "reasons_heading": letter.reasons_heading,
                "reasons": [
                    {
                        "code": r.code,
                        "text": r.text,
                        "article": r.article,
                        "source_line": r.source_line,
                        "severity": r.severity,
                    }
                    for r in letter.reasons
                ],
                "no_reasons": letter.no_reasons,
                "note_heading": letter.note_heading,
                "note": letter.note,
                "fix_heading": letter.fix_heading,
                "fixes": list(letter.fixes),
                "reapply_heading": letter.reapply_heading,
                "reapply": letter.reapply,
                "closing": letter.closing,
            }
            for letter in letters
        ],
    }
