"""What a document template may be given: plain values only.

Why: a template that receives an ORM row can run queries, read fields nobody reviewed for the document, and
changes shape whenever the table does. Plain values (the same a JSON document holds, plus dates) are a contract the
template author can read in ``sample.yaml``. Two more refusals:

- floats, because amounts are integer minor units with a currency and rates are integer basis points; a float in
  a contract is a rounding error waiting to be signed;
- ``markupsafe.Markup`` (pre-marked-safe HTML), because every user value must be escaped by the template.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from markupsafe import Markup

from market.integrations.pdf.errors import DocumentContextInvalid

SCALARS: tuple[type, ...] = (str, int, bool, date, type(None))


def check_plain(context: Mapping[str, Any]) -> None:
    """Raise ``DocumentContextInvalid`` naming the first value that is not plain, by its path (``a.b[2].c``)."""
    _check(context, "context")


def _check(value: Any, path: str) -> None:
    if isinstance(value, Markup):
        raise DocumentContextInvalid(f"{path}: pre-marked-safe HTML is not accepted; pass the plain text")
    if isinstance(value, float):
        raise DocumentContextInvalid(
            f"{path}: floats are not accepted; pass money as {{minor, currency}} and rates as basis points"
        )
    if isinstance(value, SCALARS):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise DocumentContextInvalid(f"{path}: keys must be str, got {type(key).__name__}")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    raise DocumentContextInvalid(
        f"{path}: {type(value).__module__}.{type(value).__qualname__} is not a plain value "
        "(str, int, bool, None, date, list, dict)"
    )
