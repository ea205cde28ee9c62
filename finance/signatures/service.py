"""The platform's seal on the PDFs it issues, and the parties' signatures.

- ``await seal(pdf, reason=...)``: the PDF with the platform's PAdES seal (pyHanko, in a worker thread). The
  certificate: the one the settings name (``MARKET_SEAL_KEY_FILE``/``MARKET_SEAL_CERT_FILE``...), else a self-signed
  one generated at first use into ``MARKET_SEAL_DIR`` (default ``<data_dir>/seal``; never in git).
- ``await verify(pdf) -> SealCheck``: valid only if nothing at all changed since the seal (see
  ``market.integrations.signing.pades``).
- ``port().sign(...)``: a party's signature through the signing port (``finance.signatures.port``); the first
  adapter is ``ClickSignature``. ``signatures_of(kind, id)`` lists a document's signatures.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from finance.signatures import repository
from finance.signatures.port import SignaturePort
from finance.signatures.records import SignatureRecord
from finance.signatures.schemas import SealCheckOut, SignatureOut
from market import runtime
from market.audit.service import Actor, record
from market.errors import ValidationFailed
from market.i18n import Msg
from market.integrations.signing import SealCheck, Sealer, load_sealer, seal_pdf, self_signed, verify_pdf
from market.settings import Settings

SHA256 = re.compile(r"^[0-9a-f]{64}$")
KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

signatures_of = repository.of_document


# ------------------------------------------------------------------------------------------------- the seal


def _settings() -> Settings:
    return runtime.current().settings


def seal_folder(settings: Settings) -> Path:
    return Path(settings.seal_dir) if settings.seal_dir else settings.data_dir / "seal"


def sealer(settings: Settings | None = None) -> Sealer:
    settings = settings or _settings()
    passphrase = settings.seal_key_passphrase.get_secret_value().encode() or None
    return _sealer(
        settings.seal_key_file,
        settings.seal_cert_file,
        passphrase,
        tuple(settings.seal_chain_files),
        tuple(settings.seal_trust_files),
        str(seal_folder(settings).resolve()),
        settings.seal_name,
    )


@lru_cache(maxsize=8)
def _sealer(
    key_file: str,
    cert_file: str,
    passphrase: bytes | None,
    chain: tuple[str, ...],
    trust: tuple[str, ...],
    folder: str,
    name: str,
) -> Sealer:
    if key_file and cert_file:
        return load_sealer(key_file, cert_file, passphrase=passphrase, chain_files=chain, trust_files=trust)
    return self_signed(Path(folder), common_name=name)


def seal_now(pdf: bytes, *, reason: str, settings: Settings | None = None) -> bytes:
    """``seal`` without the thread (CPU-bound: from async code call ``seal``)."""
    return seal_pdf(pdf, sealer(settings), reason=reason)


def verify_now(pdf: bytes, *, settings: Settings | None = None) -> SealCheck:
    return verify_pdf(pdf, trust=sealer(settings).trust)


async def seal(pdf: bytes, *, reason: str) -> bytes:
    """The PDF sealed by the platform (``reason`` is written into the signature: a short code or title)."""
    settings = _settings()
    return await asyncio.to_thread(seal_now, pdf, reason=reason, settings=settings)


async def verify(pdf: bytes) -> SealCheck:
    settings = _settings()
    return await asyncio.to_thread(verify_now, pdf, settings=settings)


def seal_check_out(check: SealCheck) -> SealCheckOut:
    return SealCheckOut(
        valid=check.valid,
        intact=check.intact,
        trusted=check.trusted,
        signer=check.signer,
        signed_at=check.signed_at,
        reason=check.reason,
        problem=check.problem,
    )


# ------------------------------------------------------------------------------------------------- signing


class ClickSignature:
    """A signed click: who (user and organisation), in which role, when, from which IP and user agent, and the
    SHA-256 of the document signed; recorded once per party, role and document version, and in the audit trail."""

    method = "click"

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
    ) -> SignatureRecord:
        if signer.user_id is None or signer.org_id is None:
            raise ValueError("a signature needs a user acting for an organisation")
        if not KIND.match(document_kind) or not SHA256.match(document_sha256) or not KIND.match(role):
            bad = Msg("signatures.bad_request")
            raise ValidationFailed(bad)
        known = await repository.find(
            document_kind=document_kind,
            document_id=document_id,
            sha256=document_sha256,
            organisation=signer.org_id,
            role=role,
        )
        if known is not None:
            return known  # signed already: the first signature stands (two clicks at once: the unique key, 409)
        at = datetime.now(UTC)
        signature_id = await repository.insert(
            document_kind=document_kind,
            document_id=document_id,
            sha256=document_sha256,
            signer=signer.user_id,
            organisation=signer.org_id,
            role=role,
            at=at,
            ip=ip[:64],
            user_agent=user_agent[:400],
            method=self.method,
        )
        await record(
            actor=signer,
            action="signatures.signed",
            entity_type=document_kind,
            entity_id=document_id,
            org_id=signer.org_id,
            after={
                "signature": signature_id,
                "sha256": document_sha256,
                "role": role,
                "method": self.method,
                "ip": ip[:64],
                "user_agent": user_agent[:400],
                "at": at.isoformat(),
            },
        )
        signed = await repository.get(signature_id)
        assert signed is not None
        return signed


_PORTS: dict[str, SignaturePort] = {"click": ClickSignature()}


def use_port(adapter: SignaturePort) -> None:
    """Register an adapter (a licensed CA's) under its ``method``."""
    _PORTS[adapter.method] = adapter


def port(method: str = "click") -> SignaturePort:
    return _PORTS[method]


def signature_out(found: SignatureRecord) -> SignatureOut:
    return SignatureOut(
        id=found.id,
        document_kind=found.document_kind,
        document_id=found.document_id,
        sha256=found.sha256,
        signer=found.signer,
        organisation=found.organisation,
        role=found.role,
        signed_at=found.signed_at,
        method=found.method,
    )
