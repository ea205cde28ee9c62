"""A published declaration and its patent as the search engines hold it (``SearchDocument``). Pure: the service
reads the rows, this turns them into a document.

- Only published declarations are indexed; the document id is ``listing-<declaration id>``.
- Facet values are stable codes: WIPO fields ``f1``..``f35`` (from the IPC codes, ``listings.technology``),
  industry codes of the royalty data (field -> industry, ``pricing``), province-level region codes of the
  university, price bands of what is paid up front (``labels.price_band``). Names come from ``labels``.
- ``price_minor`` is what is paid up front: the lump sum, or the entry fee; 0 for a running royalty alone.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from listings.declarations.records import DeclarationRecord, DeclarationVersionRecord
from listings.patents.lifetimes import remaining_years
from listings.patents.records import PatentRecord
from listings.search.labels import field_code, price_band, region_code
from listings.search.records import UniversityRecord
from listings.technology import field_numbers
from market.integrations.search import SearchDocument
from pricing import FieldIndustryMap, load_field_industry_map

DOC_PREFIX = "listing-"
CROSS_INDUSTRY = "ALL"  # the fallback row of the field -> industry map: not an industry one filters by
CLAIMS_EXCERPT = 400
_HAN = re.compile(r"[\u3400-\u9fff]")


def document_id(declaration_id: int) -> str:
    return f"{DOC_PREFIX}{declaration_id}"


def declaration_id_of(doc_id: str) -> int | None:
    rest = doc_id.removeprefix(DOC_PREFIX)
    return int(rest) if rest != doc_id and rest.isdigit() else None


@lru_cache(maxsize=1)
def _industries() -> FieldIndustryMap:
    return load_field_industry_map()


def industries_of(fields: list[int]) -> list[str]:
    codes: dict[str, None] = {}
    for number in fields:
        code = _industries().for_field(number).industry_code
        if code != CROSS_INDUSTRY:
            codes.setdefault(code, None)
    return list(codes)


def upfront_minor(version: DeclarationVersionRecord) -> int:
    """What a licensee pays up front, in fen: the lump sum, or the entry fee; 0 for a running royalty alone."""
    if version.payment_mode == "lump_sum":
        return int(version.lump_sum_minor or 0)
    if version.payment_mode == "entry_plus_royalty":
        return int(version.entry_fee_minor or 0)
    return 0


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def build_document(
    *,
    declaration: DeclarationRecord,
    patent: PatentRecord,
    version: DeclarationVersionRecord,
    university: UniversityRecord | None,
    today: date,
) -> SearchDocument:
    """The document of a published declaration (its current version) and its patent."""
    codes = [str(c) for c in patent.ipc_codes or []]
    fields = field_numbers(codes)
    abstract = str(patent.abstract or "")
    in_chinese = bool(_HAN.search(abstract))
    patentees = [str(p) for p in patent.patentees or [] if str(p).strip()]
    university_name = str(university.name) if university else ""
    upfront = upfront_minor(version)
    published_at = declaration.published_at
    publication = (
        _day(patent.publication_date)
        or _day(patent.grant_date)
        or _day(patent.filing_date)
        or _day(published_at)
        or today
    )
    return SearchDocument(
        id=document_id(int(declaration.id)),
        patent_number=str(patent.number),
        application_number=str(patent.application_number or ""),
        title_zh=str(patent.title_zh or ""),
        title_en=str(patent.title_en or ""),
        abstract_zh=abstract if in_chinese else "",
        abstract_en="" if in_chinese else abstract,
        claims_excerpt=str(patent.claims or "")[:CLAIMS_EXCERPT],
        ipc_codes=codes,
        tech_fields=[field_code(n) for n in fields],
        industries=industries_of(fields),
        kind=patent.kind,
        patentee=patentees[0] if patentees else university_name,
        university_org_id=int(declaration.organisation),
        region=region_code(str(university.region or "")) if university else "",
        payment_mode=version.payment_mode,
        price_band=price_band(version.payment_mode, upfront),
        price_minor=upfront,
        royalty_rate_bp=version.royalty_rate_bp,
        remaining_years=float(remaining_years(patent.expiry_date, today)),
        publication_date=publication,
        published_at=published_at,
    )
