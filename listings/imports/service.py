"""Import patent records from a file: every row checked, valid rows upserted by number, a per-row report.

- A rejected row writes nothing; the report names its line, the field and the reason.
- Valid rows are upserted by (organisation, number): a new number is inserted, a changed record updated, an equal
  one left alone. Importing the same file twice therefore changes nothing the second time.
- A number met twice in one file is refused the second time (which line should win is not ours to guess).
- Rows are written in batches, each in its own transaction; the run's progress is stored after each batch so
  the page can show it, and a crash loses at most the batch in flight, never part of a row.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from listings.imports import repository
from listings.imports.readers import RawRow, open_source
from listings.imports.schemas import ImportRunOut, Rejection
from listings.patents import service as patents
from listings.patents.records import PatentFieldsRecord
from listings.patents.schemas import PatentIn
from listings.universities import service as universities
from listings.universities.names import matches
from market import jobs
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import MarketError, NotFound
from market.jobs import unit_of_work
from market.kit.messages import Msg

BATCH = 500
REPORT_LIMIT = 10_000  # rejections kept in the stored report; the counts are always complete

Progress = Callable[[int, int], None]  # (processed, total)


@dataclass
class Tally:
    total: int = 0
    processed: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows; a row may have several rejections
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)  # rows imported with something to look at

    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged


def check_row(raw: RawRow, *, on: date) -> tuple[dict[str, Any] | None, list[Rejection]]:
    """The record to store for one row, or every reason it is refused."""
    rejections = [_rejection(raw.row, f, r) for f, r in raw.problems]
    try:
        data = PatentIn.model_validate({k: v for k, v in raw.values.items() if v is not None})
    except ValidationError as exc:
        rejections += [_rejection(raw.row, e.field, e.message) for e in patents.validation_errors(exc)]
        return None, rejections
    if rejections:
        return None, rejections
    try:
        return patents.record_values(data, on=on), []
    except MarketError as exc:
        return None, [_rejection(raw.row, e.field, e.message) for e in exc.errors] or [
            _rejection(raw.row, "number", exc.message)
        ]


def patentee_warning(row: int, values: dict[str, Any], names: tuple[str, ...]) -> Rejection | None:
    """A row whose patentees are given but are neither the importing organisation nor one of its recorded aliases:
    imported, with a warning (it cannot be declared until the name is recorded as an alias, or corrected)."""
    patentees = tuple(values.get("patentees") or ())
    if not patentees or matches(names, patentees):
        return None
    return _rejection(row, "patentees", Msg("import.patentee_not_yours", {"patentees": patentees, "org": names[0]}))


def _rejection(row: int, field: str, reason: Msg | str) -> Rejection:
    """A reason as a code; a check that has no code of ours yet (pydantic's own) keeps its words as a parameter."""
    msg = reason if isinstance(reason, Msg) else Msg("import.invalid_value", {"detail": reason})
    return Rejection(row=row, field=field, code=msg.code, params=dict(msg.params))


def _differs(stored: PatentFieldsRecord, values: dict[str, Any]) -> bool:
    return any(getattr(stored, k) != v for k, v in values.items() if k in patents.RECORD_FIELDS)


async def _write_batch(org_id: int, source: str, batch: list[tuple[int, dict[str, Any]]], tally: Tally) -> None:
    async with unit_of_work():
        existing = await patents.patents_by_numbers(org_id, [v["number"] for _, v in batch])
        new_rows = []
        for _, values in batch:
            stored = existing.get(values["number"])
            if stored is None:
                new_rows.append({**values, "organisation": org_id, "source": source})
            elif _differs(stored, values):
                await patents.update_patent(stored.id, {k: v for k, v in values.items() if k != "number"})
                tally.updated += 1
            else:
                tally.unchanged += 1
        await patents.insert_patents(new_rows)
        tally.inserted += len(new_rows)


async def import_file(
    *,
    org_id: int,
    user_id: int | None,
    path: Path,
    filename: str | None = None,
    run_id: int | None = None,
    on_progress: Progress | None = None,
) -> ImportRunOut:
    """Import ``path`` for ``org_id``; with ``run_id``, progress and the report go to that stored run."""
    name = filename or path.name
    source = open_source(path, name)
    tally = Tally(total=source.total)
    if run_id is None:
        async with unit_of_work():
            run_id = await repository.create(org_id=org_id, user_id=user_id, filename=name, stored_path=str(path))
    await repository.update(run_id, {"status": "running", "layout": source.layout.name, "total_rows": source.total})
    on = patents.today()
    names = await universities.patentee_names(org_id) or ("",)
    seen: dict[str, int] = {}
    batch: list[tuple[int, dict[str, Any]]] = []
    label = f"import:{name}:{source.layout.name}"[:200]

    batches = 0

    async def flush() -> None:
        nonlocal batches
        if batch:
            await _write_batch(org_id, label, batch, tally)
            batch.clear()
            batches += 1
            if batches in (2, 8) or batches % 40 == 0:  # the table grew a lot since the planner last looked
                await patents.refresh_statistics()
        await repository.update(run_id, _progress_values(tally))
        if on_progress:
            on_progress(tally.processed, tally.total)

    for raw in source.rows:
        values, rejections = check_row(raw, on=on)
        if values is not None and values["number"] in seen:
            again = Msg("import.duplicate_number", {"number": values["number"], "line": seen[values["number"]]})
            rejections = [_rejection(raw.row, "number", again)]
            values = None
        if values is None:
            tally.rejected += 1
            tally.rejections.extend(rejections)
        else:
            seen[values["number"]] = raw.row
            batch.append((raw.row, values))
            if (warning := patentee_warning(raw.row, values, names)) is not None:
                tally.warnings.append(warning)
        tally.processed += 1
        if len(batch) >= BATCH:
            await flush()
    await flush()
    digest = await asyncio.to_thread(lambda: hashlib.sha256(path.read_bytes()).hexdigest())
    async with unit_of_work():
        await repository.update(run_id, {**_progress_values(tally), "status": "done", "finished_at": datetime.now(UTC)})
        await record(
            actor=Actor(user_id, org_id),
            action="listings.patents_imported",
            entity_type="import_run",
            entity_id=run_id,
            after={
                "file": name,
                "sha256": digest,
                "layout": source.layout.name,
                "inserted": tally.inserted,
                "updated": tally.updated,
                "unchanged": tally.unchanged,
                "rejected": tally.rejected,
            },
        )
    run = await repository.get(run_id)
    assert run is not None
    return ImportRunOut.model_validate(
        replace(
            run,
            rejections=[r.model_dump() for r in tally.rejections],
            warnings=[w.model_dump() for w in tally.warnings],
        )
    )


def _progress_values(tally: Tally) -> dict[str, Any]:
    return {
        "processed_rows": tally.processed,
        "inserted": tally.inserted,
        "updated": tally.updated,
        "unchanged": tally.unchanged,
        "rejected": tally.rejected,
        "rejections": [r.model_dump(mode="json") for r in tally.rejections[:REPORT_LIMIT]],
        "warnings": [w.model_dump(mode="json") for w in tally.warnings[:REPORT_LIMIT]],
    }


async def fail(run_id: int, error: str) -> None:
    await repository.update(run_id, {"status": "failed", "error": error[:2000], "finished_at": datetime.now(UTC)})


async def queue_upload(*, principal: Principal, filename: str, content: bytes, upload_dir: Path) -> ImportRunOut:
    """Store an uploaded file and queue its import (a job), so a large file does not hold the request."""
    safe = "".join(c for c in Path(filename).name if c.isalnum() or c in "._-") or "upload.csv"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = upload_dir / str(principal.org_id) / f"{stamp}-{safe}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    run_id = await repository.create(
        org_id=principal.org_id, user_id=principal.user_id, filename=filename, stored_path=str(target)
    )
    await jobs.enqueue("listings.import_file", run_id=run_id)
    return await get_run(principal=principal, run_id=run_id)


async def get_run(*, principal: Principal, run_id: int) -> ImportRunOut:
    run = await repository.get(run_id)
    if run is None or run.organisation != principal.org_id:
        raise NotFound(Msg("import.not_found"))
    return ImportRunOut.model_validate(run)


async def recent_runs(*, principal: Principal, limit: int = 20) -> list[ImportRunOut]:
    return [ImportRunOut.model_validate(r) for r in await repository.for_org(principal.org_id, limit=limit)]
