"""The search port: what is indexed (``SearchDocument``), what is asked (``SearchQuery``), what comes back
(``SearchResult``), and the ``SearchBackend`` protocol both adapters implement.

Facets and filters (identical in both engines):

- a term facet's filter is a list of values: OR within the facet, AND across facets; values compare trimmed,
  Unicode-NFKD and case-insensitive (Meilisearch's rule);
- ``ranges`` bound the numeric fields (inclusive ``gte`` / ``lte``; an absent ``royalty_rate_bp`` never matches);
- facet counts are **disjunctive**: each facet is counted with the query text and every filter *except its own*,
  so a facet keeps showing the other values one may add to the selection (a selected value is listed even with 0).
  Numeric fields asked for as facets come back as min/max ``stats`` under the same rule.

The backend is synchronous (tantivy answers in about a millisecond, the Meilisearch client is blocking HTTP);
async callers use ``SearchIndex`` (``facade.py``), which runs each call in a worker thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Literal, Protocol, get_args, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from market.errors import TemporaryFailure
from market.integrations.errors import AdapterError
from market.kit.law import PatentKind, PaymentMode

TermFacet = Literal[
    "tech_fields",
    "industries",
    "ipc_sections",
    "ipc_classes",
    "kind",
    "patentee",
    "region",
    "payment_mode",
    "price_band",
    "university_org_id",
]
RangeField = Literal["remaining_years", "price_minor", "royalty_rate_bp"]
SortOrder = Literal[
    "relevance",
    "price_asc",
    "price_desc",
    "remaining_years_asc",
    "remaining_years_desc",
    "publication_date_asc",
    "publication_date_desc",
]

TERM_FACETS: tuple[str, ...] = get_args(TermFacet)
RANGE_FIELDS: tuple[str, ...] = get_args(RangeField)
SORT_ORDERS: tuple[str, ...] = get_args(SortOrder)
INTEGER_FIELDS = frozenset({"price_minor", "royalty_rate_bp"})
HIGHLIGHT_FIELDS = ("title_zh", "title_en", "abstract_zh", "abstract_en")
ID_PATTERN = r"^[A-Za-z0-9_-]{1,511}$"  # Meilisearch's rule for document ids
_IPC_CLASS = re.compile(r"^([A-H])(\d{2})")


class SearchError(AdapterError):
    """The search engine refused a request (a bug or a misconfiguration, not the user's input)."""

    status = 500
    code = "search-error"
    title = says = "search.failed"


class SearchUnavailable(AdapterError, TemporaryFailure):
    """The engine is down, busy or locked by another writer: a job retries, a page answers 503."""

    code = "search-unavailable"
    title = says = "search.unavailable"


def ipc_parts(codes: Iterable[str]) -> tuple[list[str], list[str]]:
    """IPC sections and classes of IPC codes: ["A61K 39/215", "C07K14/165"] -> (["A", "C"], ["A61", "C07"])."""
    sections: dict[str, None] = {}
    classes: dict[str, None] = {}
    for code in codes:
        m = _IPC_CLASS.match(code.strip().upper())
        if m:
            sections[m.group(1)] = None
            classes[m.group(1) + m.group(2)] = None
    return list(sections), list(classes)


class SearchDocument(BaseModel):
    """One listing as the search engines hold it. Build it from the listing and its patent; ``ipc_sections`` and
    ``ipc_classes`` are derived from ``ipc_codes`` when left empty. Facet values should be stable codes (WIPO field
    names or ids, industry codes, region codes): they are what filters and facet counts carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN, description="The listing id (letters, digits, - and _).")
    patent_number: str
    application_number: str = Field(default="", description="Found by its usual forms too (numbers.number_forms)")
    title_zh: str = ""
    title_en: str = ""
    abstract_zh: str = ""
    abstract_en: str = ""
    claims_excerpt: str = ""
    ipc_codes: list[str] = Field(default_factory=list)
    ipc_sections: list[str] = Field(default_factory=list, description='e.g. ["A", "C"]')
    ipc_classes: list[str] = Field(default_factory=list, description='e.g. ["A61", "C07"]')
    tech_fields: list[str] = Field(default_factory=list, description="WIPO technology fields")
    industries: list[str] = Field(default_factory=list)
    kind: PatentKind
    patentee: str
    university_org_id: int
    region: str = Field(description="Region code, e.g. 330000")
    payment_mode: PaymentMode
    price_band: str = Field(description='A price bucket label, e.g. "<10万"')
    price_minor: int = Field(ge=0, description="Price in CNY fen")
    royalty_rate_bp: int | None = Field(default=None, ge=0, description="Royalty rate in basis points")
    remaining_years: float = Field(ge=0)
    publication_date: date
    published_at: datetime | None = None
    payload: str = Field(
        default="",
        description="What the document's owner stores with it to show a hit without reading it back (JSON of its "
        "choosing): not searched, not filtered, returned as ``SearchHit.payload``.",
    )

    @model_validator(mode="after")
    def _derive_ipc(self) -> SearchDocument:
        if self.ipc_codes and not (self.ipc_sections and self.ipc_classes):
            sections, classes = ipc_parts(self.ipc_codes)
            object.__setattr__(self, "ipc_sections", self.ipc_sections or sections)
            object.__setattr__(self, "ipc_classes", self.ipc_classes or classes)
        return self

    def facet_values(self, facet: str) -> list[str]:
        """The values of a term facet as strings (lists stay lists, a scalar becomes a one-element list)."""
        value = getattr(self, facet)
        if isinstance(value, list):
            return [str(v) for v in value if str(v).strip()]
        return [str(value)] if str(value).strip() else []


class NumericRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    gte: float | None = None
    lte: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> NumericRange:
        if self.gte is not None and self.lte is not None and self.gte > self.lte:
            raise ValueError("gte must not exceed lte")
        return self


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(default="", max_length=2000)  # a pasted paragraph: searched by its distinctive terms
    filters: dict[TermFacet, list[str]] = Field(default_factory=dict)
    ranges: dict[RangeField, NumericRange] = Field(default_factory=dict)
    facets: list[TermFacet | RangeField] = Field(default_factory=list)
    sort: SortOrder = "relevance"
    page: int = Field(default=1, ge=1, le=1000)
    per_page: int = Field(default=20, ge=1, le=100)
    facet_limit: int = Field(default=50, ge=1, le=500)
    suggest: bool = True

    @field_validator("filters", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: [str(v) for v in (vs if isinstance(vs, list | tuple | set) else [vs]) if str(v).strip()]
                for k, vs in value.items()
            }
        return value

    @model_validator(mode="after")
    def _drop_empty(self) -> SearchQuery:
        object.__setattr__(self, "filters", {k: list(dict.fromkeys(v)) for k, v in self.filters.items() if v})
        object.__setattr__(
            self, "ranges", {k: r for k, r in self.ranges.items() if r.gte is not None or r.lte is not None}
        )
        return self

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


class FacetValue(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: str
    count: int
    selected: bool = False


class NumericStats(BaseModel):
    model_config = ConfigDict(frozen=True)

    min: float | None = None
    max: float | None = None


class SearchHit(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    score: float | None = Field(
        description="Engine relevance (BM25 for embedded, 0..1 for Meilisearch); "
        "None when the embedded engine sorts by a field"
    )
    highlights: dict[str, str] = Field(
        default_factory=dict,
        description="title_zh, title_en, abstract_zh, abstract_en as escaped HTML with <mark> around matches; "
        "abstracts cropped around the first match",
    )
    payload: str = Field(default="", description="The document's ``payload`` as stored (empty if the engine has none)")


SuggestionKind = Literal["spelling", "remove_word", "remove_filter", "remove_range", "remove_all_filters"]


class Suggestion(BaseModel):
    """A change to an empty search that finds ``total`` results: run ``query`` to apply it."""

    model_config = ConfigDict(frozen=True)

    kind: SuggestionKind
    total: int
    query: SearchQuery
    removed: str | None = Field(default=None, description="The word, facet or range field removed")
    corrections: dict[str, str] = Field(default_factory=dict, description="Typed word -> suggested spelling")


class SearchResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    backend: str
    query: SearchQuery
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]] = Field(default_factory=dict)
    stats: dict[str, NumericStats] = Field(default_factory=dict)
    took_ms: float = Field(description="Time spent in the engine, summed over the requests this search made")
    suggestions: list[Suggestion] = Field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [h.id for h in self.hits]

    @property
    def pages(self) -> int:
        return -(-self.total // self.query.per_page)


class IndexInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    backend: str
    location: str
    created: bool = Field(description="True when the index was (re)created empty: run `market reindex`")
    documents: int


@runtime_checkable
class SearchBackend(Protocol):
    """A search engine holding ``SearchDocument``s. Synchronous and thread-safe; writes are idempotent (upsert
    replaces by id, deleting an absent id is not an error), so a retried job is harmless."""

    name: str

    def ensure(self) -> IndexInfo:
        """Create the index if missing and apply its settings (idempotent)."""
        ...

    def upsert(self, documents: Iterable[SearchDocument]) -> int:
        """Add or replace documents by id; visible to searches when it returns. Returns how many were written."""
        ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def facet_search(
        self, facet: TermFacet, text: str, query: SearchQuery | None = None, *, limit: int = 10
    ) -> list[FacetValue]:
        """Values of ``facet`` containing ``text`` (e.g. a patentee picker), counted like the facet counts."""
        ...

    def fetch(self, ids: Sequence[str]) -> list[SearchDocument]:
        """The stored documents with these ids (absent ids are skipped), in the order asked."""
        ...

    def all_ids(self) -> set[str]: ...

    def count(self) -> int: ...

    def clear(self) -> None: ...

    def health(self) -> dict[str, Any]:
        """``{"status": "ok" | "down", "backend": ..., ...}`` in the shape of ``market.health``'s components."""
        ...

    def close(self) -> None: ...
