"""Royalty pricing for open patent licences (Patent Law Art 50-52): a pure calculation library.

It imports nothing of ours but ``market.kit`` and does no I/O beyond reading the data files it is given (or the
shipped defaults in ``pricing/data``). Money is :class:`market.kit.money.Money` in integer minor units; rates are
Decimal percent of net sales. The same input always gives the same output.

The web layer calls:

- :func:`suggest` (or :meth:`Engine.suggest`): suggested terms in all three payment modes, explained;
- :func:`within_band`: whether a proposed price lies in the suggested band (warning, listing badge);
- :func:`relief_from_royalty`: a patent's value for pledge financing;
- :func:`field_of_ipc`: the WIPO technology field(s) of an IPC code;
- :func:`load_royalty_table`: validate an operator's royalty statistics file (``market pricing import FILE``).
"""

from __future__ import annotations

from functools import lru_cache

from pricing.bands import within_band
from pricing.caps import MAX_RUNNING_ROYALTY_PERCENT
from pricing.datafile import DataFileError, RowError
from pricing.engine import Engine, default_engine, engine_from_files, suggest
from pricing.fields import (
    Concordance,
    FieldIndustryMap,
    FieldMatch,
    load_concordance,
    load_field_industry_map,
    normalize_ipc,
)
from pricing.params import DEFAULT_PARAMS, PricingParams, annuity_factor
from pricing.royalty_data import (
    DEFAULT_TABLE_IS_OFFICIAL,
    STARTING_DEFAULT_NOTE,
    RoyaltyRow,
    RoyaltyTable,
    load_royalty_table,
    parse_royalty_table,
)
from pricing.schemas import (
    BandCheck,
    BandPosition,
    Comparable,
    Confidence,
    Encumbrances,
    EntryPlusRoyalty,
    Factor,
    FieldRef,
    IndustryRef,
    LicenseeFacts,
    MoneyBand,
    Note,
    Offer,
    PatentFacts,
    RateBand,
    Suggestion,
    Valuation,
)
from pricing.valuation import relief_from_royalty

RoyaltyDataError = DataFileError
"""The error :func:`load_royalty_table` raises: ``.errors`` lists (row, field, reason) for every bad row."""


@lru_cache(maxsize=1)
def _default_concordance() -> Concordance:
    return load_concordance()


def field_of_ipc(code: str) -> FieldMatch:
    """The WIPO technology field(s) of one IPC code with the shipped concordance (``A61K 8/02`` -> field 14)."""
    return _default_concordance().lookup(code)


__all__ = [
    "DEFAULT_PARAMS",
    "DEFAULT_TABLE_IS_OFFICIAL",
    "MAX_RUNNING_ROYALTY_PERCENT",
    "STARTING_DEFAULT_NOTE",
    "BandCheck",
    "BandPosition",
    "Comparable",
    "Concordance",
    "Confidence",
    "DataFileError",
    "Encumbrances",
    "Engine",
    "EntryPlusRoyalty",
    "Factor",
    "FieldIndustryMap",
    "FieldMatch",
    "FieldRef",
    "IndustryRef",
    "LicenseeFacts",
    "MoneyBand",
    "Note",
    "Offer",
    "PatentFacts",
    "PricingParams",
    "RateBand",
    "RowError",
    "RoyaltyDataError",
    "RoyaltyRow",
    "RoyaltyTable",
    "Suggestion",
    "Valuation",
    "annuity_factor",
    "default_engine",
    "engine_from_files",
    "field_of_ipc",
    "load_concordance",
    "load_field_industry_map",
    "load_royalty_table",
    "normalize_ipc",
    "parse_royalty_table",
    "relief_from_royalty",
    "suggest",
    "within_band",
]
