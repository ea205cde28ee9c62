"""From a patent's IPC codes to the 35 WIPO technology fields, and from a field to a royalty-data industry.

The concordance (``pricing/data/wipo_ipc_technology_concordance_35fields.csv``) is WIPO's IPC-Technology
concordance (Schmoch 2008, updated to 2019) as PatentsView publishes it. Its ``ipc_pattern`` column holds SQL
LIKE patterns: a subclass (``H01L%``) or a main group whose number is right-aligned in four characters
(``A61K   8/%``, ``H04N 101/%``). A real code such as ``A61K 8/02`` or ``A61K8/02`` is first written the same
padded way (``A61K   8/02``) and then matched by prefix. Where patterns overlap the longest one wins, so an
operator may list ``A61K%`` and override ``A61K   8/%`` beside it; the shipped file enumerates groups instead
(WIPO's "A61K without A61K 8" became one pattern per group), and has no overlaps.

A code the concordance lacks at group level but whose subclass it splits by group (for example the newer
``H04N 23/`` cameras) falls back to the field most of that subclass's groups belong to, marked approximate. A
subclass newer than the concordance (``B64U``) finds no field: the cross-industry distribution then applies.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from pricing.datafile import Cells, DataFileError, RowError, read_text, records
from pricing.schemas import FieldRef

DEFAULT_CONCORDANCE_FILE = "wipo_ipc_technology_concordance_35fields.csv"
DEFAULT_MAPPING_FILE = "field_industry_map.csv"
CONCORDANCE_SOURCE = (
    "WIPO IPC-Technology concordance, 35 fields (Schmoch 2008, rows updated to 2019), as published by "
    "PatentsView/PatentsView-DB @ f8aedf48f4f0d0b838b2a4bcd035d825fbb92515 : persistent_files/ipc_technology.csv"
)
FALLBACK_FIELD = "*"
"""The mapping row for a patent whose field is unknown or not listed."""

_PATTERN = re.compile(r"^[A-H][0-9]{2}[A-Z](?:(?: {3}[1-9]| {2}[1-9][0-9]| [1-9][0-9]{2}|[1-9][0-9]{3})/[0-9]*)?%$")
"""A subclass pattern ``H01L%`` or a group pattern whose number is right-aligned in four characters."""
_IPC = re.compile(
    r"""^\s*([A-HY])\s*([0-9]{2})\s*([A-Z])      # section, class, subclass: A 61 K
        (?:\s*([0-9]{1,4})                         # main group: 8
           (?:\s*/\s*([0-9]{1,6})                  # subgroup: /02
            |([0-9]{6}))?                          # or the 14-character form A61K0008020000
        )?""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class FieldMatch:
    """The technology field(s) of one IPC code.

    ``canonical`` is the space-padded form matched against the concordance (None if the code was not understood);
    ``pattern`` the concordance pattern that matched; ``approximate`` marks the subclass fallback.
    """

    code: str
    canonical: str | None
    fields: tuple[int, ...]
    pattern: str | None
    approximate: bool = False

    @property
    def valid(self) -> bool:
        return self.canonical is not None

    @property
    def display(self) -> str:
        """The code as people write it: ``A61K 8/02``."""
        if self.canonical is None:
            return self.code
        return " ".join(self.canonical.split()) if "/" in self.canonical else self.canonical


def normalize_ipc(code: str) -> str | None:
    """The concordance's padded spelling of an IPC code, or None if it is not one.

    ``A61K 8/02``, ``A61K8/02``, ``a61k   8/02 (2006.01)``, full-width ``Ａ６１Ｋ８／０２`` and the 14-character
    ``A61K0008020000`` all give ``A61K   8/02``; ``A61K 8`` gives ``A61K   8/``; ``A61K`` gives ``A61K``.
    """
    text = unicodedata.normalize("NFKC", code).upper()
    m = _IPC.match(text)
    if m is None:
        return None
    section, klass, subclass, group, subgroup, packed = m.groups()
    head = f"{section}{klass}{subclass}"
    if group is None:
        return head
    if packed is not None:  # 14-character form: 4-digit group, 6-digit subgroup padded with zeros on the right
        subgroup = packed.rstrip("0").ljust(2, "0")
    return f"{head}{int(group):>4}/{subgroup or ''}"


class Concordance:
    """IPC code -> WIPO technology field(s), with the patterns compiled once into per-subclass prefix lists."""

    def __init__(self, entries: list[tuple[int, str]], field_names: dict[int, str], name: str) -> None:
        self.name = name
        self.field_names = field_names
        by_prefix: dict[str, set[int]] = defaultdict(set)
        for number, pattern in entries:
            by_prefix[pattern.rstrip("%")].add(number)
        index: dict[str, list[tuple[str, tuple[int, ...]]]] = defaultdict(list)
        for prefix, numbers in by_prefix.items():
            index[prefix[:4]].append((prefix, tuple(sorted(numbers))))
        self._index = {sub: sorted(items, key=lambda i: (-len(i[0]), i[0])) for sub, items in index.items()}
        self._majority = {sub: _majority_field(items) for sub, items in self._index.items()}
        self._cache: dict[str, FieldMatch] = {}

    def __len__(self) -> int:
        return sum(len(v) for v in self._index.values())

    def lookup(self, code: str) -> FieldMatch:
        """The field(s) of ``code``: the longest matching pattern wins; ties (same pattern, two fields) give both."""
        hit = self._cache.get(code)
        if hit is None:
            hit = self._lookup(code)
            if len(self._cache) < 200_000:
                self._cache[code] = hit
        return hit

    def _lookup(self, code: str) -> FieldMatch:
        canonical = normalize_ipc(code)
        if canonical is None:
            return FieldMatch(code, None, (), None)
        candidates = self._index.get(canonical[:4], [])
        for prefix, numbers in candidates:
            if canonical.startswith(prefix):
                return FieldMatch(code, canonical, numbers, f"{prefix}%")
        if canonical[:4] in self._majority:
            return FieldMatch(code, canonical, (self._majority[canonical[:4]],), f"{canonical[:4]}*", True)
        return FieldMatch(code, canonical, (), None)


def _majority_field(items: list[tuple[str, tuple[int, ...]]]) -> int:
    """The field most group patterns of a subclass map to (ties: the lower field number), for unknown groups."""
    counts = Counter(n for _, numbers in items for n in numbers)
    return min(counts, key=lambda n: (-counts[n], n))


def load_concordance(path: str | Path | None = None) -> Concordance:
    """Load the IPC -> technology field concordance; without a path, the shipped one. Row-level errors."""
    text, name = read_text(path, DEFAULT_CONCORDANCE_FILE)
    errors: list[RowError] = []
    entries: list[tuple[int, str]] = []
    names: dict[int, str] = {}
    for rec in records(text, name, required=("field_number", "field_en", "ipc_pattern"),
                       optional=("sector_en", "updated_on", "remark")):
        c = Cells(rec, errors)
        number = c.integer("field_number", minimum=1, maximum=999)
        pattern = rec.cells.get("ipc_pattern", "")  # not stripped: the padding is meaningful
        if not _PATTERN.match(pattern):
            c.fail("ipc_pattern", f"{pattern!r} is not a subclass 'A61K%' or a padded group 'A61K   8/%' pattern")
            continue
        if number is not None:
            entries.append((number, pattern))
            names.setdefault(number, c.text("field_en", required=True))
    if errors:
        raise DataFileError(name, errors)
    return Concordance(entries, names, name)


# ------------------------------------------------------------------------------------- field -> industry


@dataclass(frozen=True, slots=True)
class MappingRow:
    """One technology field's industry in the royalty data; ``field`` None is the fallback row (``*``)."""

    row: int
    field: int | None
    field_en: str
    field_zh: str
    classification: str
    industry_code: str
    rationale: str

    @property
    def ref(self) -> FieldRef | None:
        return None if self.field is None else FieldRef(self.field, self.field_en, self.field_zh)


class FieldIndustryMap:
    """Technology field -> (classification, industry code); unknown or unlisted fields use the ``*`` row."""

    def __init__(self, rows: tuple[MappingRow, ...], name: str) -> None:
        self.name = name
        self.rows = rows
        self.by_field = {r.field: r for r in rows if r.field is not None}
        fallback = [r for r in rows if r.field is None]
        if len(fallback) != 1:
            raise DataFileError(name, [RowError(1, "field_number", "exactly one fallback row '*' is required")])
        self.fallback = fallback[0]

    def for_field(self, number: int | None) -> MappingRow:
        if number is None:
            return self.fallback
        return self.by_field.get(number, self.fallback)

    def field_ref(self, number: int) -> FieldRef:
        row = self.by_field.get(number)
        if row is None:
            return FieldRef(number, f"Field {number}", f"技术领域{number}")  # words: data
        return FieldRef(number, row.field_en, row.field_zh)


def load_field_industry_map(path: str | Path | None = None) -> FieldIndustryMap:
    """Load the field -> industry mapping (ours, replaceable by an operator); row-level errors."""
    text, name = read_text(path, DEFAULT_MAPPING_FILE)
    errors: list[RowError] = []
    rows: list[MappingRow] = []
    seen: dict[int | None, int] = {}
    for rec in records(text, name, required=("field_number", "classification", "industry_code"),
                       optional=("field_en", "field_zh", "rationale")):
        c = Cells(rec, errors)
        raw = rec.get("field_number")
        if raw == FALLBACK_FIELD:
            number: int | None = None
        elif not raw:
            c.fail("field_number", "is required (a field number, or '*' for the fallback)")
            continue
        else:
            number = c.integer("field_number", minimum=1)
            if number is None:
                continue
        if number in seen:
            c.fail("field_number", f"duplicates row {seen[number]}")
            continue
        seen[number] = rec.row
        classification = c.text("classification", required=True)
        code = c.text("industry_code", required=True)
        if classification and code:
            rows.append(MappingRow(rec.row, number, c.text("field_en"), c.text("field_zh"),
                                   classification, code, c.text("rationale")))
    if None not in seen:
        errors.append(RowError(1, "field_number", "a fallback row with field_number '*' is required"))
    if errors:
        raise DataFileError(name, errors)
    return FieldIndustryMap(tuple(rows), name)
