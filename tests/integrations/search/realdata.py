"""Search documents built from the real patent records in ``../shared/data`` (see its PROVENANCE.md).

The records carry titles, applicants, dates (and, for some, abstracts and claims) but no licence terms, so the
marketplace fields (technology field, industry, region, payment mode, price, remaining years, university) are
assigned deterministically from the record's position: the same input always gives the same documents.
Used by the behavioural tests and by ``tests.benchmarks.bench_search_engine``.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from market.integrations.search import SearchDocument

REPO = Path(__file__).resolve().parents[3]
DATA_DIR = Path(os.environ.get("MARKET_SHARED_DATA", REPO.parent / "shared" / "data"))
CN_LISTS = DATA_DIR / "cn_cnki_company_patent_lists.csv"
CN_CHEMISTRY = DATA_DIR / "cn_cnki_materials_chemistry_2018_19.csv"
EN_GOOGLE = DATA_DIR / "google_patents_ai_search_exports_2018.csv"
EN_PATENTSVIEW = DATA_DIR / "us_patentsview_neural_network_abstracts.csv"

TECH_FIELDS = [
    "Electrical machinery, apparatus, energy",
    "Audio-visual technology",
    "Telecommunications",
    "Digital communication",
    "Computer technology",
    "Semiconductors",
    "Optics",
    "Measurement",
    "Medical technology",
    "Organic fine chemistry",
    "Materials, metallurgy",
    "Environmental technology",
    "Machine tools",
    "Transport",
]
INDUSTRIES = ["C38", "C39", "C40", "I65", "C35", "C26", "N77", "C37", "M73"]
REGIONS = ["110000", "310000", "320000", "330000", "440000", "420000", "510000"]
PAYMENT_MODES = ["lump_sum", "running_royalty", "entry_plus_royalty"]
PRICE_BANDS = [(10_000_00, "<1万"), (100_000_00, "1-10万"), (500_000_00, "10-50万"), (10**12, ">50万")]
PATENTEES = ["浙江大学", "清华大学", "南京大学", "华南理工大学", "北京大学", "武汉大学", "四川大学"]
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]")


def available() -> bool:
    return CN_LISTS.exists() and EN_GOOGLE.exists()


def _kind(number: str) -> str:
    suffix = number[-1]
    if suffix in "AB":
        return "invention"
    if suffix == "U":
        return "utility_model"
    if suffix == "S":
        return "design"
    digits = number[2:3] if number.startswith("CN") else ""
    return {"1": "invention", "2": "utility_model", "3": "design"}.get(digits, "invention")


def _date(value: str) -> date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return date(2015, 1, 1)


def _terms(i: int) -> dict[str, object]:
    price = 5_000_00 + (i * 7919) % 2_000_000_00  # fen, 5,000 CNY to about 2 million CNY
    band = next(label for limit, label in PRICE_BANDS if price < limit)
    mode = PAYMENT_MODES[i % 3]
    return {
        "tech_fields": sorted({TECH_FIELDS[i % len(TECH_FIELDS)], TECH_FIELDS[(i * 5 + 3) % len(TECH_FIELDS)]}),
        "industries": [INDUSTRIES[(i * 3) % len(INDUSTRIES)]],
        "region": REGIONS[(i * 11) % len(REGIONS)],
        "payment_mode": mode,
        "price_minor": price,
        "price_band": band,
        "royalty_rate_bp": None if mode == "lump_sum" else 50 + (i * 37) % 950,
        "remaining_years": round(((i * 13) % 190) / 10 + 0.5, 1),
        "university_org_id": 100 + i % len(PATENTEES),
    }


def chinese_records() -> Iterator[dict[str, str]]:
    with CN_LISTS.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield {
                "number": row["publication_number"],
                "title_zh": row["title"],
                "applicants": row["applicants"],
                "date": row["publication_date"],
            }
    if CN_CHEMISTRY.exists():
        with CN_CHEMISTRY.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                yield {
                    "number": row["publication_number"],
                    "title_zh": row["title"],
                    "applicants": row["com"],
                    "date": row["quote"],
                    "abstract_zh": row["ChDiv_summary"],
                    "claims": row["claim_text"][:300],
                }


def english_records() -> Iterator[dict[str, str]]:
    with EN_GOOGLE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield {
                "number": row["id"],
                "title_en": row["title"].strip(),
                "applicants": row["assignee"],
                "date": row["publication date"],
                "abstract_en": row["abstract_matched_by_title"],
            }
    if EN_PATENTSVIEW.exists():
        with EN_PATENTSVIEW.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                yield {
                    "number": "US" + row["patent_number"],
                    "title_en": row["patent_title"].strip(),
                    "applicants": "",
                    "date": row["patent_date"],
                    "abstract_en": row["patent_abstract"].strip().strip('"').strip(),
                }


def to_document(i: int, rec: dict[str, str], *, variant: int = 0) -> SearchDocument:
    number = rec["number"]
    doc_id = _SAFE_ID.sub("-", number) + (f"-v{variant}" if variant else "")
    terms = _terms(i + variant * 104_729)
    applicants = rec.get("applicants", "")
    university = next((p for p in PATENTEES if p in applicants), None)
    patentee = university or PATENTEES[(i + variant) % len(PATENTEES)]
    return SearchDocument(
        id=doc_id,
        patent_number=number,
        title_zh=rec.get("title_zh", ""),
        title_en=rec.get("title_en", ""),
        abstract_zh=rec.get("abstract_zh", ""),
        abstract_en=rec.get("abstract_en", ""),
        claims_excerpt=rec.get("claims", ""),
        kind=_kind(number) if number.startswith("CN") else "invention",
        patentee=patentee,
        publication_date=_date(rec.get("date", "")),
        **terms,
    )


def sample(chinese: int, english: int) -> list[SearchDocument]:
    """The first ``chinese`` Chinese and ``english`` English records (unique ids)."""
    docs: dict[str, SearchDocument] = {}
    for n, rec in enumerate(chinese_records()):
        if n >= chinese:
            break
        doc = to_document(n, rec)
        docs.setdefault(doc.id, doc)
    for n, rec in enumerate(english_records()):
        if n >= english:
            break
        doc = to_document(50_000 + n, rec)
        docs.setdefault(doc.id, doc)
    return list(docs.values())


def corpus(size: int) -> Iterator[SearchDocument]:
    """``size`` documents: every real record once, then variants (a record's title joined with part of another
    record's title, other marketplace terms) until ``size`` is reached."""
    records = list(chinese_records()) + list(english_records())
    seen: set[str] = set()
    produced = 0
    variant = 0
    while produced < size:
        for i, rec in enumerate(records):
            if produced >= size:
                return
            if variant:
                other = records[(i * 7 + variant * 13) % len(records)]
                rec = dict(rec)
                if rec.get("title_zh") and other.get("title_zh"):
                    rec["title_zh"] = rec["title_zh"] + "及" + other["title_zh"][: max(2, len(other["title_zh"]) // 2)]
                elif rec.get("title_en") and other.get("title_en"):
                    half = other["title_en"].split()[: max(1, len(other["title_en"].split()) // 2)]
                    rec["title_en"] = rec["title_en"] + " with " + " ".join(half)
            doc = to_document(i, rec, variant=variant)
            if doc.id in seen:
                continue
            seen.add(doc.id)
            produced += 1
            yield doc
        variant += 1
