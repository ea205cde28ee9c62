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
