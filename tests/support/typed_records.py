"""Check a repository's record against its own annotations: frozen, every value of its declared type (a ``date``
column gives a ``date``, not a ``datetime`` or a string; a JSON column gives a loaded object, not its text)."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from typing import Any

import pytest


def _matches(value: Any, annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if origin is not None:  # dict[str, JsonValue], list[...]
        return isinstance(value, origin)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if annotation is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    return isinstance(value, annotation)


def assert_typed(record: object) -> None:
    """``record`` is a frozen dataclass whose every field holds a value of its annotated type."""
    assert dataclasses.is_dataclass(record) and not isinstance(record, type), record
    hints = typing.get_type_hints(type(record))
    fields = dataclasses.fields(record)
    for field in fields:
        value = getattr(record, field.name)
        assert _matches(value, hints[field.name]), f"{type(record).__name__}.{field.name} = {value!r}"
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, fields[0].name, None)
