"""Render a document folder to PDF: Jinja2 (autoescape on) then WeasyPrint behind a restricted URL fetcher.

A document folder (``finance/documents/<doc>/``) holds ``document.yaml`` (name, version, title), ``template.html``,
``style.css`` and ``sample.yaml`` (sample plain values, for tests, previews and the benchmark). This module takes
the folder's path, so it knows nothing of finance: ``market`` never imports the packages built on it.

Rendering is synchronous and CPU-bound (~0.1-0.2 s for a 3-page Chinese contract with libharfbuzz-subset0). From
async code (an arq job, a request handler) call ``render_document_in_thread``, which runs it in a worker thread so
the event loop keeps serving. Renders in one process are serialised by a lock: Pango and fontconfig have a history
of crashing under concurrent use from threads (Kozea/WeasyPrint#684, #1402), and the GIL would serialise most of
the work anyway; run more worker processes for more throughput.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import weasyprint
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup, escape

from market.i18n import catalogue
from market.integrations.pdf.context import check_plain
from market.integrations.pdf.errors import DocumentContextInvalid, DocumentFolderInvalid, DocumentTemplateFailed
from market.integrations.pdf.fetcher import RestrictedURLFetcher
from market.integrations.pdf.filters import FILTERS

METADATA_FILE = "document.yaml"
TEMPLATE_FILE = "template.html"
STYLE_FILE = "style.css"
SAMPLE_FILE = "sample.yaml"
RESERVED_KEY = "document"

_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class DocumentFolder:
    """A versioned document folder; the version goes with every PDF so a stored contract names its template."""

    path: Path
    name: str
    version: str
    title: str

    @classmethod
    def load(cls, path: Path | str) -> DocumentFolder:
        return _load_folder(Path(path).resolve())

    def css(self) -> str:
        return (self.path / STYLE_FILE).read_text(encoding="utf-8")

    def sample(self) -> dict[str, Any]:
        """The sample plain values of ``sample.yaml`` (dates stay ISO strings: the date filters accept them)."""
        data = yaml.safe_load((self.path / SAMPLE_FILE).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise DocumentFolderInvalid(f"{self.path / SAMPLE_FILE}: expected a mapping at the top")
        return data


@dataclass(frozen=True)
class RenderedDocument:
    """The PDF bytes with what the caller stores beside them (SHA-256 into the audit trail, template version)."""

    pdf: bytes = field(repr=False)
    sha256: str
    pages: int
    document: str
    version: str
    refused_urls: tuple[str, ...] = ()


@lru_cache(maxsize=64)
def _load_folder(path: Path) -> DocumentFolder:
    for required in (METADATA_FILE, TEMPLATE_FILE, STYLE_FILE):
        if not (path / required).is_file():
            raise DocumentFolderInvalid(f"{path}: missing {required}")
    meta = yaml.safe_load((path / METADATA_FILE).read_text(encoding="utf-8"))
    if not isinstance(meta, dict) or not all(isinstance(meta.get(k), str) for k in ("name", "version", "title")):
        raise DocumentFolderInvalid(f"{path / METADATA_FILE}: needs string fields name, version and title")
    return DocumentFolder(path=path, name=meta["name"], version=meta["version"], title=meta["title"])


@lru_cache(maxsize=64)
def _environment(path: Path) -> Environment:
    """One Jinja environment per folder: autoescape on for every template, a missing value is an error."""
    env = Environment(
        loader=FileSystemLoader(str(path)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals["tr"] = catalogue_text
    return env


def catalogue_text(lang: str, code: str, **params: Any) -> Markup:
    """A document's words: the catalogue text of ``code`` in ``lang`` (``tr("zh", "contract.doc.art3")``). The
    text is ours and may hold emphasis (``<strong>``); every parameter is escaped."""
    text = catalogue(lang).gettext(code)
    if params:
        text = text % {name: escape(value) for name, value in params.items()}
    return Markup(text)  # noqa: S704 - a catalogue text of ours, its parameters escaped above


def _folder(folder: DocumentFolder | Path | str) -> DocumentFolder:
    return folder if isinstance(folder, DocumentFolder) else DocumentFolder.load(folder)


def render_html(folder: DocumentFolder | Path | str, context: Mapping[str, Any]) -> str:
    """The final HTML of a document: plain values checked, every value escaped by Jinja's autoescape."""
    doc = _folder(folder)
    check_plain(context)
    if RESERVED_KEY in context:
        raise DocumentContextInvalid(f"context.{RESERVED_KEY} is reserved for the folder's metadata")
    values = {**context, RESERVED_KEY: {"name": doc.name, "version": doc.version, "title": doc.title}}
    try:
        return _environment(doc.path).get_template(TEMPLATE_FILE).render(values)
    except TemplateError as exc:
        raise DocumentTemplateFailed(f"{doc.path / TEMPLATE_FILE}: {exc}") from exc


def html_to_pdf(
    html: str,
    css: str,
    *,
    document_root: Path,
    allowed_hosts: Collection[str] = (),
    fetch_timeout: float = 5.0,
) -> tuple[bytes, int, tuple[str, ...]]:
    """WeasyPrint with our fetcher and no base URL (a relative URL resolves to nothing, so it is never fetched)."""
    fetcher = RestrictedURLFetcher(document_root=document_root, allowed_hosts=allowed_hosts, timeout=fetch_timeout)
    with _RENDER_LOCK:
        stylesheet = weasyprint.CSS(string=css, url_fetcher=fetcher)
        rendered = weasyprint.HTML(string=html, url_fetcher=fetcher).render(stylesheets=[stylesheet])
        pdf: bytes = rendered.write_pdf()
    return pdf, len(rendered.pages), tuple(fetcher.refused)


def render_document(
    folder: DocumentFolder | Path | str,
    context: Mapping[str, Any],
    *,
    allowed_hosts: Collection[str] = (),
    fetch_timeout: float = 5.0,
) -> RenderedDocument:
    """Render a document folder with plain values to PDF bytes and their SHA-256 (synchronous, CPU-bound)."""
    doc = _folder(folder)
    html = render_html(doc, context)
    pdf, pages, refused = html_to_pdf(
        html, doc.css(), document_root=doc.path, allowed_hosts=allowed_hosts, fetch_timeout=fetch_timeout
    )
    return RenderedDocument(
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        pages=pages,
        document=doc.name,
        version=doc.version,
        refused_urls=refused,
    )


async def render_document_in_thread(
    folder: DocumentFolder | Path | str,
    context: Mapping[str, Any],
    *,
    allowed_hosts: Collection[str] = (),
    fetch_timeout: float = 5.0,
) -> RenderedDocument:
    """``render_document`` in a worker thread, for jobs and handlers: the event loop is never blocked."""
    return await asyncio.to_thread(
        render_document, folder, context, allowed_hosts=allowed_hosts, fetch_timeout=fetch_timeout
    )
