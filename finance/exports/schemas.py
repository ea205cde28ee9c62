"""The bank portfolio in the API; the package manifest's shape (written by hand)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from market.kit.schema import Out


class StateLineOut(Out):
    state: str
    currency: str
    count: int
    amount_minor: int


class AgeLineOut(Out):
    bucket: str = Field(description="Days since the case was opened: 0-7, 8-30, 31-90, 91+")
    currency: str
    count: int
    amount_minor: int


class BreachOut(Out):
    case_id: int
    kind: str
    subject: int
    reference: str
    state: str
    currency: str
    amount_minor: int
    due_on: date | None
    breached_on: date


class PortfolioOut(Out):
    on: date
    kind: str | None
    states: list[StateLineOut]
    ageing: list[AgeLineOut] = Field(description="Open cases by age")
    breached_open: int = Field(description="Open cases past their SLA")
    breaches: list[BreachOut] = Field(description="The latest open SLA breaches, newest first")


class ManifestFileOut(Out):
    path: str
    sha256: str
    size: int
    content_type: str


class ManifestOut(Out):
    format: str
    application_id: int
    reference: str
    generated_at: str
    files: list[ManifestFileOut]
