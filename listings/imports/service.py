"""Import patent records from a file: every row checked, valid rows upserted by number, a per-row report.

- A rejected row writes nothing; the report names its line, the field and the reason.
- Valid rows are upserted by (organisation, number): a new number is inserted, a changed record updated, an equal
  one left alone. Importing the same file twice therefore changes nothing the second time.
- A number met twice in one file is refused the second time (which line should win is not ours to guess).
- Rows are written in batches, each in its own transaction together with the batch's rejections and the run's
  progress, so the page can show it, and a crash loses at most the batch in flight, never part of a row.
- Memory does not grow with the file: the file is read a row at a time (``readers``), the numbers met so far wait
  in a scratch file (``seen``), and the report goes to the database batch by batch.
- A file beyond a limit (``readers.Limits``: rows, cell, line or document, JSON depth) is refused as a whole by the
  first reading pass, before anything is written; the run ends ``failed`` with the reason's code. So does a run
  that crashes, and one whose worker died (``sweep_stale``): no run is left ``running`` forever.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from listings.imports import repository
from listings.imports.readers import Limits, RawRow, Scan, refused, rows, scan
from listings.imports.records import ImportRunRecord, RejectionRecord
from listings.imports.schemas import ImportRunOut, Rejection
from listings.imports.seen import SeenNumbers
from listings.patents import service as patents
from listings.patents.records import PatentFieldsRecord
from listings.patents.schemas import PatentIn
from listings.universities import service as universities
from listings.universities.names import matches
from market import jobs
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import FieldError, MarketError, NotFound
from market.jobs import unit_of_work
from market.kit.messages import Msg
from market.kit.words import MsgOut
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

BATCH = 500
REPORT_SHOWN = 1_000  # rejections shown with a run; every one is stored
CHUNK = 1024 * 1024  # an upload is stored a chunk at a time

Progress = Callable[[int, int], None]  # (processed, total)


class FileTooLarge(MarketError):
    """An upload beyond ``MARKET_IMPORT_MAX_UPLOAD_BYTES``: refused before it is stored."""

    status = 413
    code = "payload-too-large"
    title = "problem.payload-too-large"


@dataclass
class Tally:
    total: int = 0
    processed: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows; a row may have several rejections

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


def patentee_warning(
    row: int, values: dict[str, Any], names: tuple[str, ...], *, sme: bool = False
) -> Rejection | None:
    """A row whose patentees are given but are neither the importing organisation nor one of its recorded aliases:
    imported, with a warning (a university cannot declare it, an SME cannot pledge it, until the name is recorded
    as an alias, or corrected)."""
    patentees = tuple(values.get("patentees") or ())
    if not patentees or matches(names, patentees):
        return None
    code = "import.patentee_not_yours_sme" if sme else "import.patentee_not_yours"
    return _rejection(row, "patentees", Msg(code, {"patentees": patentees, "org": names[0]}))


def pledge_kept(row: int, values: dict[str, Any], stored: PatentFieldsRecord) -> Rejection | None:
    """A row that states the pledge otherwise than the pledge registered through the platform: the register's facts
    are kept (its pledgee releases it and records consents), with a warning."""
    if all(values.get(k, getattr(stored, k)) == getattr(stored, k) for k in patents.PLEDGE_FIELDS):
        return None
    return _rejection(row, "pledged", Msg("import.pledge_on_record_kept", {"number": values["number"]}))


def _rejection(row: int, field: str, reason: Msg | str) -> Rejection:
    """A reason as a code; a check that has no code of ours yet (pydantic's own) keeps its words as a parameter."""
    msg = reason if isinstance(reason, Msg) else Msg("import.invalid_value", {"detail": reason})
    return Rejection(row=row, field=field, code=msg.code, params=dict(msg.params))


def _differs(stored: PatentFieldsRecord, values: dict[str, Any]) -> bool:
    return any(getattr(stored, k) != v for k, v in values.items() if k in patents.RECORD_FIELDS)


async def _write_batch(
    org_id: int, source: str, batch: list[tuple[int, dict[str, Any]]], tally: Tally
) -> list[Rejection]:
    """Write a batch's valid rows; the warnings of rows written otherwise than they read (a pledge on record kept).
    An update that changes a patent's legal status, fees, suspension or pledge emits ``patents.changed``."""
    warnings: list[Rejection] = []
    async with unit_of_work():
        existing = await patents.patents_by_numbers(org_id, [v["number"] for _, v in batch])
        new_rows = []
        for line, values in batch:
            stored = existing.get(values["number"])
            if stored is None:
                new_rows.append({**values, "organisation": org_id, "source": source})
                continue
            if stored.pledgee_org is not None:  # a pledge on record: the register's facts stand
                if (kept := pledge_kept(line, values, stored)) is not None:
                    warnings.append(kept)
                values = {k: v for k, v in values.items() if k not in patents.PLEDGE_FIELDS}
            if _differs(stored, values):
                await patents.update_patent(stored.id, {k: v for k, v in values.items() if k != "number"})
                changed = [k for k, v in values.items() if k in patents.RECORD_FIELDS and getattr(stored, k) != v]
                await patents.announce_changes(stored.id, changed)
                tally.updated += 1
            else:
                tally.unchanged += 1
        await patents.insert_patents(new_rows)
        tally.inserted += len(new_rows)
    return warnings


def _stored(rejections: list[Rejection]) -> list[RejectionRecord]:
    out = []
    for r in rejections:
        dumped = r.model_dump(mode="json")
        out.append(RejectionRecord(line=r.row, field_name=r.field, code=r.code, params=dumped["params"]))
    return out


async def import_file(
    *,
    org_id: int,
    user_id: int | None,
    path: Path,
    filename: str | None = None,
    run_id: int | None = None,
    on_progress: Progress | None = None,
    limits: Limits | None = None,
) -> ImportRunOut:
    """Import ``path`` for ``org_id``; with ``run_id``, progress and the report go to that stored run. A file
    refused as a whole raises (``ValidationFailed`` on ``file``) after its run is marked ``failed``; so does any
    other error: the run never stays ``running``."""
    name = filename or path.name
    if run_id is None:
        async with unit_of_work():
            run_id = await repository.create(org_id=org_id, user_id=user_id, filename=name, stored_path=str(path))
    try:
        await repository.update(run_id, {"status": "running", "heartbeat_at": datetime.now(UTC)})
        # the first pass reads the whole file (off the event loop) and refuses it before anything is written
        found = await asyncio.to_thread(scan, path, name, limits or Limits.default())
        return await _import(org_id, user_id, found, name, run_id, on_progress, limits or Limits.default())
    except MarketError as exc:
        await fail(run_id, exc.message)
        raise
    except Exception as exc:
        await fail(run_id, Msg("import.crashed", {"error": type(exc).__name__}))
        raise


async def _import(
    org_id: int,
    user_id: int | None,
    found: Scan,
    name: str,
    run_id: int,
    on_progress: Progress | None,
    limits: Limits,
) -> ImportRunOut:
    tally = Tally(total=found.total)
    async with unit_of_work():
        await repository.clear_rejections(run_id)
        await repository.update(
            run_id, {"layout": found.layout.name, "total_rows": found.total, "heartbeat_at": datetime.now(UTC)}
        )
    on = patents.today()
    names = await universities.patentee_names(org_id) or ("",)
    org = await org_service.org_by_id(org_id)
    sme = org is not None and org.kind == OrgKind.sme.value
    batch: list[tuple[int, dict[str, Any]]] = []  # (line, values) of this batch's valid rows
    in_batch: dict[str, int] = {}  # number -> line, this batch's
    rejected: list[Rejection] = []  # this batch's reasons
    warned: list[Rejection] = []  # this batch's warnings (rows imported with something to look at)
    label = f"import:{name}:{found.layout.name}"[:200]
    batches = 0

    async def flush(seen: SeenNumbers) -> None:
        nonlocal batches
        earlier = seen.lines_of(in_batch)  # numbers a previous batch already had
        keep = []
        for line, values in batch:
            first = earlier.get(values["number"])
            if first is None:
                keep.append((line, values))
            else:
                again = Msg("import.duplicate_number", {"number": values["number"], "line": first})
                rejected.append(_rejection(line, "number", again))
                tally.rejected += 1
        rejected.sort(key=lambda r: r.row)  # stable: a row's reasons keep their order
        kept = {line for line, _ in keep}
        async with unit_of_work():
            if keep:
                warned.extend(await _write_batch(org_id, label, keep, tally))
            await repository.add_rejections(run_id, _stored(rejected))
            await repository.add_rejections(run_id, _stored([w for w in warned if w.row in kept]), kind="warning")
            await repository.update(run_id, _progress_values(tally))
        seen.add((values["number"], line) for line, values in keep)
        if keep:
            batches += 1
            if batches in (2, 8) or batches % 40 == 0:  # the table grew a lot since the planner last looked
                await patents.refresh_statistics()
        batch.clear()
        in_batch.clear()
        rejected.clear()
        warned.clear()
        if on_progress:
            on_progress(tally.processed, tally.total)

    with SeenNumbers() as seen:
        for raw in rows(found, limits):
            values, reasons = check_row(raw, on=on)
            if values is not None and values["number"] in in_batch:
                again = Msg("import.duplicate_number", {"number": values["number"], "line": in_batch[values["number"]]})
                reasons = [_rejection(raw.row, "number", again)]
                values = None
            if values is None:
                tally.rejected += 1
                rejected.extend(reasons)
            else:
                in_batch[values["number"]] = raw.row
                batch.append((raw.row, values))
                if (warning := patentee_warning(raw.row, values, names, sme=sme)) is not None:
                    warned.append(warning)
            tally.processed += 1
            if len(batch) >= BATCH or len(rejected) >= BATCH:
                await flush(seen)
        await flush(seen)
    digest = await asyncio.to_thread(_sha256, found.path)
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
                "layout": found.layout.name,
                "inserted": tally.inserted,
                "updated": tally.updated,
                "unchanged": tally.unchanged,
                "rejected": tally.rejected,
            },
        )
    return await report(run_id)


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _progress_values(tally: Tally) -> dict[str, Any]:
    return {
        "processed_rows": tally.processed,
        "inserted": tally.inserted,
        "updated": tally.updated,
        "unchanged": tally.unchanged,
        "rejected": tally.rejected,
        "heartbeat_at": datetime.now(UTC),
    }


async def fail(run_id: int, reason: Msg | str) -> None:
    """The run failed as a whole: its reason kept as a code (a plain string only from callers not yet on codes)."""
    message = reason if isinstance(reason, Msg) else Msg("import.crashed", {"error": reason[:200]})
    params = {k: v if isinstance(v, int | str) else str(v) for k, v in message.params.items()}
    await repository.update(
        run_id,
        {"status": "failed", "error_code": message.code, "error_params": params, "finished_at": datetime.now(UTC)},
    )


async def sweep_stale(*, stale_after: timedelta, run_ids: list[int] | None = None) -> int:
    """Mark failed every running run (of ``run_ids``, else all) that wrote no progress for ``stale_after``: its
    worker died. Conditional, so a run that moves on meanwhile is left running. Returns how many were marked."""
    silent_since = datetime.now(UTC) - stale_after
    candidates = run_ids if run_ids is not None else await repository.stale_runs(silent_since=silent_since)
    reason = {
        "status": "failed",
        "error_code": "import.stalled",
        "error_params": {"minutes": max(int(stale_after.total_seconds() // 60), 1)},
        "finished_at": datetime.now(UTC),
    }
    marked = 0
    for run_id in candidates:
        marked += await repository.fail_if_stale(run_id, silent_since=silent_since, values=reason)
    return marked


async def store_upload(content: bytes | AsyncIterable[bytes], target: Path, *, max_bytes: int | None) -> int:
    """Write an upload to ``target`` a chunk at a time; beyond ``max_bytes`` it is deleted and refused (413)."""
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("wb") as out:
            if isinstance(content, bytes):
                size = len(content)
                if max_bytes is None or size <= max_bytes:
                    out.write(content)
            else:
                async for chunk in content:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        break
                    out.write(chunk)
        if max_bytes is not None and size > max_bytes:
            raise too_large(max_bytes)
        if size == 0:
            raise refused("import.empty_file")
    except BaseException:
        _discard(target)
        raise
    return size


def _discard(path: Path) -> None:
    path.unlink(missing_ok=True)


def too_large(max_bytes: int) -> FileTooLarge:
    reason = Msg("import.file_too_large", {"limit_mb": max(max_bytes // (1024 * 1024), 1)})
    return FileTooLarge(reason, errors=[FieldError("file", reason)])


async def queue_upload(
    *,
    principal: Principal,
    filename: str,
    content: bytes | AsyncIterable[bytes],
    upload_dir: Path,
    max_bytes: int | None = None,
) -> ImportRunOut:
    """Store an uploaded file (a chunk at a time, refused beyond ``max_bytes``) and queue its import (a job), so
    a large file does not hold the request."""
    safe = "".join(c for c in Path(filename).name if c.isalnum() or c in "._-") or "upload.csv"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = upload_dir / str(principal.org_id) / f"{stamp}-{safe}"
    await store_upload(content, target, max_bytes=max_bytes)
    run_id = await repository.create(
        org_id=principal.org_id, user_id=principal.user_id, filename=filename, stored_path=str(target)
    )
    await jobs.enqueue("listings.import_file", run_id=run_id)
    return await get_run(principal=principal, run_id=run_id)


async def get_run(*, principal: Principal, run_id: int, stale_after: timedelta | None = None) -> ImportRunOut:
    """One run with its report (the first ``REPORT_SHOWN`` reasons); a running run silent for ``stale_after`` is
    marked failed first (its worker died)."""
    run = await repository.get(run_id)
    if run is None or run.organisation != principal.org_id:
        raise NotFound(Msg("import.not_found"))
    stale = stale_after is not None and run.status == "running"
    if stale and stale_after and await sweep_stale(stale_after=stale_after, run_ids=[run_id]):
        return await report(run_id)
    return await _out(run, with_rejections=True)


async def report(run_id: int) -> ImportRunOut:
    """A stored run and its report as the API answers it."""
    run = await repository.get(run_id)
    if run is None:
        raise NotFound(Msg("import.not_found"))
    return await _out(run, with_rejections=True)


async def all_rejections(run_id: int, *, page: int = REPORT_SHOWN) -> AsyncIterator[Rejection]:
    """Every reason a run stored, a page at a time (the command line's full report)."""
    offset = 0
    while stored := await repository.rejections(run_id, limit=page, offset=offset):
        for r in stored:
            yield _reason(r)
        offset += len(stored)


async def recent_runs(
    *, principal: Principal, limit: int = 20, stale_after: timedelta | None = None
) -> list[ImportRunOut]:
    """The organisation's latest runs, counts only (a run's reasons come with ``get_run``)."""
    runs = await repository.for_org(principal.org_id, limit=limit)
    if stale_after is not None:
        running = [r.id for r in runs if r.status == "running"]
        if running and await sweep_stale(stale_after=stale_after, run_ids=running):
            runs = await repository.for_org(principal.org_id, limit=limit)
    return [await _out(r, with_rejections=False) for r in runs]


async def _out(run: ImportRunRecord, *, with_rejections: bool) -> ImportRunOut:
    failure = MsgOut(code=run.error_code, params=run.error_params) if run.error_code else None
    report: dict[str, Any] = {"rejections": [], "warnings": []}
    if with_rejections:
        for kind, legacy in (("rejection", run.rejections), ("warning", run.warnings)):
            stored = await repository.rejections(run.id, limit=REPORT_SHOWN, kind=kind)
            if stored:
                many = len(stored) == REPORT_SHOWN
                total = await repository.count_rejections(run.id, kind=kind) if many else len(stored)
                shown: list[Any] = [_reason(r) for r in stored]
            else:  # a run stored before the report had its own table
                shown, total = legacy[:REPORT_SHOWN], len(legacy)
            report[f"{kind}s"], report[f"{kind}s_total"] = shown, total
    return ImportRunOut.model_validate({**_fields(run), **report, "failure": failure})


def _reason(stored: RejectionRecord) -> Rejection:
    return Rejection(row=stored.line, field=stored.field_name, code=stored.code, params=stored.params)


def _fields(run: ImportRunRecord) -> dict[str, Any]:
    return {name: getattr(run, name) for name in ImportRunRecord.__slots__}
