"""What the search repository returns: frozen records, built from Piccolo's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from listings.declarations.records import DeclarationRecord, DeclarationVersionRecord
from listings.patents.records import PatentRecord


@dataclass(frozen=True, slots=True)
class OutboxEntryRecord:
    """A pending row of ``listings_search_outbox``: which declaration changed."""

    id: int
    declaration: int


@dataclass(frozen=True, slots=True)
class UniversityRecord:
    """The university of a listing (``market_organisation``: id, name, region). Read here until ``market.orgs``
    offers it (issue 10: a module's tables are read by its own repository only)."""

    id: int
    name: str
    region: str


@dataclass(frozen=True, slots=True)
class ListingState:
    """A published declaration as it stands: the rows a search document and a search hit are made of."""

    declaration: DeclarationRecord
    patent: PatentRecord
    version: DeclarationVersionRecord
    university: UniversityRecord | None


@dataclass(frozen=True, slots=True)
class HitState:
    """What a search hit reads from the database at request time, in one statement for the whole page: that the
    declaration is still published, its current terms, its university's name and the patent's expiry."""

    declaration_id: int
    organisation: int
    published_at: datetime | None
    university: str
    expiry_date: date | None
    version: DeclarationVersionRecord
