"""Imports are bounded: a file beyond a limit (cell, rows, line or document, JSON depth, upload size) is refused as a
whole with its reason's code and writes nothing; a bad row stays a row's problem; the file is read a row at a time
and the report written batch by batch (memory does not grow with the file); no run is left ``running``."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from listings.imports import jobs as import_jobs
from listings.imports import repository as imports_repo
from listings.imports import service as imports
from listings.imports.readers import Limits, Scan, detect, json_too_deep, rows, scan
from listings.imports.service import BATCH, import_file
from listings.imports.tables import ImportRejection, ImportRun
from listings.patents.numbers import check_digit
from listings.patents.tables import Patent
from market import jobs
from market.accounts import service as accounts
from market.errors import ValidationFailed
from market.i18n.localized import localized
from tests.conftest import Backend, Client, make_account, sign_in

HEADER = "number,title_zh,patentees,filing_date,claims_count\n"
SMALL = Limits(max_rows=1_000_000, max_cell_chars=200_000, max_record_chars=1_000_000, max_json_depth=32)


def number(n: int) -> str:
    digits = f"2020{1 + n % 2}{n:07d}"
    return f"{digits}.{check_digit(digits)}"


def csv_row(n: int, *, title: str = "一种测试装置", claims: str = "3") -> str:
    return f"{number(n)},{title},测试大学,2020-03-15,{claims}\n"


def json_row(n: int, **extra: Any) -> str:
    record = {"number": number(n), "title_zh": "一种测试装置", "patentees": ["测试大学"], "filing_date": "2020-03-15"}
    return json.dumps({**record, **extra}, ensure_ascii=False) + "\n"


async def written(org_id: int) -> tuple[int, int]:
    """Patents of the organisation and stored rejections of all runs: what an import wrote."""
    return await Patent.count().where(Patent.organisation == org_id), await ImportRejection.count()


async def refused_run(org_id: int, path: Path, code: str, limits: Limits = SMALL) -> ImportRun:
    with pytest.raises(ValidationFailed) as caught:
        await import_file(org_id=org_id, user_id=None, path=path, limits=limits)
    assert caught.value.message_code == code
    assert [(e.field, e.code) for e in caught.value.errors] == [("file", code)]
    run = await ImportRun.select().where(ImportRun.organisation == org_id).output(load_json=True).first()
    assert run["status"] == "failed" and run["error_code"] == code and run["finished_at"] is not None
    assert await written(org_id) == (0, 0), "a refused file writes nothing"
    return run


# ------------------------------------------------------------------------------------------ refused files


async def test_a_10_mb_cell_refuses_the_file_with_its_code_after_more_than_a_batch_of_good_rows(
    backend: Backend, tmp_path: Path
) -> None:
    account = await make_account()
    path = tmp_path / "huge-cell.csv"
    good = "".join(csv_row(n) for n in range(BATCH + 100))  # more than a batch: a one-pass import would have written
    path.write_text(HEADER + good + csv_row(99_999, title="长" * 10_000_000) + csv_row(99_998), encoding="utf-8")
    run = await refused_run(account.org_id, path, "import.cell_too_large")
    assert run["error_params"] == {"line": BATCH + 102, "limit": 200_000}
    report = localized(await imports.report(run["id"]), "en")
    assert report.failure is not None and "longer than the limit of 200000 characters" in report.failure.message
    assert "line 602" in report.failure.message and "nothing of the file was imported" in report.failure.message
    # a cell of many short lines (quoted line breaks) is caught by its size too, not only a long line
    quoted = tmp_path / "quoted.csv"
    lines = "短行\n" * 80_000  # 240,000 characters in lines of three
    quoted.write_text(HEADER + csv_row(1) + f'{number(2)},"{lines}",测试大学,2020-03-15,1\n')
    other = await make_account()
    await refused_run(other.org_id, quoted, "import.cell_too_large")


async def test_a_10_mb_json_value_refuses_the_file(backend: Backend, tmp_path: Path) -> None:
    account = await make_account()
    path = tmp_path / "huge.jsonl"
    path.write_text(json_row(1) + json_row(2, abstract="长" * 10_000_000) + json_row(3), encoding="utf-8")
    run = await refused_run(account.org_id, path, "import.cell_too_large")
    assert run["error_params"]["line"] == 2


async def test_json_nested_10000_deep_refuses_the_file_without_recursing(backend: Backend, tmp_path: Path) -> None:
    account = await make_account()
    path = tmp_path / "deep.jsonl"
    deep = '{"number": "x", "claims": ' + "[" * 10_000 + "]" * 10_000 + "}\n"
    path.write_text("".join(json_row(n) for n in range(BATCH + 10)) + deep + json_row(99_999), encoding="utf-8")
    run = await refused_run(account.org_id, path, "import.json_too_deep")
    assert run["error_params"] == {"line": BATCH + 11, "limit": 32}
    first = tmp_path / "deep-first.jsonl"  # the first document, the one the layout is read from
    first.write_text(deep)
    other = await make_account()
    await refused_run(other.org_id, first, "import.json_too_deep")


def test_depth_is_told_from_the_brackets_outside_strings() -> None:
    assert not json_too_deep('{"a": "' + "[" * 100 + '"}', 3)  # brackets inside a string do not nest
    assert not json_too_deep('{"a": "\\"[[[[[", "b": [[1]]}', 3)  # nor after an escaped quote
    assert json_too_deep('{"a": [[[1]]]}', 3)
    assert not json_too_deep('{"a": [[1]], "b": [[2]], "c": [[3]]}', 3)  # many brackets, shallow


async def test_too_many_rows_refuses_the_file(backend: Backend, tmp_path: Path) -> None:
    account = await make_account()
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "".join(csv_row(n) for n in range(6)))
    limits = Limits(max_rows=5, max_cell_chars=1000, max_record_chars=10_000, max_json_depth=8)
    run = await refused_run(account.org_id, path, "import.too_many_rows", limits)
    assert run["error_params"] == {"limit": 5}
    path.write_text(HEADER + "".join(csv_row(n) for n in range(5)))  # at the limit: imported
    report = await import_file(org_id=account.org_id, user_id=None, path=path, limits=limits)
    assert (report.status, report.inserted) == ("done", 5)


async def test_a_line_beyond_the_record_limit_refuses_the_file(backend: Backend, tmp_path: Path) -> None:
    account = await make_account()
    path = tmp_path / "long.jsonl"
    path.write_text(json_row(1) + json_row(2, inventors=["某" * 90] * 200))  # many short cells, one long document
    limits = Limits(max_rows=10, max_cell_chars=1000, max_record_chars=10_000, max_json_depth=8)
    run = await refused_run(account.org_id, path, "import.record_too_large", limits)
    assert run["error_params"] == {"line": 2, "limit": 10_000}


# ------------------------------------------------------------------------------------------ rows stay rows


async def test_bad_rows_mid_file_do_not_stop_the_others_and_out_of_range_numbers_are_row_errors(
    backend: Backend, tmp_path: Path
) -> None:
    account = await make_account()
    path = tmp_path / "mixed.csv"
    path.write_text(
        HEADER
        + csv_row(1)
        + csv_row(2, claims=str(10**20))  # beyond any integer column
        + csv_row(3, claims="-1")
        + f"{number(4)},,测试大学,2020-03-15,1\n"  # no title
        + "".join(csv_row(n) for n in range(5, BATCH + 50))
        + csv_row(1)  # the same number again, a batch later
    )
    report = await import_file(org_id=account.org_id, user_id=None, path=path)
    assert report.status == "done" and report.rejected == 4 and report.inserted == BATCH + 46
    assert {r.row for r in report.rejections} == {3, 4, 5, BATCH + 51}
    assert {r.field for r in report.rejections if r.row in (3, 4)} == {"claims_count"}
    [again] = [r for r in report.rejections if r.row == BATCH + 51]
    assert (again.code, again.params) == ("import.duplicate_number", {"number": "CN" + number(1), "line": 2})
    json_path = tmp_path / "mixed.jsonl"
    json_path.write_text(json_row(7001) + json_row(7002, claims_count=10**20) + "{broken\n" + json_row(7003))
    report = await import_file(org_id=account.org_id, user_id=None, path=json_path)
    assert (report.inserted, report.rejected) == (2, 2)
    assert {(2, "claims_count"), (3, "row")} <= {(r.row, r.field) for r in report.rejections}
    assert {r.row for r in report.rejections} == {2, 3}


# ------------------------------------------------------------------------------------------ bounded memory


def test_rows_are_yielded_before_the_file_is_read_to_its_end(tmp_path: Path) -> None:
    """The reader is a generator over the file: its first row arrives while the rest is not even written yet."""
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    release = threading.Event()

    def write() -> None:
        with fifo.open("w", encoding="utf-8") as f:
            f.write(HEADER + csv_row(1))
            f.flush()
            release.wait(10)  # the rest only once the first row has been read (or after 10 s: the test fails)
            f.write("".join(csv_row(n) for n in range(2, 1000)))

    writer = threading.Thread(target=write)
    writer.start()
    found = Scan(
        path=fifo, encoding="utf-8-sig", json_lines=False, layout=detect(set(HEADER.strip().split(","))),
        header=tuple(HEADER.strip().split(",")), total=999,
    )  # fmt: skip
    reader = rows(found, SMALL)
    first = next(reader)
    arrived_before_the_rest = not release.is_set()
    release.set()
    rest = list(reader)
    writer.join()
    assert arrived_before_the_rest and first.row == 2 and first.values["number"] == number(1)
    assert len(rest) == 998


def test_a_file_without_line_breaks_is_never_read_whole(tmp_path: Path) -> None:
    """The first pass stops at the record limit: a longer line is refused before its end is even written."""
    fifo = tmp_path / "one-line.csv"
    os.mkfifo(fifo)
    release = threading.Event()

    def write() -> None:
        with fifo.open("w", encoding="utf-8") as f:
            f.write(HEADER + "x" * 20_000)
            f.flush()
            release.wait(10)
            with contextlib.suppress(BrokenPipeError):  # the reader has gone: it never wanted the rest
                f.write("y" * 1_000_000)

    writer = threading.Thread(target=write)
    writer.start()
    limits = Limits(max_rows=10, max_cell_chars=1000, max_record_chars=10_000, max_json_depth=8)
    with pytest.raises(ValidationFailed) as caught:
        scan(fifo, "one-line.csv", limits)
    refused_before_the_rest = not release.is_set()
    release.set()
    writer.join()
    assert refused_before_the_rest and caught.value.message_code == "import.cell_too_large"


async def test_the_report_is_written_batch_by_batch_while_the_run_goes_on(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = await make_account()
    path = tmp_path / "all-bad.csv"
    path.write_text(HEADER + "".join(f"{number(n)},,测试大学,2020-03-15,1\n" for n in range(3 * BATCH + 7)))
    writes: list[tuple[int, int, str]] = []  # (reasons in this write, reasons stored before it, run status)
    original = imports_repo.add_rejections

    async def add_rejections(run_id: int, rejections: list[Any], *, kind: str = "rejection") -> None:
        if kind == "rejection":
            run = await imports_repo.get(run_id)
            assert run is not None
            writes.append((len(rejections), await imports_repo.count_rejections(run_id), run.status))
        await original(run_id, rejections, kind=kind)

    monkeypatch.setattr(imports_repo, "add_rejections", add_rejections)
    report = await import_file(org_id=account.org_id, user_id=None, path=path)
    assert report.rejected == 3 * BATCH + 7 and report.rejections_total == 3 * BATCH + 7
    assert len(report.rejections) == imports.REPORT_SHOWN  # shown: the first ones; stored: every one
    assert len(writes) >= 4 and max(n for n, _, _ in writes) <= BATCH  # never the whole report at once
    assert [before for _, before, _ in writes] == [sum(n for n, _, _ in writes[:i]) for i in range(len(writes))]
    assert {status for _, _, status in writes} == {"running"}  # stored while the run goes on
    every = [r.row async for r in imports.all_rejections(report.id, page=400)]  # the command line's --report
    assert every == list(range(2, 3 * BATCH + 9))


# ------------------------------------------------------------------------------------------ never stuck


async def test_a_job_that_crashes_marks_its_run_failed(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = await make_account()
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + csv_row(1))
    async with jobs.unit_of_work():
        run_id = await imports_repo.create(
            org_id=account.org_id, user_id=None, filename="ok.csv", stored_path=str(path)
        )

    def explode(*_: Any, **__: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(imports, "check_row", explode)
    with pytest.raises(RuntimeError):
        await import_jobs.import_file(run_id=run_id)
    run = await imports_repo.get(run_id)
    assert run is not None and (run.status, run.error_code, run.error_params) == (
        "failed", "import.crashed", {"error": "RuntimeError"}
    )  # fmt: skip
    # a refused file is a report, not an error of the job
    path.write_text("foo,bar\n1,2\n")
    async with jobs.unit_of_work():
        run_id = await imports_repo.create(org_id=account.org_id, user_id=None, filename="x.csv", stored_path=str(path))
    await import_jobs.import_file(run_id=run_id)
    run = await imports_repo.get(run_id)
    assert run is not None and (run.status, run.error_code) == ("failed", "import.unknown_layout")


async def test_a_running_run_whose_worker_died_is_marked_failed(backend: Backend) -> None:
    account = await make_account()
    async with jobs.unit_of_work():
        dead = await imports_repo.create(org_id=account.org_id, user_id=None, filename="a.csv", stored_path="")
        alive = await imports_repo.create(org_id=account.org_id, user_id=None, filename="b.csv", stored_path="")
    now = datetime.now(UTC)
    await imports_repo.update(dead, {"status": "running", "heartbeat_at": now - timedelta(hours=1)})
    await imports_repo.update(alive, {"status": "running", "heartbeat_at": now})
    principal = await principal_for(account)
    listed = await imports.recent_runs(principal=principal, stale_after=timedelta(minutes=15))
    assert {r.id: r.status for r in listed} == {dead: "failed", alive: "running"}
    shown = localized(await imports.get_run(principal=principal, run_id=dead), "en")
    assert (
        shown.failure is not None and shown.failure.code == "import.stalled" and "15 minutes" in shown.failure.message
    )
    await imports_repo.update(alive, {"heartbeat_at": now - timedelta(hours=1)})
    assert await imports.sweep_stale(stale_after=timedelta(minutes=15)) == 1  # the daily sweep finds it too
    assert (await imports_repo.get(alive)).status == "failed"  # type: ignore[union-attr]


async def principal_for(account: Any) -> Any:
    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    return principal


# ------------------------------------------------------------------------------------------ upload


async def test_an_oversized_upload_is_a_413_problem_and_stores_nothing(
    backend: Backend, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = await make_account("university")
    await sign_in(client, account)
    settings = client.app.state.settings
    monkeypatch.setattr(settings, "import_max_upload_bytes", 1000)
    uploads = settings.data_dir / "uploads" / str(account.org_id)
    body = (HEADER + "".join(csv_row(n) for n in range(40))).encode()
    assert 1000 < len(body) < 1000 + 64 * 1024  # within the announced slack: counted while stored
    huge = body * 100  # announced beyond the limit: refused before the body is read
    before = set(uploads.iterdir()) if uploads.exists() else set()  # an earlier test may have used this org id
    for content in (body, huge):
        r = await client.post(
            "/api/imports/",
            files={"file": ("patents.csv", content, "text/csv")},
            headers={"x-csrftoken": await client.csrf(), "accept-language": "en"},
        )
        assert r.status_code == 413, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        problem = r.json()
        assert problem["message_code"] == "import.file_too_large" and "1 MB" in problem["detail"]
        assert [(e["field"], e["code"]) for e in problem["errors"]] == [("file", "import.file_too_large")]
    assert await ImportRun.count().where(ImportRun.organisation == account.org_id) == 0
    assert (set(uploads.iterdir()) if uploads.exists() else set()) == before
    page = await client.post(
        "/patents/import",
        files={"file": ("patents.csv", body, "text/csv")},
        headers={"x-csrftoken": await client.csrf(), "accept": "text/html"},
    )
    assert page.status_code == 413 and 'data-field="file"' in page.text and "1 MB" in page.text
    form = await client.get("/patents/import", headers={"accept": "text/html"})
    assert 'id="file-limits"' in form.text and "1000000" in form.text  # the limits, stated on the page


async def test_a_refused_file_says_why_on_its_page(backend: Backend, client: Client) -> None:
    account = await make_account("university")
    await sign_in(client, account)
    deep = '{"number": "x", "claims": ' + "[" * 10_000 + "]" * 10_000 + "}\n"
    r = await client.post(
        "/api/imports/",
        files={"file": ("deep.jsonl", (json_row(1) + deep).encode(), "application/x-ndjson")},
        headers={"x-csrftoken": await client.csrf()},
    )
    assert r.status_code == 202, r.text
    await client.app.state.job_queue.drain()
    run = (await client.get(f"/api/imports/{r.json()['id']}", headers={"accept-language": "en"})).json()
    assert run["status"] == "failed" and run["failure"]["code"] == "import.json_too_deep"
    assert "nests deeper than the limit of 32 levels" in run["failure"]["message"]
    page = await client.get(f"/patents/import/{run['id']}", headers={"accept": "text/html"})
    assert 'data-code="import.json_too_deep"' in page.text and "嵌套超过 32 层" in page.text
    assert await Patent.count().where(Patent.organisation == account.org_id) == 0
