"""PAdES seals (pyHanko): the platform seals a PDF with its certificate; verification detects any change to it.

    from market.integrations.signing import load_sealer, seal_pdf, verify_pdf
    sealer = load_sealer(key_file, cert_file)            # or self_signed(folder) at first use
    sealed = seal_pdf(pdf, sealer, reason="...")         # CPU-bound (~0.2-0.4 s): call it from a thread
    check = verify_pdf(sealed, trust=sealer.trust)       # SealCheck(valid, intact, trusted, signer, ...)

Knows nothing of finance: the callers (``finance.signatures``) choose the certificate from the settings.
"""

from market.integrations.signing.errors import SealerUnavailable, SealFailed, SigningError
from market.integrations.signing.pades import (
    SEAL_FIELD,
    SealCheck,
    Sealer,
    load_sealer,
    seal_pdf,
    self_signed,
    verify_pdf,
)

__all__ = [
    "SEAL_FIELD",
    "SealCheck",
    "SealFailed",
    "Sealer",
    "SealerUnavailable",
    "SigningError",
    "load_sealer",
    "seal_pdf",
    "self_signed",
    "verify_pdf",
]
