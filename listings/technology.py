"""A patent's IPC codes as technology fields people read (WIPO's 35 fields, through ``pricing.fields``)."""

from __future__ import annotations

from functools import lru_cache

from listings.declarations.schemas import IpcFieldOut
from pricing.fields import Concordance, FieldIndustryMap, load_concordance, load_field_industry_map


@lru_cache(maxsize=1)
def _concordance() -> Concordance:
    return load_concordance()


@lru_cache(maxsize=1)
def _names() -> FieldIndustryMap:
    return load_field_industry_map()


def field_numbers(codes: list[str]) -> list[int]:
    """The distinct WIPO field numbers of ``codes``, in the order first met."""
    seen: dict[int, None] = {}
    for code in codes:
        for number in _concordance().lookup(code).fields:
            seen.setdefault(number, None)
    return list(seen)


def field_names(number: int) -> tuple[str, str]:
    ref = _names().field_ref(number)
    return ref.name_zh, ref.name_en


def ipc_fields(codes: list[str]) -> list[IpcFieldOut]:
    out = []
    for code in codes:
        match = _concordance().lookup(code)
        if match.fields:
            zh, en = field_names(match.fields[0])
        else:
            zh, en = "", ""  # not identified: the page says so in its language
        out.append(IpcFieldOut(code=match.display, field_zh=zh, field_en=en))
    return out
