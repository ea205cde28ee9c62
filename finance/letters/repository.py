"""Every query on decision letters."""

from __future__ import annotations

from datetime import datetime

from finance.letters.records import LetterRecord
from finance.letters.tables import DecisionLetter


async def of_decision(decision_id: int) -> LetterRecord | None:
    row = await DecisionLetter.select().where(DecisionLetter.decision == decision_id).first()
    return LetterRecord(**row) if row else None


async def get(letter_id: int) -> LetterRecord | None:
    row = await DecisionLetter.select().where(DecisionLetter.id == letter_id).first()
    return LetterRecord(**row) if row else None


async def of_case(case_id: int) -> list[LetterRecord]:
    rows = await DecisionLetter.select().where(DecisionLetter.case == case_id).order_by(DecisionLetter.id)
    return [LetterRecord(**r) for r in rows]


async def insert(
    *,
    decision_id: int,
    case_id: int,
    document_id: int,
    sha256: str,
    template: str,
    template_version: str,
    text_zh: str,
    text_en: str,
    at: datetime,
) -> int:
    rows = await DecisionLetter.insert(
        DecisionLetter(
            decision=decision_id,
            case=case_id,
            document=document_id,
            sha256=sha256,
            template=template,
            template_version=template_version,
            text_zh=text_zh,
            text_en=text_en,
            created_at=at,
        )
    ).returning(DecisionLetter.id)
    return int(rows[0]["id"])
