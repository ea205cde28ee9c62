"""The only door WeasyPrint has to the outside: a URL fetcher that refuses almost everything.

Why: a contract carries values typed by users (names, addresses, declared terms). Autoescaping keeps them from
becoming tags, but a template may still put a value in an attribute (``<img src="{{ x }}">``), and WeasyPrint
would then fetch whatever URL it holds: ``http://127.0.0.1:9/`` (server-side request forgery against our own
network), ``file:///etc/passwd`` (a local file read, even embedded as an attachment). So:

- ``file:``, ``ftp:``, ``http:`` and every other scheme are refused;
- ``https:`` only for hosts on an explicit allow-list (empty by default), with redirects off, since a redirect
  could lead an allowed host's URL to an internal address;
- ``data:`` is served (it is inline, nothing is fetched);
- ``document:<path>`` serves a file from the document folder itself (a logo, a font), never outside it.

Every refusal is recorded on the fetcher so the caller can log it or a test can assert it.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

DOCUMENT_SCHEME = "document"


class URLRefused(ValueError):
    """Raised for a URL the fetcher will not fetch; WeasyPrint catches it, warns and leaves the resource out."""


class RestrictedURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """A WeasyPrint URL fetcher limited to the document folder, ``data:`` and allow-listed HTTPS hosts."""

    def __init__(
        self,
        *,
        document_root: Path,
        allowed_hosts: Collection[str] = (),
        timeout: float = 5.0,
    ) -> None:
        super().__init__(
            timeout=timeout,
            allowed_protocols=("https", "data"),
            allow_redirects=False,
            fail_on_errors=False,
        )
        self.document_root = document_root.resolve()
        self.allowed_hosts = frozenset(host.lower() for host in allowed_hosts)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
        """Serve ``document:`` and ``data:`` URLs and allow-listed HTTPS hosts; refuse and record the rest."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == DOCUMENT_SCHEME:
            return self._document_file(url, parts.path)
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "https" and (parts.hostname or "").lower() in self.allowed_hosts:
            return super().fetch(url, headers)
        return self._refuse(url, f"scheme {scheme or '(none)'!r} or host {parts.hostname!r} is not allowed")

    def _document_file(self, url: str, path: str) -> URLFetcherResponse:
        """Read a file under the document folder; a path leaving it (``..``, a symlink out) is refused."""
        target = (self.document_root / unquote(path).lstrip("/")).resolve()
        if not target.is_relative_to(self.document_root) or not target.is_file():
            return self._refuse(url, "not a file inside the document folder")
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=target.read_bytes(), headers={"Content-Type": mime})

    def _refuse(self, url: str, reason: str) -> Any:
        self.refused.append(url)
        logger.warning("PDF url_fetcher refused %s: %s", url[:200], reason)
        raise URLRefused(f"refused {url[:200]}: {reason}")
