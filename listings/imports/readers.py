"""Reading import files: CSV or JSON Lines, in our own layout or in the layouts of common patent exports.

Each reader turns one line of its layout into the fields of ``PatentIn`` (our layout's column names), plus any
problem it met reading a value (a date it cannot parse). The layout is told from the header (CSV) or the first
record's keys (JSON Lines); ``docs/import.md`` documents every layout.

Files are read in two streaming passes, never whole: ``scan`` reads the file once, line by line, to tell its
encoding and layout, count its records and check every limit (``Limits``: rows, cell, line or document, JSON
depth), refusing the file as a whole before anything is written; then ``Source.rows`` yields one ``RawRow`` at a
time. No line is read longer than the record limit, so memory stays bounded whatever the file holds.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from market.errors import FieldError, ValidationFailed
from market.kit.messages import Msg, Param
from market.settings import Settings

Problem = tuple[str, Msg]  # (field, reason)

NATIVE_COLUMNS = (
    "number", "kind", "title_zh", "title_en", "abstract", "claims", "claims_count", "ipc_codes", "patentees",
    "inventors", "application_number", "filing_date", "publication_date", "grant_date", "legal_status",
    "annual_fees_paid_through", "other_fee_reduction_pct", "pledged", "pledgee_consent", "suspension",
    "evaluation_report_ref",
)  # fmt: skip


@dataclass
class RawRow:
    row: int  # the line in the file (a CSV's header is line 1)
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    matches: Callable[[set[str]], bool]
    convert: Callable[[dict[str, Any], list[Problem]], dict[str, Any]]


# ------------------------------------------------------------------------------------------------ values

_HAN = re.compile(r"[\u4e00-\u9fff]")


def parse_date(value: Any, field_name: str, problems: list[Problem], *, us_order: bool = False) -> date | None:
    """ISO (2018-07-30), compact (20180730), dotted or slashed (2018.07.30, 2018/7/30); with ``us_order`` also
    month/day/year (10/20/2008) as Google Patents exports write it. Empty is None; anything else is a problem."""
    text = str(value or "").strip()
    if not text:
        return None
    formats = ["%Y-%m-%d", "%Y%m%d", "%Y.%m.%d", "%Y/%m/%d", "%Y年%m月%d日"]  # words: data
    if us_order:
        formats.insert(0, "%m/%d/%Y")
    for fmt in formats:
        try:
            return datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date()
        except ValueError:
            continue
    problems.append((field_name, Msg("import.not_a_date", {"value": text})))
    return None


def title_fields(title: str) -> dict[str, str]:
    title = " ".join(str(title or "").split())
    return {"title_zh": title} if _HAN.search(title) else {"title_en": title}


def _bool(value: Any) -> bool:
    return str(value or "").strip().lower() in {"1", "true", "yes", "y", "是"}  # words: data


# ------------------------------------------------------------------------------------------------ layouts


def _native(values: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in values.items() if k in NATIVE_COLUMNS and v not in (None, "")}
    for name in ("filing_date", "publication_date", "grant_date", "annual_fees_paid_through"):
        if name in out:
            out[name] = parse_date(out[name], name, problems)
    for name in ("pledged", "pledgee_consent"):
        if name in out and not isinstance(out[name], bool):
            out[name] = _bool(out[name])
    return out


def _cnki(values: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": values.get("publication_number", ""),
        **title_fields(values.get("title", "")),
        "patentees": values.get("applicants") or values.get("com", ""),
        "inventors": values.get("inventors") or values.get("author", ""),
        "filing_date": parse_date(values.get("application_date") or values.get("sql"), "application_date", problems),
        "publication_date": parse_date(
            values.get("publication_date") or values.get("quote"), "publication_date", problems
        ),
    }
    if values.get("ChDiv_summary"):
        out["abstract"] = values["ChDiv_summary"]
    if values.get("claim_text"):
        out["claims"] = values["claim_text"]
    return out


def _google(values: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    return {
        "number": values.get("id", ""),
        **title_fields(values.get("title", "")),
        "patentees": [str(values["assignee"]).strip()] if str(values.get("assignee") or "").strip() else [],
        "inventors": [p.strip() for p in str(values.get("inventor/author") or "").split(",") if p.strip()],
        "filing_date": parse_date(values.get("filing/creation date"), "filing/creation date", problems, us_order=True),
        "publication_date": parse_date(values.get("publication date"), "publication date", problems, us_order=True),
        "grant_date": parse_date(values.get("grant date"), "grant date", problems, us_order=True),
        "abstract": values.get("abstract_matched_by_title") or "",
    }


NOT_PATENT_DOCUMENTS = {"Search report", "Abstract"}
GRANTED_DOCUMENTS = {"Granted Patent", "Amended Patent", "Limited Patent"}


def _lens(values: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    doc_type = str(values.get("docType") or "")
    if doc_type in NOT_PATENT_DOCUMENTS:
        problems.append(("docType", Msg("import.not_a_patent_document", {"type": str(doc_type)})))
    publication_date = parse_date(values.get("publicationDate"), "publicationDate", problems)
    # corrected publications (kind A9, B9) carry their correction date: "EP 2666481 B9 20190522"
    number = re.sub(r"\s+\d{8}$", "", str(values.get("displayKey") or values.get("publicationKey", "")))
    out: dict[str, Any] = {
        "number": number,
        **title_fields(values.get("title", "")),
        "patentees": values.get("owners") or values.get("applicants") or [],
        "inventors": values.get("inventors") or [],
        "ipc_codes": values.get("ipcrClassifications") or [],
        "filing_date": parse_date(values.get("filingDate"), "filingDate", problems),
        "publication_date": publication_date,
    }
    if doc_type in GRANTED_DOCUMENTS:
        out["grant_date"] = publication_date
    return out


def _semantix(values: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    # the export writes 0 for a date it does not have
    values = {k: ("" if v == "0" and k.endswith("日") else v) for k, v in values.items()}  # words: data
    status = str(values.get("法律状态") or "")  # words: data
    grant = parse_date(values.get("授权公告日"), "授权公告日", problems)  # words: data
    out: dict[str, Any] = {  # words: data
        "number": values.get("申请号", ""),
        **title_fields(values.get("专利名称", "")),
        "abstract": values.get("申请摘要", ""),
        "claims": values.get("主权项", ""),
        "ipc_codes": values.get("分类号", ""),
        "patentees": values.get("当前权利人") or values.get("申请人", ""),
        "inventors": values.get("发明人", ""),
        "filing_date": parse_date(values.get("申请日"), "申请日", problems),
        "publication_date": parse_date(values.get("公开日"), "公开日", problems),
        "grant_date": grant,
    }
    if status.startswith("有权"):  # words: data
        out["legal_status"] = "granted"
    elif status.startswith(("无权", "失效")):  # words: data
        out["legal_status"] = "lapsed"
    return out


LAYOUTS = (  # words: data
    Layout("native", "our own columns (docs/import.md)", lambda keys: "number" in keys, _native),
    Layout(
        "cnki",
        "CNKI patent list (publication_number, title, applicants, …)",
        lambda keys: {"publication_number", "title", "applicants"} <= keys,
        _cnki,
    ),
    Layout(
        "cnki-detail",
        "CNKI detail export (com, sql, quote, ChDiv_summary, claim_text)",
        lambda keys: {"publication_number", "com", "ChDiv_summary"} <= keys,
        _cnki,
    ),
    Layout(
        "google-patents",
        "Google Patents search export (id, title, assignee, …)",
        lambda keys: {"id", "title", "assignee", "grant date"} <= keys,
        _google,
    ),
    Layout(
        "lens",
        "Lens.org JSON (publicationKey, jurisdiction, kindCode, …)",
        lambda keys: {"publicationKey", "jurisdiction", "kindCode"} <= keys,
        _lens,
    ),
    Layout(
        "cnipa-bibliographic",
        "Chinese bibliographic table (申请号, 公开号, 专利名称, …)",
        lambda keys: {"申请号", "专利名称"} <= keys,
        _semantix,
    ),
)


def detect(keys: set[str]) -> Layout:
    for layout in LAYOUTS:
        if layout.matches(keys):
            return layout
    known = "; ".join(f"{layout.name}: {layout.description}" for layout in LAYOUTS)
    unknown = Msg("import.unknown_layout", {"columns": tuple(sorted(keys)[:12]), "known": known})
    raise ValidationFailed(unknown, errors=[FieldError("file", unknown, code="layout")])


# ------------------------------------------------------------------------------------------------ limits


@dataclass(frozen=True)
class Limits:
    """What one import file may hold (``MARKET_IMPORT_*`` settings); beyond any of them the file is refused."""

    max_rows: int
    max_cell_chars: int
    max_record_chars: int  # a JSON Lines document, or one physical line of a CSV
    max_json_depth: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_rows=settings.import_max_rows,
            max_cell_chars=settings.import_max_cell_chars,
            max_record_chars=settings.import_max_record_chars,
            max_json_depth=settings.import_max_json_depth,
        )

    @classmethod
    def default(cls) -> Limits:
        return cls.of(Settings.model_construct())  # the settings' defaults, without reading the environment


def refused(code: str, **params: Param) -> ValidationFailed:
    """The file as a whole is refused: one error on the field ``file``, its code the reason's code."""
    reason = Msg(code, params)
    return ValidationFailed(reason, errors=[FieldError("file", reason)])


class LineTooLong(Exception):
    """A line beyond the record limit: a signal between the line reader and its callers."""

    def __init__(self, number: int, prefix: str) -> None:
        super().__init__(number)
        self.number = number
        self.prefix = prefix  # the first ``limit + 1`` characters: all of the line that is read


class BoundedLines:
    """The lines of a text file, none read longer than ``limit`` characters (``LineTooLong`` past it), so a file
    without line breaks is never read whole. ``number`` is the last line read (1-based)."""

    def __init__(self, file: TextIO, limit: int) -> None:
        self.file = file
        self.limit = limit
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.file.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line.rstrip("\r\n")) > self.limit:  # at most limit + 1 read: longer only when it did not end
            raise LineTooLong(self.number, line)
        return line


def _too_long(exc: LineTooLong, limits: Limits, *, json_lines: bool) -> ValidationFailed:
    """A line beyond the record limit: said as the cell too long when its start already holds one (a 10 MB cell
    is a cell too long, not a line too long), else as the line (document) too long."""
    longest = _longest_json_string(exc.prefix) if json_lines else _longest_csv_cell(exc.prefix)
    if longest > limits.max_cell_chars:
        return refused("import.cell_too_large", line=exc.number, limit=limits.max_cell_chars)
    return refused("import.record_too_large", line=exc.number, limit=limits.max_record_chars)


def _longest_csv_cell(prefix: str) -> int:
    try:
        return max(map(len, next(csv.reader([prefix]), [""])), default=0)
    except csv.Error:  # beyond the csv module's own cap on a cell (or an open quote): the longest stretch
        return max(map(len, re.split(r"[,\r\n]", prefix)), default=0)


# A JSON string, its closing quote included when the text has it.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|$)')


def _longest_json_string(prefix: str) -> int:
    return max((len(m.group()) - 2 for m in _JSON_STRING.finditer(prefix)), default=0)


# A JSON string (skipped whole: brackets inside it do not nest) or one bracket.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


def json_too_deep(line: str, limit: int) -> bool:
    """Whether a JSON document nests deeper than ``limit``, told without parsing it (the parser would recurse)."""
    if line.count("[") + line.count("{") <= limit:
        return False  # cannot nest deeper than it has brackets: the usual case, decided in C
    depth = 0
    for token in _JSON_TOKENS.finditer(line):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max((max(len(str(k)), _longest_string(v)) for k, v in value.items()), default=0)
    if isinstance(value, list):
        return max((_longest_string(v) for v in value), default=0)
    return 0


# ------------------------------------------------------------------------------------------------ files

ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without BOM), else GB18030 (Chinese Excel's CSV)
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class Scan:
    """What the first pass learnt of a file that keeps within the limits."""

    path: Path
    encoding: str
    json_lines: bool
    layout: Layout
    header: tuple[str, ...]  # a CSV's columns
    total: int  # records (non-empty lines of JSON Lines, records of a CSV)


@dataclass
class Source:
    layout: Layout
    total: int
    rows: Iterator[RawRow]


def scan(path: Path, filename: str | None = None, limits: Limits | None = None) -> Scan:
    """Read the file once, a line at a time, and refuse it (``ValidationFailed`` on ``file``) if it breaks a limit,
    has no known layout or no known encoding. Nothing is kept but counts."""
    limits = limits or Limits.default()
    for encoding in ENCODINGS:
        json_lines = False
        try:
            json_lines = _is_json_lines(path, filename or path.name, encoding)
            return _scan_json_lines(path, encoding, limits) if json_lines else _scan_csv(path, encoding, limits)
        except UnicodeDecodeError:
            continue
        except LineTooLong as exc:
            raise _too_long(exc, limits, json_lines=json_lines) from None
    raise refused("import.unknown_encoding")


def open_source(path: Path, filename: str | None = None, limits: Limits | None = None) -> Source:
    """The file's layout, record count and rows (a generator: one row read at a time)."""
    limits = limits or Limits.default()
    found = scan(path, filename, limits)
    return Source(layout=found.layout, total=found.total, rows=rows(found, limits))


def rows(found: Scan, limits: Limits) -> Iterator[RawRow]:
    """One row at a time (the file was scanned: a limit broken now means the file changed since)."""
    try:
        yield from (_json_rows(found, limits) if found.json_lines else _csv_rows(found, limits))
    except LineTooLong as exc:
        raise _too_long(exc, limits, json_lines=found.json_lines) from None


def _is_json_lines(path: Path, filename: str, encoding: str) -> bool:
    if filename.lower().endswith(JSON_SUFFIXES):
        return True
    if filename.lower().endswith(CSV_SUFFIXES):
        return False
    with path.open(encoding=encoding) as f:
        while chunk := f.read(4096):
            if stripped := chunk.lstrip():
                return stripped[0] == "{"
    return False


def _csv_reader(lines: BoundedLines, limits: Limits) -> Iterator[list[str]]:
    # the csv module's own cap on a cell (one for the process): at least ours, so ours is the one that speaks
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_cell_chars + 1))
    return csv.reader(lines)


def _csv_header(reader: Iterator[list[str]], lines: BoundedLines) -> tuple[str, ...]:
    try:
        header = tuple(h.strip() for h in next(reader, []))
    except csv.Error as exc:
        raise refused("import.csv_unreadable", line=lines.number, error=str(exc)) from exc
    if not any(header):
        raise refused("import.empty_file")
    return header


def _scan_csv(path: Path, encoding: str, limits: Limits) -> Scan:
    with path.open(encoding=encoding, newline="") as f:
        lines = BoundedLines(f, limits.max_record_chars)
        reader = _csv_reader(lines, limits)
        header = _csv_header(reader, lines)
        layout = detect(set(header))
        total = 0
        try:
            for record in reader:
                if not record:
                    continue  # a blank line is no record
                total += 1
                if total > limits.max_rows:
                    raise refused("import.too_many_rows", limit=limits.max_rows)
                if max(map(len, record)) > limits.max_cell_chars:
                    raise refused("import.cell_too_large", line=lines.number, limit=limits.max_cell_chars)
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise refused("import.cell_too_large", line=lines.number, limit=limits.max_cell_chars) from exc
            raise refused("import.csv_unreadable", line=lines.number, error=str(exc)) from exc
    return Scan(path=path, encoding=encoding, json_lines=False, layout=layout, header=header, total=total)


def _csv_rows(found: Scan, limits: Limits) -> Iterator[RawRow]:
    header, layout, width = found.header, found.layout, len(found.header)
    with found.path.open(encoding=found.encoding, newline="") as f:
        lines = BoundedLines(f, limits.max_record_chars)
        reader = _csv_reader(lines, limits)
        next(reader, None)
        previous_end = lines.number  # the header's last line
        for record in reader:
            start = previous_end + 1  # a record with line breaks in a cell spans several lines
            previous_end = lines.number
            if not record:
                continue
            problems: list[Problem] = []
            if len(record) > width:  # more cells than the header has
                problems.append(("row", Msg("import.extra_cells", {"n": len(record) - width})))
            cells = {name: (record[n].strip() if n < len(record) else "") for n, name in enumerate(header)}
            yield RawRow(row=start, values=layout.convert(cells, problems), problems=problems)


def _json_document(line: str, number: int, limits: Limits) -> Any:
    """One JSON Lines document parsed, after the checks that keep the parser bounded; a broken document is the
    caller's (``json.JSONDecodeError``)."""
    if json_too_deep(line, limits.max_json_depth):
        raise refused("import.json_too_deep", line=number, limit=limits.max_json_depth)
    document = json.loads(line)
    if len(line) > limits.max_cell_chars and _longest_string(document) > limits.max_cell_chars:
        raise refused("import.cell_too_large", line=number, limit=limits.max_cell_chars)
    return document


def _scan_json_lines(path: Path, encoding: str, limits: Limits) -> Scan:
    layout: Layout | None = None
    total = 0
    with path.open(encoding=encoding) as f:
        lines = BoundedLines(f, limits.max_record_chars)
        for line in lines:
            if not line.strip():
                continue
            total += 1
            if total > limits.max_rows:
                raise refused("import.too_many_rows", limit=limits.max_rows)
            try:
                document = _json_document(line, lines.number, limits) if layout is None else None
            except json.JSONDecodeError as exc:
                raise refused("import.not_json", line=lines.number, error=exc.msg) from exc
            if layout is None:
                if not isinstance(document, dict):
                    raise refused("import.not_json_objects")
                layout = detect(set(document))
                continue
            if json_too_deep(line, limits.max_json_depth):
                raise refused("import.json_too_deep", line=lines.number, limit=limits.max_json_depth)
            if len(line) > limits.max_cell_chars:  # only a line this long can hold a cell too long
                with contextlib.suppress(json.JSONDecodeError):  # a broken row is reported in its place
                    _json_document(line, lines.number, limits)
    if layout is None:
        raise refused("import.empty_file")
    return Scan(path=path, encoding=encoding, json_lines=True, layout=layout, header=(), total=total)


def _json_rows(found: Scan, limits: Limits) -> Iterator[RawRow]:
    with found.path.open(encoding=found.encoding) as f:
        lines = BoundedLines(f, limits.max_record_chars)
        for line in lines:
            if not line.strip():
                continue
            number = lines.number
            problems: list[Problem] = []
            try:
                record = _json_document(line, number, limits)
            except json.JSONDecodeError as exc:
                yield RawRow(row=number, values={}, problems=[("row", Msg("import.row_not_json", {"error": exc.msg}))])
                continue
            if not isinstance(record, dict):
                yield RawRow(row=number, values={}, problems=[("row", Msg("import.not_json_objects"))])
                continue
            yield RawRow(row=number, values=found.layout.convert(record, problems), problems=problems)
