"""Industry royalty statistics: the file format, its loader, and the table the engine reads.

One CSV row describes one population of licences (an industry in a named classification, a region, a year):
running-royalty quantiles in percent of net sales, lump-sum quantiles in minor units, the share of contracts by
payment mode, the sample size, and where the figures come from. The format is documented in
``pricing/data/README.md``; ``market pricing import FILE`` validates an operator's file with
:func:`load_royalty_table`, which reports every bad row (row number, column, reason) at once.

The shipped default (``pricing/data/royalty_statistics_default.csv``) holds only figures traceable to the public
sources in the project's ``shared`` folder. It is a starting default: no row is official until the CNIPA
per-industry tables are imported (:data:`DEFAULT_TABLE_IS_OFFICIAL`, :data:`STARTING_DEFAULT_NOTE`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from market.kit.money import SUPPORTED_CURRENCIES, Money
from pricing.datafile import Cells, DataFileError, Record, RowError, iter_ordered, read_text, records
from pricing.schemas import Note

DEFAULT_ROYALTY_FILE = "royalty_statistics_default.csv"

DEFAULT_TABLE_IS_OFFICIAL = False
"""The shipped table is a starting default built from public international statistics and CNIPA aggregates, not
the official CNIPA per-industry royalty tables."""

STARTING_DEFAULT_NOTE = Note(code="starting_default", citation="pricing/data/README.md")

RATE_COLUMNS = ("rate_p25", "rate_median", "rate_p75")
LUMP_COLUMNS = ("lump_p25_minor", "lump_median_minor", "lump_p75_minor")
SHARE_COLUMNS = ("share_lump_sum", "share_running_royalty", "share_entry_plus_royalty", "share_free")
REQUIRED_COLUMNS = (
    "classification",
    "industry_code",
    "industry_name_en",
    "industry_name_zh",
    "year",
    "sample_size",
    *RATE_COLUMNS,
    "reliability",
    "source",
)
OPTIONAL_COLUMNS = (
    "region",
    "currency",
    *LUMP_COLUMNS,
    "lump_mean_minor",
    *SHARE_COLUMNS,
    "official",
    "source_file",
    "source_selector",
    "derivation",
)
YES_NO = ("yes", "no", "")
SHARE_TOLERANCE = Decimal("0.5")
"""Published shares are rounded to 0.1 point; their sum may exceed 100 by a little."""


class Reliability(StrEnum):
    """As in ``shared/domain/PROVENANCE.md``: primary = official text or page; secondary = press report, mirror
    or compilation; tertiary = commercial page, a lead only."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    TERTIARY = "tertiary"


RELIABILITY_RANK = {Reliability.PRIMARY: 0, Reliability.SECONDARY: 1, Reliability.TERTIARY: 2}


@dataclass(frozen=True, slots=True)
class RoyaltyRow:
    """One validated row. Rates are percent of net sales; lump sums are Money in the row's currency."""

    row: int
    classification: str
    industry_code: str
    industry_name_en: str
    industry_name_zh: str
    region: str
    year: int | None
    sample_size: int | None
    rate_p25: Decimal | None
    rate_median: Decimal | None
    rate_p75: Decimal | None
    currency: str | None
    lump_p25: Money | None
    lump_median: Money | None
    lump_p75: Money | None
    lump_mean: Money | None
    share_lump_sum: Decimal | None
    share_running_royalty: Decimal | None
    share_entry_plus_royalty: Decimal | None
    share_free: Decimal | None
    official: bool
    reliability: Reliability
    source: str
    source_file: str
    source_selector: str
    derivation: str

    @property
    def key(self) -> tuple[str, str]:
        return self.classification, self.industry_code

    @property
    def has_rate_distribution(self) -> bool:
        """Whether the row can anchor a band: all three rate quantiles present."""
        return self.rate_p25 is not None and self.rate_median is not None and self.rate_p75 is not None

    @property
    def has_shares(self) -> bool:
        return any(
            s is not None
            for s in (self.share_lump_sum, self.share_running_royalty, self.share_entry_plus_royalty)
        )

    def rank(self) -> tuple[int, int, int, int, int]:
        """Sort key for choosing among rows of one industry: official, more reliable, larger, newer, first."""
        return (
            0 if self.official else 1,
            RELIABILITY_RANK[self.reliability],
            -(self.sample_size or 0),
            -(self.year or 0),
            self.row,
        )


class RoyaltyTable:
    """Validated royalty rows, indexed by (classification, industry code)."""

    def __init__(self, rows: tuple[RoyaltyRow, ...], name: str) -> None:
        self.rows = rows
        self.name = name
        grouped: dict[tuple[str, str], list[RoyaltyRow]] = defaultdict(list)
        for row in rows:
            grouped[row.key].append(row)
        self._by_key = {k: tuple(sorted(v, key=RoyaltyRow.rank)) for k, v in grouped.items()}

    @property
    def is_official(self) -> bool:
        """True only when every row is marked official (an imported CNIPA table)."""
        return all(r.official for r in self.rows)

    @property
    def classifications(self) -> tuple[str, ...]:
        return tuple(sorted({r.classification for r in self.rows}))

    def rows_for(self, classification: str, industry_code: str) -> tuple[RoyaltyRow, ...]:
        """All rows of an industry, best first (see :meth:`RoyaltyRow.rank`)."""
        return self._by_key.get((classification, industry_code), ())

    def rate_row(self, classification: str, industry_code: str) -> RoyaltyRow | None:
        """The best row with a full rate distribution, which anchors the band; None if the industry has none."""
        return next((r for r in self.rows_for(classification, industry_code) if r.has_rate_distribution), None)

    def context_row(self, classification: str, industry_code: str) -> RoyaltyRow | None:
        """The newest row with payment-mode shares (how licences in this population are usually paid)."""
        rows = [r for r in self.rows_for(classification, industry_code) if r.has_shares]
        return max(rows, key=lambda r: (r.year or 0, r.sample_size or 0, -r.row), default=None)

    def summary(self) -> str:
        industries = len(self._by_key)
        with_rates = sum(1 for k in self._by_key if self.rate_row(*k) is not None)
        official = "official" if self.is_official else "NOT official (starting default)"
        return (
            f"{self.name}: {len(self.rows)} rows, {industries} industries ({with_rates} with a rate distribution), "
            f"classifications {', '.join(self.classifications)}; {official}"
        )


def load_royalty_table(path: str | Path | None = None) -> RoyaltyTable:
    """Load and validate a royalty statistics CSV; without a path, the shipped default.

    Raises :class:`~pricing.datafile.DataFileError` listing every problem (row number, column, reason).
    """
    text, name = read_text(path, DEFAULT_ROYALTY_FILE)
    return parse_royalty_table(text, name=name)


def parse_royalty_table(text: str, *, name: str = "royalty table") -> RoyaltyTable:
    """Validate CSV text (for an uploaded file the web layer holds in memory); see :func:`load_royalty_table`."""
    errors: list[RowError] = []
    parsed = [_parse_row(rec, errors) for rec in records(text, name, required=REQUIRED_COLUMNS,
                                                           optional=OPTIONAL_COLUMNS)]
    rows = tuple(r for r in parsed if r is not None)
    errors += _duplicate_errors(rows)
    if errors:
        raise DataFileError(name, errors)
    return RoyaltyTable(rows, name)


def _parse_row(record: Record, errors: list[RowError]) -> RoyaltyRow | None:
    """One row, every column checked; None when any check failed (its errors are in ``errors``)."""
    before = len(errors)
    c = Cells(record, errors)
    classification = c.text("classification", required=True)
    code = c.text("industry_code", required=True)
    name_en, name_zh = c.text("industry_name_en"), c.text("industry_name_zh")
    if not name_en and not name_zh:
        c.fail("industry_name_en", "an industry name is required (industry_name_en or industry_name_zh)")
    year = c.integer("year", minimum=1900, maximum=2100)
    sample_size = c.integer("sample_size", minimum=1)
    rates = {col: c.decimal(col, minimum=Decimal(0), maximum=Decimal(100)) for col in RATE_COLUMNS}
    currency, lumps = _lump_sums(c)
    shares = {col: c.decimal(col, minimum=Decimal(0), maximum=Decimal(100)) for col in SHARE_COLUMNS}
    _check_order(c, list(rates.items()), "rate quantiles must be ordered p25 <= median <= p75")
    _check_order(c, [(k, v.minor if v else None) for k, v in lumps.items()], "lump-sum quantiles must be ordered")
    _check_shares(c, shares)
    official = c.choice("official", YES_NO) == "yes"
    reliability = c.choice("reliability", [r.value for r in Reliability])
    source = c.text("source", required=True)
    has_figures = any(v is not None for v in (*rates.values(), *lumps.values(), *shares.values()))
    if not has_figures:
        c.fail("row", "holds no figure: give rate quantiles, lump sums or payment-mode shares")
    if len(errors) > before or reliability is None:
        return None
    return RoyaltyRow(
        row=record.row,
        classification=classification,
        industry_code=code,
        industry_name_en=name_en or name_zh,
        industry_name_zh=name_zh or name_en,
        region=c.text("region"),
        year=year,
        sample_size=sample_size,
        rate_p25=rates["rate_p25"],
        rate_median=rates["rate_median"],
        rate_p75=rates["rate_p75"],
        currency=currency,
        lump_p25=lumps["lump_p25_minor"],
        lump_median=lumps["lump_median_minor"],
        lump_p75=lumps["lump_p75_minor"],
        lump_mean=lumps["lump_mean_minor"],
        share_lump_sum=shares["share_lump_sum"],
        share_running_royalty=shares["share_running_royalty"],
        share_entry_plus_royalty=shares["share_entry_plus_royalty"],
        share_free=shares["share_free"],
        official=official,
        reliability=Reliability(reliability),
        source=source,
        source_file=c.text("source_file"),
        source_selector=c.text("source_selector"),
        derivation=c.text("derivation"),
    )


def _lump_sums(c: Cells) -> tuple[str | None, dict[str, Money | None]]:
    """Lump-sum columns as Money; a currency is required as soon as one amount is given."""
    amounts = {col: c.integer(col, minimum=0) for col in (*LUMP_COLUMNS, "lump_mean_minor")}
    currency = c.text("currency") or None
    if currency is not None and currency not in SUPPORTED_CURRENCIES:
        c.fail("currency", f"{currency!r} is not one of {', '.join(sorted(SUPPORTED_CURRENCIES))}")
        currency = None
    elif currency is None and any(v is not None for v in amounts.values()):
        c.fail("currency", "is required when a lump-sum amount is given")
    if currency is None:
        return None, dict.fromkeys(amounts)
    return currency, {col: None if v is None else Money(currency, v) for col, v in amounts.items()}


def _check_order(c: Cells, values: list[tuple[str, Decimal | int | None]], reason: str) -> None:
    for _, higher in iter_ordered(values):
        c.fail(higher, reason)


def _check_shares(c: Cells, shares: dict[str, Decimal | None]) -> None:
    total = sum((v for v in shares.values() if v is not None), Decimal(0))
    if total > Decimal(100) + SHARE_TOLERANCE:
        c.fail("share_free", f"payment-mode shares add up to {total}, above 100")


def _duplicate_errors(rows: tuple[RoyaltyRow, ...]) -> list[RowError]:
    """The same population twice (classification, industry, region, year, source) is an error in the file."""
    first: dict[tuple[str, str, str, int | None, str], int] = {}
    errors: list[RowError] = []
    for row in rows:
        key = (row.classification, row.industry_code, row.region, row.year, row.source)
        if key in first:
            errors.append(RowError(row.row, "industry_code", f"duplicates row {first[key]}"))
        else:
            first[key] = row.row
    return errors
