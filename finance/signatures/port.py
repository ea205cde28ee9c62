"""The signing port: how a party signs a document version. Pure declarations; the adapters live in the service.

A document is named by its kind and id in the module that issues it (``"pledge_contract", 12``) and pinned by its
SHA-256: a signature is of those exact bytes, so a re-rendered document needs new signatures.

``SignaturePort.sign`` records that ``signer`` (a user acting for an organisation) signed the document in ``role``
(``"pledgor"``, ``"pledgee"`` ...), with the request's IP address and user agent, and returns the
``SignatureRecord``. Adapters:

- ``ClickSignature`` (``method="click"``): a signed click. The user, signed in, confirms on a page that shows the
  document and its SHA-256; the record holds who, for which organisation, in which role, when, from where, and the
  hash. The audit trail (a hash chain) holds the same, so the record cannot be edited unnoticed.
- A licensed CA adapter (a later one, ``method="ca"``): the same call, and it returns the record with the CA's
  signature or certificate in ``evidence``. It must be a reliable electronic signature in the sense of the
  Electronic Signature Law Arts 13-14 (the signing data under the signer's sole control, any later change
  detectable). Register it with ``finance.signatures.service.use_port`` and callers need not change.
"""

from __future__ import annotations

from typing import Protocol

from finance.signatures.records import SignatureRecord
from market.audit.service import Actor


class SignaturePort(Protocol):
    method: str

    async def sign(
        self,
        *,
        document_kind: str,
        document_id: int,
        document_sha256: str,
        signer: Actor,
        role: str,
        ip: str,
        user_agent: str,
    ) -> SignatureRecord: ...
