"""How patentee names compare: the organisation's name or one of its recorded aliases, whatever the spacing and
the width of the brackets. Pure: no database."""

from __future__ import annotations

from collections.abc import Iterable


def normalise_name(name: str) -> str:
    """Names compare without spaces and with full-width brackets made half-width: 浙江大学（杭州） == 浙江大学(杭州)."""
    table = str.maketrans({"（": "(", "）": ")", "\u3000": " "})
    return "".join(name.translate(table).split()).casefold()


def name_key(org_id: int, name: str) -> str:
    """The key that makes an alias unique per organisation."""
    return f"{org_id}:{normalise_name(name)}"


def matches(names: Iterable[str], patentees: Iterable[str]) -> bool:
    """Is one of ``patentees`` one of ``names`` (the organisation's name and its aliases)?"""
    wanted = {normalise_name(n) for n in names if n.strip()}
    return any(normalise_name(p) in wanted for p in patentees)
