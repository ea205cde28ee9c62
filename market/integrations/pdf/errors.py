"""Errors of the PDF adapter.

They are programming or deployment faults (a broken document folder, a caller handing the template an ORM object),
never something the end user can fix, so they carry status 500 and say exactly which file or value is wrong.
"""

from __future__ import annotations

from market.integrations.errors import AdapterError


class DocumentError(AdapterError):
    status = 500
    code = "document-error"
    title = says = "pdf.failed"


class DocumentFolderInvalid(DocumentError):
    """The document folder lacks a file, or its metadata is malformed."""

    code = "document-folder-invalid"


class DocumentContextInvalid(DocumentError):
    """A template value is not a plain value (str, int, bool, None, date, list, dict with str keys)."""

    code = "document-context-invalid"


class DocumentTemplateFailed(DocumentError):
    """The template raised while rendering (most often: a value it needs is missing)."""

    code = "document-template-failed"
