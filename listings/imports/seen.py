"""The numbers an import has met so far, and on which line: kept in a scratch SQLite file beside nothing, not in
memory, so a file of a million rows costs the same memory as a file of ten.

Only the import that made it reads it (it is no table of the product's database); it is deleted when closed.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType


class SeenNumbers:
    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="market-import-")
        self._db = sqlite3.connect(Path(self._dir.name) / "seen.sqlite3")
        self._db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2000;"
            "CREATE TABLE seen (number TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;"
        )

    def lines_of(self, numbers: Iterable[str]) -> dict[str, int]:
        """The line each of ``numbers`` was first met on, for those met before."""
        wanted = list(dict.fromkeys(numbers))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT number, line FROM seen WHERE number IN ({marks})", chunk))  # noqa: S608 - placeholders only
        return found

    def add(self, pairs: Iterable[tuple[str, int]]) -> None:
        self._db.executemany("INSERT OR IGNORE INTO seen (number, line) VALUES (?, ?)", pairs)
        self._db.commit()

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()

    def __enter__(self) -> SeenNumbers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
