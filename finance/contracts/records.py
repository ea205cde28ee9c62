"""The contracts module's records: what its repository returns, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ContractRecord:
    """A stored contract document. ``licence`` is the licence's id."""

    id: int
    licence: int
    template: str
    template_version: str
    sha256: str
    path: str
    pages: int
    created_at: datetime
