"""The contract's reactions to other modules' events. Each is safe to run twice."""

from __future__ import annotations

from finance.contracts import service
from market import runtime
from market.events import on


@on("licence.activated")
async def render_contract(*, licence_id: int) -> None:
    """A licence took effect: its contract is rendered and stored, once (``contract.rendered`` follows)."""
    await service.render_contract(licence_id=licence_id, data_dir=runtime.current().settings.data_dir)
