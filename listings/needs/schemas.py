"""Needs, matches and saved searches in and out. Money is integer minor units (CNY fen)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from listings.search.schemas import LabelOut, SearchParams
from market.kit.schema import MinorUnits, Out, Schema
from market.kit.words import MsgOut

NEED_EXAMPLE = {  # words: data
    "title": "污水处理设备的膜过滤技术",
    "description": "我们生产工业污水处理设备，希望获得膜过滤、反渗透方面的专利许可，用于印染废水。",
    "tech_field": 24,
    "budget_max_minor": 50_000_000,
    "region": "330000",
    "deadline": "2027-06-30",
}


class NeedIn(Schema, json_schema_extra={"examples": [NEED_EXAMPLE]}):
    """What an SME looks for. ``budget_max_minor``: the most it would pay up front (a lump sum or an entry fee), in
    fen; ``tech_field``: one of WIPO's 35 technology fields (optional)."""

    title: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=4000)
    tech_field: int | None = Field(default=None, ge=1, le=35)
    budget_max_minor: MinorUnits | None = Field(default=None, le=100_000_000_000)
    region: str = Field(default="", max_length=20, pattern=r"^(\d{6})?$")
    deadline: date | None = None


class NeedOut(Out):
    id: int
    org_id: int
    org_name: str
    title: str
    description: str
    tech_field: int | None
    tech_field_label: LabelOut | None
    budget_max_minor: int | None
    currency: str
    region: str
    deadline: date | None
    status: str
    created_at: datetime
    updated_at: datetime


class ReasonOut(MsgOut):
    """One part of a match score, said plainly: ``code`` is the part (terms, field, budget, life); its message is
    ``message_code`` with ``params``, and ``message`` in the reader's language."""

    points: int
    max_points: int
    message_code: str

    @property
    def catalogue_code(self) -> str:
        return self.message_code


class MatchOut(Out):
    """A published listing ranked for a need (or a need for a listing), with why."""

    declaration_id: int
    patent_number: str
    title_zh: str
    title_en: str
    university: str
    tech_fields: list[LabelOut]
    payment_mode: str
    price_minor: int
    royalty_rate_bp: int | None
    remaining_years: float
    score: int = Field(ge=0, le=100)
    matched_terms: list[str]
    reasons: list[ReasonOut]


class NeedMatchesOut(Out):
    need: NeedOut
    matches: list[MatchOut]


class ListingNeedOut(Out):
    """A need that matches one of a university's listings."""

    need: NeedOut
    score: int
    matched_terms: list[str]
    reasons: list[ReasonOut]


class SavedSearchIn(
    Schema,
    json_schema_extra={
        "examples": [{"name": "膜过滤专利", "params": {"q": "膜过滤", "kind": ["invention"]}}]  # words: data
    },
):
    name: str = Field(min_length=1, max_length=200)
    params: SearchParams


class SavedSearchOut(Out):
    id: int
    name: str
    params: SearchParams
    created_at: datetime
