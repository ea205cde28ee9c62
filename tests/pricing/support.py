"""Helpers for the pricing tests: the shared source folder, and engines over small hand-written tables."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from market.i18n import render
from market.i18n.localized import sentences
from market.kit.law import PatentKind
from market.kit.messages import Msg
from pricing import (
    BandCheck,
    Engine,
    Factor,
    Note,
    PatentFacts,
    load_concordance,
    load_field_industry_map,
    parse_royalty_table,
)
from pricing.fields import FieldIndustryMap
from pricing.params import DEFAULT_PARAMS, PricingParams
from tests.support.services import need

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("MARKET_SHARED_DIR", ROOT.parent / "shared"))

HEADER = (
    "classification,industry_code,industry_name_en,industry_name_zh,region,year,sample_size,"
    "rate_p25,rate_median,rate_p75,currency,lump_p25_minor,lump_median_minor,lump_p75_minor,lump_mean_minor,"
    "share_lump_sum,share_running_royalty,share_entry_plus_royalty,share_free,official,reliability,source,"
    "source_file,source_selector,derivation"
)


def shared_file(relative: str) -> Path:
    """A file of the project's shared folder; skipped when absent, but a failure under CI=true."""
    path = SHARED / relative
    need(path.is_file(), f"{path} is absent: the traceability check needs the project's shared folder")
    return path


def row(
    code: str = "ALL",
    *,
    p25: str = "2.00",
    median: str = "3.00",
    p75: str = "4.00",
    n: str = "",
    official: str = "no",
    classification: str = "wipo35-derived",
    year: str = "2024",
    source: str = "test source",
) -> str:
    """One CSV row of the royalty format with the given rates (other columns empty)."""
    return (
        f"{classification},{code},{code} industry,{code}行业,CN,{year},{n},{p25},{median},{p75},,,,,,,,,,"
        f"{official},primary,{source},,,"
    )


def engine_over(*rows: str, mapping: FieldIndustryMap | None = None, params: PricingParams = DEFAULT_PARAMS) -> Engine:
    """An engine over a hand-written table, the shipped concordance and (by default) the shipped mapping."""
    table = parse_royalty_table("\n".join((HEADER, *rows)) + "\n", name="test table")
    return Engine(table, load_concordance(), mapping or load_field_industry_map(), params)


def patent(
    kind: PatentKind | str = PatentKind.invention,
    ipc: tuple[str, ...] = ("G06F 16/35",),
    years: str = "10",
    claims: int = 5,
) -> PatentFacts:
    return PatentFacts(kind=PatentKind(kind), ipc_codes=ipc, remaining_years=Decimal(years), claims_count=claims)


def words(item: Msg | Note | Factor | BandCheck, lang: str) -> str:
    """What a reader sees of an explanation item in ``lang``."""
    if isinstance(item, BandCheck):
        return sentences(item.messages, lang)
    if isinstance(item, Factor):
        return render(item.message, lang)
    return render(item if isinstance(item, Msg) else item.msg, lang)


def zh(item: Msg | Note | Factor | BandCheck) -> str:
    return words(item, "zh")


def en(item: Msg | Note | Factor | BandCheck) -> str:
    return words(item, "en")
