"""Browser journeys: the real app served by `market serve` on a free port, driven in Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.services import CHROMIUM, need

# Flags for Debian's Chromium as root on a machine with a closed network (see ../shared/ARCHITECTURE.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    data_dir: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "market", *args], env=self.env, capture_output=True, text=True, timeout=600
        )


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    """Extra MARKET_* settings for the module's live server; a test module overrides this fixture to add some."""
    return {}


@contextmanager
def running_app(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """The app on its embedded default (SQLite file, embedded search, in-process jobs), migrated, served by
    `market serve` on a free port until the block ends; for the browser tests and the screenshot command."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET_")}
    env.update({"MARKET_DATA_DIR": str(data_dir), "MARKET_ENV": "development", "MARKET_LOG_LEVEL": "WARNING"})
    env.update(extra_env or {})
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, data_dir=data_dir)
    migrated = server.cli("migrate")
    if migrated.returncode != 0:
        raise RuntimeError(migrated.stderr)
    with (data_dir / "server.log").open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "market", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(server.url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start:\n" + (data_dir / "server.log").read_text())
                time.sleep(0.2)
            yield server
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, live_server_env: dict[str, str]) -> Iterator[LiveServer]:
    """The app on its embedded default, migrated, on a free port, for the test module."""
    with running_app(tmp_path_factory.mktemp("live"), live_server_env) as server:
        yield server


@pytest.fixture
async def browser_page(live_server: LiveServer) -> AsyncIterator[object]:
    need(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = await browser.new_context(base_url=live_server.url, locale="zh-CN")
        page = await context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            await context.close()
            await browser.close()
