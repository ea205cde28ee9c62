"""A message's parameters as JSON and back, types kept: a stored message (a notification) is rendered later, in the
reader's language, with money, rates and dates formatted as they were meant.

Strings, integers and ``None`` are stored as they are; the other types as a one-key object: ``{"$money": [minor,
currency]}``, ``{"$bp": 350}``, ``{"$date": "2026-11-20"}``, ``{"$datetime": "..."}``, ``{"$decimal": "1.5"}``,
a list of words as ``{"$words": [...]}`` and a message inside a message as ``{"$msg": [code, {params}]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from market.kit.messages import Bp, Msg, Param
from market.kit.money import Money


def param_to_json(value: Param) -> Any:
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, Money):
        return {"$money": [value.minor, value.currency]}
    if isinstance(value, Bp):
        return {"$bp": value.value}
    if isinstance(value, datetime):  # before date: a datetime is a date
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Msg):
        return {"$msg": [value.code, params_to_json(value.params)]}
    if isinstance(value, tuple):
        return {"$words": list(value)}
    return {"$decimal": str(value)}


def param_from_json(value: Any) -> Param:
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, dict) and len(value) == 1:
        [(kind, data)] = value.items()
        if kind == "$money":
            return Money(str(data[1]), int(data[0]))
        if kind == "$bp":
            return Bp(int(data))
        if kind == "$datetime":
            return datetime.fromisoformat(str(data))
        if kind == "$date":
            return date.fromisoformat(str(data))
        if kind == "$decimal":
            return Decimal(str(data))
        if kind == "$msg":
            return message_from_json(str(data[0]), data[1])
        if kind == "$words":
            return tuple(str(word) for word in data)
    return str(value)


def params_to_json(params: Mapping[str, Param]) -> dict[str, Any]:
    return {name: param_to_json(value) for name, value in params.items()}


def params_from_json(data: Mapping[str, Any] | None) -> dict[str, Param]:
    return {str(name): param_from_json(value) for name, value in (data or {}).items()}


def message_from_json(code: str, params: Mapping[str, Any] | None) -> Msg:
    return Msg(code, params_from_json(params))
