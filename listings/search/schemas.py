"""The search API in and out. Money is integer minor units (CNY fen); rates are basis points."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator, model_validator

from listings.advice.schemas import PriceCheckOut
from listings.declarations.schemas import CnipaOut, IpcFieldOut, VersionOut
from market.integrations.search import NumericRange, SearchQuery, SortOrder
from market.kit.law import PatentKind
from market.kit.schema import Out, Schema
from market.kit.words import MsgOut

MAX_QUERY_CHARS = 2000  # a pasted paragraph; longer is a 400 (issue 15)

# The term facets the search page and API count, in the order the page shows them.
FACETS = (
    "tech_fields",
    "industries",
    "kind",
    "payment_mode",
    "price_band",
    "region",
    "ipc_sections",
    "patentee",
    "university_org_id",
)
LIST_PARAMS = FACETS
PARAMS_EXAMPLE = {  # words: data
    "q": "处理 neural",
    "kind": ["invention"],
    "tech_fields": ["f6"],
    "sort": "relevance",
    "page": 1,
}


class SearchParams(Schema, json_schema_extra={"examples": [PARAMS_EXAMPLE]}):
    """A search: text (Chinese, English or both; typos forgiven in Latin-script words), filters (OR within one,
    AND across), bounds, sort and page. A saved search keeps these."""

    q: str = Field(
        default="",
        max_length=MAX_QUERY_CHARS,
        description='Words to find: a Chinese run matches as a substring; "phrases", OR, -word, patent numbers. '
        "A long text (a pasted paragraph) is searched by its most distinctive terms.",
    )
    tech_fields: list[str] = Field(default_factory=list, description="WIPO fields as f1..f35")
    industries: list[str] = Field(default_factory=list, description="Industry codes, e.g. MEDICAL_DEVICES")
    kind: list[str] = Field(default_factory=list, description="invention, utility_model, design")
    payment_mode: list[str] = Field(default_factory=list, description="lump_sum, running_royalty, entry_plus_royalty")
    price_band: list[str] = Field(default_factory=list, description="free, under_10k, 10k_100k, … royalty_only")
    region: list[str] = Field(default_factory=list, description="Province-level region codes, e.g. 330000")
    ipc_sections: list[str] = Field(default_factory=list, description="IPC sections A..H")
    patentee: list[str] = Field(default_factory=list)
    university_org_id: list[str] = Field(default_factory=list)
    price_min_minor: int | None = Field(default=None, ge=0, description="Up-front price at least (fen)")
    price_max_minor: int | None = Field(default=None, ge=0, description="Up-front price at most (fen)")
    remaining_min_years: float | None = Field(default=None, ge=0, le=30, description="At least this many years left")
    sort: SortOrder = "relevance"
    page: int = Field(default=1, ge=1, le=1000)
    per_page: int = Field(default=20, ge=1, le=100)

    @field_validator(*LIST_PARAMS, mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        return [str(v).strip() for v in value if str(v).strip()][:50]

    @model_validator(mode="after")
    def _bounds(self) -> SearchParams:
        low, high = self.price_min_minor, self.price_max_minor
        if low is not None and high is not None and low > high:
            raise ValueError("search.price_range_reversed")
        return self

    @property
    def filters(self) -> dict[str, list[str]]:
        return {f: list(getattr(self, f)) for f in FACETS if getattr(self, f)}

    @property
    def is_blank(self) -> bool:
        """No text and no filter: browsing everything."""
        return (
            not self.q.strip()
            and not self.filters
            and self.price_min_minor is None
            and (self.price_max_minor is None and self.remaining_min_years is None)
        )

    def to_query(self, *, facets: bool = True, suggest: bool = True) -> SearchQuery:
        ranges: dict[str, NumericRange] = {}
        if self.price_min_minor is not None or self.price_max_minor is not None:
            ranges["price_minor"] = NumericRange(gte=self.price_min_minor, lte=self.price_max_minor)
        if self.remaining_min_years is not None:
            ranges["remaining_years"] = NumericRange(gte=self.remaining_min_years)
        return SearchQuery.model_validate(
            {
                "text": self.q,
                "filters": self.filters,
                "ranges": ranges,
                "facets": [*FACETS, "remaining_years", "price_minor"] if facets else [],
                "sort": self.sort,
                "page": self.page,
                "per_page": self.per_page,
                "facet_limit": 30,
                "suggest": suggest,
            }
        )

    @classmethod
    def from_query(cls, query: SearchQuery, *, per_page: int = 20) -> SearchParams:
        price = query.ranges.get("price_minor")
        remaining = query.ranges.get("remaining_years")
        return cls.model_validate(
            {
                "q": query.text,
                **{k: v for k, v in query.filters.items()},
                "price_min_minor": int(price.gte) if price and price.gte is not None else None,
                "price_max_minor": int(price.lte) if price and price.lte is not None else None,
                "remaining_min_years": remaining.gte if remaining else None,
                "sort": query.sort,
                "page": query.page,
                "per_page": per_page,
            }
        )

    def as_query_params(self) -> dict[str, Any]:
        """The non-default values, as the API's and the page's query string takes them (lists repeat the key)."""
        out: dict[str, Any] = {}
        defaults = SearchParams()
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value != getattr(defaults, name):
                out[name] = value
        return out


class LabelOut(Out):
    code: str
    name_zh: str
    name_en: str


class FacetValueOut(Out):
    value: str
    count: int
    selected: bool
    label_zh: str
    label_en: str


class FacetOut(Out):
    name: str
    values: list[FacetValueOut]


class RangeStatsOut(Out):
    name: str
    min: float | None
    max: float | None


class SearchHitOut(Out):
    """One published listing found, with what a firm reads first and the matched words marked."""

    declaration_id: int
    patent_number: str
    kind: str
    title_zh: str
    title_en: str
    highlights: dict[str, str] = Field(
        description="title_zh, title_en, abstract_zh, abstract_en: escaped HTML with <mark> around matched words"
    )
    university: str
    university_org_id: int
    patentee: str
    tech_fields: list[LabelOut]
    remaining_years: float
    payment_mode: str
    currency: str
    price_minor: int = Field(description="Paid up front (lump sum or entry fee), fen; 0 for a royalty alone")
    royalty_rate_bp: int | None
    terms_summary: list[MsgOut] = Field(description="The terms in plain words, one message per part")
    price_badge: PriceCheckOut | None = Field(description="The price against the suggested band (None: cannot tell)")
    published_at: datetime | None
    score: float | None
    cnipa: CnipaOut | None = Field(default=None, description="Published here, to be filed with CNIPA, or announced")


class SuggestionOut(Out):
    """A change to an empty search that finds ``total`` listings."""

    kind: str  # spelling, remove_word, remove_filter, remove_range, remove_all_filters
    total: int
    removed: str | None
    corrections: dict[str, str]
    params: SearchParams


class SearchPageOut(Out):
    params: SearchParams
    total: int
    page: int
    per_page: int
    pages: int
    hits: list[SearchHitOut]
    facets: list[FacetOut]
    ranges: list[RangeStatsOut]
    suggestions: list[SuggestionOut]
    backend: str
    took_ms: float = Field(description="Time the search engine spent")


class ReindexReport(Out):
    indexed: int
    deleted: int
    seconds: float


class DrainReport(Out):
    processed: int
    upserted: int
    deleted: int
    first_indexed: int


class ListingOut(Out):
    """The public page of a published declaration: what a firm needs to decide and to request a licence."""

    id: int
    patent_number: str
    kind: PatentKind
    title_zh: str
    title_en: str
    abstract: str
    ipc: list[IpcFieldOut]
    patentees: list[str]
    university: str
    university_org_id: int
    university_verified: bool = Field(
        default=False, description="The university is approved by the platform (已认证); False: pending or suspended"
    )
    filing_date: date | None
    expiry_date: date | None
    remaining_years: Decimal
    version: int
    published_at: datetime | None
    terms: VersionOut
    price_check: PriceCheckOut | None = Field(
        default=None, description="Where the declared price lies against the suggested band (None: cannot tell)."
    )
    status: str = Field(default="published", description="published; withdrawn only on the withdrawal notice page.")
    withdrawn_at: datetime | None = None


class ListingPage(Out):
    items: list[ListingOut]
    total: int
    page: int
    per_page: int
