"""Reading the package's CSV data files, and the row-level errors every loader reports.

An operator who imports a file (for example the official CNIPA per-industry royalty tables) must be told every
problem at once, row by row, or fixing a 300-row spreadsheet becomes a loop of one-error-per-attempt. So loaders
collect :class:`RowError` values for all rows and raise one :class:`DataFileError` at the end.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

HEADER_ROW = 1
"""Rows are numbered as a spreadsheet numbers them: the header is row 1, the first data row is row 2."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one row: which row (spreadsheet numbering), which column, and why."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


class DataFileError(ValueError):
    """A data file was rejected; ``errors`` lists every problem found, in row order."""

    def __init__(self, name: str, errors: Sequence[RowError]) -> None:
        self.name = name
        self.errors = tuple(sorted(errors, key=lambda e: (e.row, e.field)))
        shown = "\n".join(f"  {e}" for e in self.errors[:50])
        more = f"\n  ... and {len(self.errors) - 50} more" if len(self.errors) > 50 else ""
        super().__init__(f"{name}: {len(self.errors)} problem(s)\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class Record:
    """A data row with its spreadsheet row number and its cells by column name (stripped of whitespace)."""

    row: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


def read_text(path: str | Path | None, default_name: str) -> tuple[str, str]:
    """The file's text and a name for messages: the given path, or the shipped default inside the package.

    Files are UTF-8 (a byte-order mark, as Excel writes, is accepted). A GBK file saved by a Chinese Excel is
    refused with a clear message rather than read as mojibake.
    """
    if path is None:
        resource = resources.files("pricing") / "data" / default_name
        return resource.read_bytes().decode("utf-8-sig"), f"pricing/data/{default_name}"
    raw = Path(path).read_bytes()
    try:
        return raw.decode("utf-8-sig"), str(path)
    except UnicodeDecodeError as exc:
        raise DataFileError(
            str(path), [RowError(0, "file", f"not UTF-8 (save the sheet as 'CSV UTF-8'): {exc.reason}")]
        ) from exc


def records(text: str, name: str, *, required: Sequence[str], optional: Sequence[str] = ()) -> list[Record]:
    """Parse CSV text into records, refusing a missing or unknown column before looking at any row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    errors: list[RowError] = []
    known = set(required) | set(optional)
    errors += [RowError(HEADER_ROW, col, "required column is missing") for col in required if col not in header]
    errors += [RowError(HEADER_ROW, col, "unknown column") for col in header if col not in known]
    seen: set[str] = set()
    for col in header:
        if col in seen:
            errors.append(RowError(HEADER_ROW, col, "column appears twice"))
        seen.add(col)
    if errors:
        raise DataFileError(name, errors)
    out: list[Record] = []
    for number, cells in enumerate(reader, start=HEADER_ROW + 1):
        if not any(c.strip() for c in cells):
            continue  # blank lines, as spreadsheets leave at the end
        if len(cells) != len(header):
            errors.append(RowError(number, "row", f"has {len(cells)} cells, the header has {len(header)}"))
            continue
        out.append(Record(number, dict(zip(header, cells, strict=True))))
    if errors:
        raise DataFileError(name, errors)
    if not out:
        raise DataFileError(name, [RowError(HEADER_ROW + 1, "file", "no data rows")])
    return out


class Cells:
    """Typed reads of one record's cells that record a RowError instead of raising, so all rows get checked."""

    def __init__(self, record: Record, errors: list[RowError]) -> None:
        self.record = record
        self.errors = errors

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.record.row, column, reason))

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.record.get(column)
        if required and not value:
            self.fail(column, "is required")
        return value

    def integer(self, column: str, *, minimum: int, maximum: int | None = None) -> int | None:
        value = self.record.get(column)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.fail(column, f"{value!r} is not a whole number")
            return None
        if number < minimum or (maximum is not None and number > maximum):
            bound = f"{minimum}..{maximum}" if maximum is not None else f">= {minimum}"
            self.fail(column, f"{number} is outside {bound}")
            return None
        return number

    def decimal(self, column: str, *, minimum: Decimal, maximum: Decimal) -> Decimal | None:
        value = self.record.get(column).rstrip("%").strip()
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.fail(column, f"{value!r} is not a number")
            return None
        if not number.is_finite() or number < minimum or number > maximum:
            self.fail(column, f"{value} is outside {minimum}..{maximum}")
            return None
        return number

    def choice(self, column: str, allowed: Sequence[str]) -> str | None:
        value = self.record.get(column)
        if value not in allowed:
            self.fail(column, f"{value!r} is not one of {', '.join(allowed)}")
            return None
        return value


def iter_ordered(values: Sequence[tuple[str, Decimal | int | None]]) -> Iterator[tuple[str, str]]:
    """Pairs of (lower column, higher column) whose present values are out of order."""
    present = [(name, v) for name, v in values if v is not None]
    for (a, va), (b, vb) in itertools.pairwise(present):
        if va is not None and vb is not None and va > vb:
            yield a, b
