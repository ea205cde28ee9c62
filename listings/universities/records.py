"""What the universities repository returns: frozen records of its table, built from Piccolo's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class UniversityProfileRecord:
    """A row of ``listings_university_profile``."""

    id: int
    organisation: int
    inventor_reward_share_bp: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PatenteeAliasRecord:
    """A row of ``listings_patentee_alias``."""

    id: int
    organisation: int
    name: str
    name_key: str
    kind: str
    evidence_note: str
    evidence_ref: str
    created_by: int | None
    created_at: datetime
