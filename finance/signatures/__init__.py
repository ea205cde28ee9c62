"""Signatures: the platform's PAdES seal on the PDFs it issues (seal, verify) and the parties' signatures through a
signing port (``SignaturePort``; first adapter ``ClickSignature``: a signed click with identity and hash)."""
