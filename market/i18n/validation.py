"""Pydantic's input errors said to people, in their language (``validation.po``), with a code for clients.

An error's code is ``validation.<pydantic type>`` (``validation.missing``, ``validation.string_too_short`` ...);
its parameters are pydantic's context (``min_length``, ``ge`` ...). A validator that raises ``ValueError`` with a
catalogue code (``ValueError("listings.patent.title_required")``) is said from the catalogue too; any other
``ValueError`` text is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from market.i18n import gettext

PREFIX = "validation."
FALLBACK = "validation.invalid"
VALUE_ERROR_PREFIX = "Value error, "


def validation_code(error: Mapping[str, Any]) -> str:
    """The catalogue code of one pydantic error (``validation.invalid`` when the catalogue has no words for it)."""
    kind = str(error.get("type", ""))
    loc = error.get("loc") or ()
    field = str(loc[-1]) if loc else ""
    if kind == "value_error":
        raised = _raised_code(error)
        if raised:
            return raised
        if field == "email":
            return PREFIX + "value_error.email"
        return PREFIX + "value_error"
    code = PREFIX + kind
    return code if gettext("en", code) != code else FALLBACK


def validation_params(error: Mapping[str, Any]) -> dict[str, str | int]:
    """Pydantic's context as plain parameters (numbers stay numbers)."""
    out: dict[str, str | int] = {}
    for name, value in (error.get("ctx") or {}).items():
        if name == "error":
            continue
        out[name] = value if isinstance(value, int | str) and not isinstance(value, bool) else str(value)
    return out


def validation_message(error: Mapping[str, Any], lang: str) -> str:
    """One pydantic error as a person would say it, in ``lang``."""
    code = validation_code(error)
    if code == PREFIX + "value_error":
        return str(error.get("msg", "")).removeprefix(VALUE_ERROR_PREFIX)  # a validator's own words
    return gettext(lang, code, **validation_params(error))


def _raised_code(error: Mapping[str, Any]) -> str | None:
    """The catalogue code a validator raised as its ``ValueError`` message, if it raised one."""
    text = str(error.get("msg", "")).removeprefix(VALUE_ERROR_PREFIX).strip()
    if " " in text or "." not in text:
        return None
    return text if gettext("en", text) != text else None
