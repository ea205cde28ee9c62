"""Rendering an answer's messages at the edge: every ``MsgOut`` inside a model (nested, in lists) gets its text in
the reader's language. Services return codes; controllers call ``localized(answer, lang)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from market.i18n import gettext, language_of
from market.kit.messages import Msg
from market.kit.words import MsgOut, Renderer

T = TypeVar("T")


def renderer(lang: str) -> Renderer:
    def render(code: str, params: Mapping[str, Any]) -> str:
        return gettext(lang, code, **params)

    return render


def text(message: Msg | MsgOut | str | None, lang: str) -> str:
    """One message in ``lang`` (a page's helper): a plain string is shown as it is (data)."""
    if message is None:
        return ""
    if isinstance(message, MsgOut):
        message = message.msg
    if isinstance(message, Msg):
        return gettext(lang, message.code, **dict(message.params))
    return message


def sentences(messages: Sequence[Msg | MsgOut], lang: str) -> str:
    """Messages that are sentences, one after the other as the language writes them (no space in Chinese)."""
    return ("" if language_of(lang) == "zh" else " ").join(text(m, lang) for m in messages)


def _walk(value: Any, render: Renderer) -> Any:
    if isinstance(value, MsgOut):
        return value.rendered(render)
    if isinstance(value, BaseModel):
        update = {}
        for name in type(value).model_fields:
            current = getattr(value, name)
            new = _walk(current, render)
            if new is not current:
                update[name] = new
        return value.model_copy(update=update) if update else value
    if isinstance(value, list | tuple):
        items = [_walk(v, render) for v in value]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            return type(value)(items)
        return value
    return value


def localized(value: T, lang: str) -> T:
    """``value`` with the text of every message in it filled in ``lang``."""
    result: T = _walk(value, renderer(lang))
    return result
