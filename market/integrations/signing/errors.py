"""Errors of the signing adapter: deployment faults (a missing or unreadable certificate, a PDF that cannot be
sealed), never something the end user can fix, so they carry status 500."""

from __future__ import annotations

from market.integrations.errors import AdapterError


class SigningError(AdapterError):
    status = 500
    code = "signing-error"
    title = says = "signing.failed"


class SealerUnavailable(SigningError):
    """The sealing certificate or its key cannot be read (a wrong path, a wrong passphrase)."""

    code = "sealer-unavailable"


class SealFailed(SigningError):
    """pyHanko could not seal the PDF (it is not a PDF, or it is broken)."""

    code = "seal-failed"
