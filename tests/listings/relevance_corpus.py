"""The corpus of the relevance test: real records from ../shared/data, imported through the import service (the
real readers), published, and indexed by `reindex` through the real document builder.

A deterministic share of each file is used, so the test runs in seconds on both databases: every record of the
CNKI materials-chemistry file (Chinese titles, abstracts and claims), every 4th row of the CNKI company lists
(Chinese titles), the Google Patents AI exports that carry an abstract, every 2nd (English), and the first 1,200
Lens coronavirus records (English titles with IPC codes, hence technology fields).

The declarations are written straight through the repository as published: most of these records could not be
declared here (foreign patents, applications not granted, the patentee not the declaring university). The test is
about finding them, and the index is built from the database exactly as for a declared listing.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

from listings.declarations import repository as declarations_repo
from listings.imports.service import import_file
from listings.patents.tables import Patent
from market import jobs
from tests.conftest import make_account
from tests.integrations.search.realdata import DATA_DIR

CHEMISTRY = DATA_DIR / "cn_cnki_materials_chemistry_2018_19.csv"
CN_LISTS = DATA_DIR / "cn_cnki_company_patent_lists.csv"
GOOGLE = DATA_DIR / "google_patents_ai_search_exports_2018.csv"
LENS = DATA_DIR / "lens_coronavirus_patents_union.jsonl"
FILES = (CHEMISTRY, CN_LISTS, GOOGLE, LENS)
CN_EVERY = 4
GOOGLE_EVERY = 2
LENS_FIRST = 1200


def available() -> bool:
    return all(f.exists() for f in FILES)


def _subset_csv(source: Path, target: Path, keep: object) -> None:
    with source.open(encoding="utf-8") as fh, target.open("w", encoding="utf-8", newline="") as out:
        reader = csv.DictReader(fh)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for n, row in enumerate(reader):
            if keep(n, row):  # type: ignore[operator]
                writer.writerow(row)


def write_files(folder: Path) -> list[Path]:
    """The share of each real file the test imports, as files of the same layouts."""
    folder.mkdir(parents=True, exist_ok=True)
    cn = folder / "cnki_lists.csv"
    _subset_csv(CN_LISTS, cn, lambda n, row: n % CN_EVERY == 0)
    google = folder / "google.csv"
    _subset_csv(GOOGLE, google, lambda n, row: bool(row["abstract_matched_by_title"]) and n % GOOGLE_EVERY == 0)
    lens = folder / "lens.jsonl"
    with LENS.open(encoding="utf-8") as fh, lens.open("w", encoding="utf-8") as out:
        for n, line in enumerate(fh):
            if n >= LENS_FIRST:
                break
            record = json.loads(line)
            if record.get("docType") in ("Search report", "Abstract"):
                continue
            out.write(line)
    return [CHEMISTRY, cn, google, lens]


async def build(folder: Path) -> int:
    """Import the records for one university and publish each of them; returns how many are published."""
    account = await make_account("university", org_name="测试大学")
    for path in write_files(folder):
        await import_file(org_id=account.org_id, user_id=account.user_id, path=path)
    now = datetime.now(UTC)
    ids = [int(r["id"]) for r in await Patent.select(Patent.id).where(Patent.organisation == account.org_id)]
    for start in range(0, len(ids), 500):
        async with jobs.unit_of_work():
            for patent_id in ids[start : start + 500]:
                declaration_id = await declarations_repo.create(
                    org_id=account.org_id, patent_id=patent_id, status="published", published_at=now
                )
                await declarations_repo.add_version(
                    declaration_id,
                    {"version": 1, "payment_mode": "lump_sum", "lump_sum_minor": 1_000_000 + patent_id * 100,
                     "published_at": now},
                )  # fmt: skip
    return len(ids)
