"""The audit trail in plain words: each action code (``listings.declaration_published``) is shown as a sentence from
the catalogues (``audit.action.listings.declaration_published``), the raw code one click away on the page.

A test (tests/frontend/test_audit_words.py) finds every action the code base records and checks both catalogues
have its sentence, so a new action without words fails the build; an unknown code (an old event of an action since
renamed) is still shown, as a general sentence with the code beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from market.audit.schemas import AuditEventOut
from market.i18n import gettext

AUDIT_PREFIX = "audit.action."
OTHER = "audit.action_other"


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One audit event as the dashboard shows it: the sentence, and the raw code and object for the curious."""

    seq: int
    at: datetime
    action: str
    text: str
    entity_type: str
    entity_id: str


def action_code(action: str) -> str:
    return AUDIT_PREFIX + action


def audit_text(action: str, lang: str) -> str:
    """The sentence of an action code in ``lang`` (a general one for a code without words)."""
    code = action_code(action)
    text = gettext(lang, code)
    return gettext(lang, OTHER) if text == code else text


def audit_line(event: AuditEventOut, lang: str) -> AuditLine:
    return AuditLine(
        seq=event.seq,
        at=event.at,
        action=event.action,
        text=audit_text(event.action, lang),
        entity_type=event.entity_type,
        entity_id=event.entity_id,
    )
