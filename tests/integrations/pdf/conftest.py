"""PDF fixtures: the document folders, their sample values, poppler's tools, and a trap HTTP server."""

from __future__ import annotations

import copy
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from market.integrations.pdf import DocumentFolder
from tests.support.services import need

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTS = ROOT / "finance" / "documents"


@pytest.fixture(scope="session")
def contract_folder() -> DocumentFolder:
    return DocumentFolder.load(DOCUMENTS / "licence_contract")


@pytest.fixture(scope="session")
def statement_folder() -> DocumentFolder:
    return DocumentFolder.load(DOCUMENTS / "monthly_statement")


@pytest.fixture
def contract_sample(contract_folder: DocumentFolder) -> dict[str, Any]:
    return copy.deepcopy(contract_folder.sample())


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    need(path is not None, f"{tool} (Debian package poppler-utils) is not installed")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def pdftotext() -> Any:
    tool = _poppler("pdftotext")

    def run(pdf: bytes, *, layout: bool = False) -> str:
        args = [tool, *(["-layout"] if layout else []), "-enc", "UTF-8", "-", "-"]
        return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode("utf-8")

    return run


@pytest.fixture(scope="session")
def pdffonts(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tool = _poppler("pdffonts")
    folder = tmp_path_factory.mktemp("pdffonts")

    def run(pdf: bytes) -> list[dict[str, str]]:
        path = folder / "doc.pdf"
        path.write_bytes(pdf)
        lines = subprocess.run([tool, str(path)], capture_output=True, check=True, text=True).stdout.splitlines()
        fonts = []
        for line in lines[2:]:  # a header line and a rule
            parts = line.split()
            # name, type (may be several words), encoding, emb, sub, uni, object, ID
            fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
        return fonts

    return run


@pytest.fixture(scope="session")
def pdf_attachments(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tool = _poppler("pdfdetach")
    folder = tmp_path_factory.mktemp("pdfdetach")

    def run(pdf: bytes) -> int:
        path = folder / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run([tool, "-list", str(path)], capture_output=True, check=True, text=True).stdout
        return int(out.split()[0])  # "0 embedded files" / "1 embedded files"

    return run


@dataclass
class TrapServer:
    """An HTTP server on 127.0.0.1 that records every request: the PDF renderer must never reach it."""

    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def trap_server() -> Iterator[TrapServer]:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b"body { color: red }" if self.path.endswith(".css") else b"GIF89a"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TrapServer(url=f"http://127.0.0.1:{server.server_address[1]}", requests=requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
