"""Domain events (an outbox) and their handlers: see ``market.events.service``."""

from market.events.service import emit, on, unhandled

__all__ = ["emit", "on", "unhandled"]
