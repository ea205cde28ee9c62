"""Reason codes: every refusal, warning or point to acknowledge has a code, its source and a severity.

A module registers its codes once (``register(ReasonCode("pledge.ground.01", "law.pledge.reg461.art12",
Severity.block))``) and builds reasons from the registry (``reason("pledge.ground.01", patent="ZL...")``), so a
code's source and severity are said in one place. Texts are catalogue entries: ``reason.<code>`` for the reason,
the source's own code (``law.*``) for its article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum
from typing import Any, Protocol

from market.kit.message_json import params_from_json, params_to_json
from market.kit.messages import Msg, Param


class Severity(StrEnum):
    block = "block"  # refused until fixed
    warn = "warn"  # said, nothing to do
    acknowledge = "acknowledge"  # a party may go on with a recorded acknowledgement


@dataclass(frozen=True, slots=True)
class ReasonCode:
    code: str
    source: str  # a catalogue code: ``law.*`` (an article, a notice) or a product rule's (``lending.source.*``)
    severity: Severity


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    source: str
    severity: Severity
    params: Mapping[str, Param] = dc_field(default_factory=dict)
    field: str = ""  # the form field the reason is about, if any

    @property
    def msg(self) -> Msg:
        return Msg(f"reason.{self.code}", self.params)

    @property
    def article(self) -> Msg:
        return Msg(self.source)

    source_msg = article  # the name finance.loan_products.rules uses

    @classmethod
    def of(cls, other: ReasonLike) -> Reason:
        """A desk reason from any reason of the same shape (e.g. ``finance.loan_products.rules.Reason``)."""
        if isinstance(other, Reason):
            return other
        return cls(
            code=other.code,
            source=other.source,
            severity=Severity(str(other.severity)),
            params=dict(other.params),
            field=getattr(other, "field", ""),
        )

    @property
    def blocks(self) -> bool:
        return self.severity is Severity.block

    def as_json(self) -> dict[str, Any]:
        """As stored in a decision (parameters typed, see ``market.kit.message_json``)."""
        return {
            "code": self.code,
            "source": self.source,
            "severity": self.severity.value,
            "params": params_to_json(self.params),
            "field": self.field,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reason:
        return cls(
            code=str(data["code"]),
            source=str(data.get("source", "")),
            severity=Severity(data.get("severity", Severity.block.value)),
            params=params_from_json(data.get("params") or {}),
            field=str(data.get("field", "")),
        )


class ReasonLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def params(self) -> Mapping[str, Param]: ...


REGISTRY: dict[str, ReasonCode] = {}
# A source is a catalogue code: ``law.*`` for an article or a notice, ``lending.source.*`` for a product's rule.
SOURCE = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")


def register(*codes: ReasonCode) -> None:
    """Add codes to the registry; the same code registered again must say the same thing."""
    for code in codes:
        known = REGISTRY.get(code.code)
        if known is not None and known != code:
            raise ValueError(f"reason code {code.code!r} registered twice, differently: {known} and {code}")
        if not SOURCE.match(code.source):
            raise ValueError(f"reason code {code.code!r}: its source must be a catalogue code (law.*)")
        REGISTRY[code.code] = code


def registered(code: str) -> ReasonCode:
    try:
        return REGISTRY[code]
    except KeyError:
        raise KeyError(f"reason code {code!r} is not registered (finance.desk.reasons.register)") from None


def reason(code: str, *, field: str = "", **params: Param) -> Reason:
    """A reason of a registered code, with its parameters."""
    known = registered(code)
    return Reason(code=known.code, source=known.source, severity=known.severity, params=params, field=field)


def blocking(reasons: Iterable[Reason]) -> list[Reason]:
    return [r for r in reasons if r.severity is Severity.block]


def to_acknowledge(reasons: Iterable[Reason]) -> list[Reason]:
    return [r for r in reasons if r.severity is Severity.acknowledge]
