"""What an uploaded evidence file is, from its first bytes (the file name and the browser's word are not trusted):
PDF, PNG or JPEG, the three kinds a scan of a licence or certificate comes in. Pure."""

from __future__ import annotations

# (magic number, content type)
EVIDENCE_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def evidence_type(content: bytes) -> str | None:
    """The content type of a PDF, PNG or JPEG file from its bytes, or None when it is none of them."""
    return next((kind for magic, kind in EVIDENCE_SIGNATURES if content.startswith(magic)), None)


def clean_filename(filename: str, content_type: str, *, limit: int = 120) -> str:
    """A file name fit to store and send back: printable, without path or quoting characters, at most ``limit``
    characters (the end kept); a generic name with the type's extension when nothing is left."""
    name = "".join(c for c in filename if c.isprintable() and c not in '/\\"<>:|?*')[-limit:].strip()
    return name or f"document{EXTENSIONS.get(content_type, '')}"
