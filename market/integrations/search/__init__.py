"""Search over listings: one port (``port.py``), two adapters (embedded tantivy, Meilisearch), chosen by settings.

from market.integrations.search import SearchDocument, SearchQuery, build_search

search = build_search(settings)            # SearchIndex: async, each call runs in a worker thread
await search.ensure()                      # at start-up; IndexInfo.created=True means "run market reindex"
await search.upsert([SearchDocument(...)])  # from the outbox job; replaces by id
await search.delete(["listing-42"])
result = await search.search(SearchQuery(text="处理 neural", filters={"kind": ["invention"]},
                                         facets=["tech_fields", "kind"], sort="relevance", page=1))
"""

from market.integrations.search.analysis import Synonyms, default_synonyms, parse_query
from market.integrations.search.facade import DEFAULT_INDEX, SearchIndex, build_backend, build_search
from market.integrations.search.port import (
    RANGE_FIELDS,
    SORT_ORDERS,
    TERM_FACETS,
    FacetValue,
    IndexInfo,
    NumericRange,
    NumericStats,
    RangeField,
    SearchBackend,
    SearchDocument,
    SearchError,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    SortOrder,
    Suggestion,
    TermFacet,
    ipc_parts,
)

__all__ = [
    "DEFAULT_INDEX",
    "RANGE_FIELDS",
    "SORT_ORDERS",
    "TERM_FACETS",
    "FacetValue",
    "IndexInfo",
    "NumericRange",
    "NumericStats",
    "RangeField",
    "SearchBackend",
    "SearchDocument",
    "SearchError",
    "SearchHit",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "SearchUnavailable",
    "SortOrder",
    "Suggestion",
    "Synonyms",
    "TermFacet",
    "build_backend",
    "build_search",
    "default_synonyms",
    "ipc_parts",
    "parse_query",
]
