"""Reading import files: CSV or JSON Lines, in our own layout or in the layouts of common patent exports.

Each reader turns one line of its layout into the fields of ``PatentIn`` (our layout's column names), plus any
problem it met reading a value (a date it cannot parse). The layout is told from the header (CSV) or the first
record's keys (JSON Lines); ``docs/import.md`` documents every layout.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from market.errors import FieldError, ValidationFailed
from market.kit.messages import Msg

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


# ------------------------------------------------------------------------------------------------ files


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK, as Chinese Excel saves CSV)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            encoding = Msg("import.unknown_encoding")
            raise ValidationFailed(encoding, errors=[FieldError("file", encoding, code="encoding")]) from exc


def is_json_lines(text: str, filename: str) -> bool:
    if filename.lower().endswith((".jsonl", ".ndjson", ".json")):
        return True
    return text.lstrip()[:1] == "{"


@dataclass
class Source:
    layout: Layout
    total: int
    rows: Iterator[RawRow]


def open_source(path: Path, filename: str | None = None) -> Source:
    text = decode(path.read_bytes())
    name = filename or path.name
    if is_json_lines(text, name):
        return _json_lines(text)
    return _csv(text)


def _csv(text: str) -> Source:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ValidationFailed(
            Msg("import.empty_file"), errors=[FieldError("file", Msg("import.empty_file"), code="empty")]
        )
    reader.fieldnames = header
    layout = detect(set(header))
    lines, starts = [], []
    previous_end = reader.line_num  # the header's last line
    for line in reader:
        lines.append(line)
        starts.append(previous_end + 1)  # a record with line breaks in a cell spans several lines
        previous_end = reader.line_num

    def rows() -> Iterator[RawRow]:
        for line, start in zip(lines, starts, strict=True):
            problems: list[Problem] = []
            if None in line:  # more cells than the header has
                problems.append(("row", Msg("import.extra_cells", {"n": len(line[None])})))
                line.pop(None)
            values = layout.convert({k: (v or "").strip() for k, v in line.items()}, problems)
            yield RawRow(row=start, values=values, problems=problems)

    return Source(layout=layout, total=len(lines), rows=rows())


def _json_lines(text: str) -> Source:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise ValidationFailed(
            Msg("import.empty_file"), errors=[FieldError("file", Msg("import.empty_file"), code="empty")]
        )
    try:
        first = json.loads(lines[0][1])
    except json.JSONDecodeError as exc:
        not_json = Msg("import.not_json", {"line": lines[0][0], "error": exc.msg})
        raise ValidationFailed(not_json, errors=[FieldError("file", not_json, code="json")]) from exc
    if not isinstance(first, dict):
        objects = Msg("import.not_json_objects")
        raise ValidationFailed(objects, errors=[FieldError("file", objects, code="json")])
    layout = detect(set(first))

    def rows() -> Iterator[RawRow]:
        for number, line in lines:
            problems: list[Problem] = []
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RawRow(row=number, values={}, problems=[("row", Msg("import.row_not_json", {"error": exc.msg}))])
                continue
            if not isinstance(record, dict):
                yield RawRow(row=number, values={}, problems=[("row", Msg("import.not_json_objects"))])
                continue
            yield RawRow(row=number, values=layout.convert(record, problems), problems=problems)

    return Source(layout=layout, total=len(lines), rows=rows())
