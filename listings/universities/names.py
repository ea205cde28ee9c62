"""How patentee names compare: the organisation's name or one of its recorded aliases, whatever the spacing and
the width of the brackets. Pure: no database."""

from __future__ import annotations

from collections.abc import Iterable

from market.kit.names import name_key as normalise_name

__all__ = ["matches", "name_key", "normalise_name"]


def name_key(org_id: int, name: str) -> str:
    """The key that makes an alias unique per organisation."""
    return f"{org_id}:{normalise_name(name)}"


def matches(names: Iterable[str], patentees: Iterable[str]) -> bool:
    """Is one of ``patentees`` one of ``names`` (the organisation's name and its aliases)?"""
    wanted = {normalise_name(n) for n in names if n.strip()}
    return any(normalise_name(p) in wanted for p in patentees)
