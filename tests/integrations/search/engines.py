"""The engines under test: the embedded index always; Meilisearch where MARKET_MEILI_URL answers."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import httpx
import pytest

from market.integrations.search.embedded import EmbeddedSearch
from market.integrations.search.engine import SearchEngine
from market.integrations.search.meili import MeiliSearch

ENGINES = ["embedded", "meilisearch"]
MEILI_URL = os.environ.get("MARKET_MEILI_URL", "")
MEILI_KEY = os.environ.get("MARKET_MEILI_KEY", "")


def meili_unavailable() -> str | None:
    """Why the Meilisearch tests cannot run here, or None when a server answers."""
    if not MEILI_URL:
        return "MARKET_MEILI_URL is not set: no Meilisearch server to run the Meilisearch adapter against"
    try:
        response = httpx.get(MEILI_URL.rstrip("/") + "/health", timeout=2.0)
    except httpx.HTTPError as exc:
        return f"Meilisearch at {MEILI_URL} does not answer ({type(exc).__name__})"
    if response.status_code != 200:
        return f"Meilisearch at {MEILI_URL} answered {response.status_code} on /health"
    return None


def make_engine(kind: str, tmp: Path) -> SearchEngine:
    """An empty, ensured index of the engine ``kind``. Meilisearch is skipped (also under CI=true: no server can
    be installed on the build machine) when MARKET_MEILI_URL does not answer."""
    if kind == "embedded":
        engine: SearchEngine = EmbeddedSearch(tmp / f"idx-{uuid.uuid4().hex[:8]}")
    else:
        reason = meili_unavailable()
        if reason:
            pytest.skip(reason)
        engine = MeiliSearch(MEILI_URL, MEILI_KEY, index_uid=f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}")
    engine.ensure()
    return engine


def drop_engine(engine: SearchEngine) -> None:
    if isinstance(engine, MeiliSearch):
        for uid in (engine.uid, engine.words_uid):
            try:
                engine.client.wait_for_task(engine.client.delete_index(uid).task_uid)
            except Exception:  # noqa: S112 - cleanup of a test index is best effort
                continue
    engine.close()
