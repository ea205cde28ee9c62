"""A message in an API answer: its code and parameters, and its text once the edge renders it.

The domain builds a ``MsgOut`` from a ``Msg`` and never fills ``message``; the controller (``market.i18n.localized``)
or the page fills it in the reader's language. In ``market.kit`` so ``pricing``'s schemas can carry messages too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict

from market.kit.messages import Msg

# Renders a catalogue code with its parameters in one language (``market.i18n`` binds the language).
Renderer = Callable[[str, Mapping[str, Any]], str]


class MsgOut(BaseModel):
    """``code`` is the catalogue code; ``params`` its parameters (money as minor units and currency, rates in basis
    points); ``message`` the text in the reader's language (empty until the edge renders it)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    code: str
    params: dict[str, Any] = {}
    message: str = ""

    @classmethod
    def of(cls, msg: Msg) -> Self:
        return cls(code=msg.code, params=dict(msg.params))

    @property
    def catalogue_code(self) -> str:
        return self.code

    @property
    def msg(self) -> Msg:
        return Msg(self.catalogue_code, self.params)

    def rendered(self, render: Renderer) -> Self:
        return self.model_copy(update={"message": render(self.catalogue_code, self.params)})
