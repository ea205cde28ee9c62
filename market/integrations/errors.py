"""The base of the adapters' errors: what the user reads is a catalogue code, what the provider said is for logs.

An adapter raises ``SomeError("what the provider answered")``: that technical reason stays in ``str(exc)`` (job
logs, the retry record) and never reaches a reader, who gets the class's catalogue code (``says``) rendered in
their language; the problem's ``title`` is the same code.
"""

from __future__ import annotations

from typing import Any, ClassVar

from market.errors import MarketError
from market.kit.messages import Msg


class AdapterError(MarketError):
    says: ClassVar[str] = "adapter.failed"  # the catalogue code a reader sees

    def __init__(self, reason: str = "", **extra: Any) -> None:
        super().__init__(Msg(self.says), **extra)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.says}: {self.reason}" if self.reason else self.says
