"""What the domain says instead of sentences: a catalogue code with typed parameters (``market.i18n`` renders it).

In ``market.kit`` so that ``pricing`` (a library importing nothing of ours but ``market.kit``) speaks codes too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Union

from market.kit.money import Money


@dataclass(frozen=True, slots=True)
class Bp:
    """A rate in basis points, shown as a percentage with two decimals (350 -> 3.50%)."""

    value: int


# A parameter may be a message itself (a kind's name, an article), rendered in the same language, or a list of
# names (or messages: a kind's name) joined as the language joins them ("甲、乙" / "A, B").
Param = Union[str, int, Decimal, date, datetime, Money, Bp, tuple[Union[str, "Msg"], ...], "Msg", None]


@dataclass(frozen=True, slots=True)
class Msg:
    """A message the domain returns: a catalogue code and its parameters, never a sentence."""

    code: str
    params: Mapping[str, Param] = field(default_factory=dict)
