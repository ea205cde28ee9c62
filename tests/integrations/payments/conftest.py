"""Payments fixtures: localstripe (PyPI) as a subprocess on a free port, the official SDK pointed at it through a
recording transport, and a webhook receiver registered with localstripe. What localstripe lacks: stripe_support.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from market.integrations.payments import StripeConfig, StripeGateway
from tests.integrations.payments.stripe_support import (
    API_KEY,
    PLATFORM_FEE_BP,
    WEBHOOK_SECRET,
    Delivery,
    LocalstripeTransport,
    WebhookReceiver,
    free_port,
)
from tests.support.services import need


def _wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/balance", auth=(API_KEY, ""), timeout=1)
            return True
        except httpx.HTTPError:
            time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """Start ``python -m localstripe --from-scratch`` on a free port; skip (fail under CI=true) if it cannot."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="localstripe-", suffix=".log", delete=False)  # noqa: SIM115
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    except OSError as exc:
        log.close()
        need(False, f"localstripe could not be started: {exc}")
        raise
    try:
        if not _wait_for(port, process):
            tail = Path(log.name).read_text(errors="replace")[-800:]
            need(False, f"localstripe (pip package localstripe) did not start on port {port}: {tail}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        Path(log.name).unlink(missing_ok=True)


@pytest.fixture
def transport() -> LocalstripeTransport:
    return LocalstripeTransport()


@pytest.fixture
def config(localstripe_url: str) -> StripeConfig:
    return StripeConfig(
        api_key=API_KEY,
        webhook_secret=WEBHOOK_SECRET,
        api_base=localstripe_url,
        platform_fee_bp=PLATFORM_FEE_BP,
        max_network_retries=0,
    )


@pytest.fixture
def gateway(config: StripeConfig, transport: LocalstripeTransport) -> StripeGateway:
    return StripeGateway(config, http_client=transport)


@pytest.fixture
def webhook_receiver(localstripe_url: str) -> Iterator[WebhookReceiver]:
    """An HTTP endpoint registered with localstripe (POST /_config/webhooks/<id>) with our signing secret."""
    deliveries: list[Delivery] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            deliveries.append(Delivery(body=body, signature=self.headers.get("Stripe-Signature")))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe"
    hook_id = f"wh_{uuid.uuid4().hex[:12]}"
    response = httpx.post(
        f"{localstripe_url}/_config/webhooks/{hook_id}",
        json={"url": url, "secret": WEBHOOK_SECRET, "events": ["payment_intent.succeeded"]},
    )
    response.raise_for_status()
    try:
        yield WebhookReceiver(url=url, deliveries=deliveries)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
