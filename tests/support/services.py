"""Where the real services are, and what to do when one is missing: skip with the reason, or fail under CI."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

PG_ADMIN_URL = os.environ.get("MARKET_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
def _redis_for_this_worker(url: str) -> str:
    """Each pytest-xdist worker (gw0, gw1 ...) flushes a Redis database of its own: the given one for gw0, the
    ones below it for the others (15, 14, 13 ...)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    head, _, number = url.rpartition("/")
    base = int(number) if number.isdigit() else 15
    return f"{head}/{max(base - int(worker[2:]), 0)}"


REDIS_URL = _redis_for_this_worker(os.environ.get("MARKET_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
CHROMIUM = os.environ.get("MARKET_TEST_CHROMIUM", "/usr/bin/chromium")


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def need(available: bool, reason: str) -> None:
    """Skip when a service is absent, except under CI=true where its absence is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: tests needing it must run, not skip)")
    pytest.skip(reason)
