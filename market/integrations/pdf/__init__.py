"""PDF documents: a versioned folder (template.html, style.css, document.yaml, sample.yaml) rendered with Jinja2
(autoescape on, plain values only) and WeasyPrint behind a URL fetcher that refuses file:// and outside hosts.

    from market.integrations.pdf import render_document_in_thread
    doc = await render_document_in_thread(folder_path, plain_values)   # from a job: runs in a thread
    store(doc.pdf); audit(sha256=doc.sha256, template=f"{doc.document}@{doc.version}")
"""

from market.integrations.pdf.errors import (
    DocumentContextInvalid,
    DocumentError,
    DocumentFolderInvalid,
    DocumentTemplateFailed,
)
from market.integrations.pdf.fetcher import DOCUMENT_SCHEME, RestrictedURLFetcher
from market.integrations.pdf.render import (
    DocumentFolder,
    RenderedDocument,
    html_to_pdf,
    render_document,
    render_document_in_thread,
    render_html,
)

__all__ = [
    "DOCUMENT_SCHEME",
    "DocumentContextInvalid",
    "DocumentError",
    "DocumentFolder",
    "DocumentFolderInvalid",
    "DocumentTemplateFailed",
    "RenderedDocument",
    "RestrictedURLFetcher",
    "html_to_pdf",
    "render_document",
    "render_document_in_thread",
    "render_html",
]
