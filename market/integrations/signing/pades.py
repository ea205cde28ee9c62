"""Seal a PDF with a PAdES signature (pyHanko, PAdES B-B, SHA-256) and verify one.

Verification says ``valid`` only when all of these hold: the file parses, it holds the seal, the signed digest
matches the bytes it covers (``intact``), the signature checks against a certificate we trust (``trusted``), the seal
covers the whole file (nothing appended after it) and the unsigned gap holding the signature is exactly what pyHanko
writes (the DER signature as upper-case hex, then zero padding). pyHanko alone accepts a change inside that gap's
padding (the DER parser stops at its own length), so the last check is ours: without it one byte changed in the
padding would still verify.

The platform's certificate: a real one (key and certificate PEM files named in the settings) or, when none is
configured, a self-signed one generated at first use into a folder of the data directory (key file mode 0600,
never in git: ``var/`` is ignored). Two processes generating at once: the first file linked in place wins and the
other loads it.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from market.integrations.signing.errors import SealerUnavailable, SealFailed

SEAL_FIELD = "PlatformSeal"
SELF_SIGNED_FILE = "platform-seal.pem"  # key and certificate, one file so both appear at once
SELF_SIGNED_YEARS = 10


@dataclass(frozen=True)
class Sealer:
    """A loaded signing key with its certificate (and chain), and the certificates verification trusts."""

    signer: signers.SimpleSigner
    certificate: asn1_x509.Certificate
    trust: tuple[asn1_x509.Certificate, ...]

    @property
    def subject(self) -> str:
        return str(self.certificate.subject.human_friendly)


@dataclass(frozen=True)
class SealCheck:
    """What verification found. ``valid`` is the answer; the rest says why (``problem`` is a short code:
    ``unreadable``, ``no_seal``, ``altered``, ``bad_signature``, ``untrusted``, ``not_covered``, or empty)."""

    valid: bool
    intact: bool
    trusted: bool
    signer: str = ""
    signed_at: datetime | None = None
    reason: str = ""
    problem: str = ""


def self_signed(folder: Path, *, common_name: str = "Platform seal", organisation: str = "") -> Sealer:
    """The platform's self-signed sealing certificate from ``folder``, generated there at first use."""
    path = folder / SELF_SIGNED_FILE
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{SELF_SIGNED_FILE}.{secrets.token_hex(8)}"
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_generate_pem(common_name, organisation or common_name))
            with contextlib.suppress(FileExistsError):  # another process made it first: then we load theirs
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    data = path.read_bytes()
    return _sealer(data, data, None, ())


def load_sealer(
    key_file: Path | str,
    cert_file: Path | str,
    *,
    passphrase: bytes | None = None,
    chain_files: Sequence[Path | str] = (),
    trust_files: Sequence[Path | str] = (),
) -> Sealer:
    """A real certificate: its key and certificate PEM (or DER) files, its chain, and the roots verification
    trusts (the certificate itself when none are given)."""
    try:
        key_data = Path(key_file).read_bytes()
        cert_data = Path(cert_file).read_bytes()
        chain = tuple(load_cert_from_pemder(str(p)) for p in chain_files)  # type: ignore[no-untyped-call]
        trust = tuple(load_cert_from_pemder(str(p)) for p in trust_files)  # type: ignore[no-untyped-call]
    except (OSError, ValueError) as exc:
        raise SealerUnavailable(f"cannot read the sealing certificate: {exc}") from exc
    return _sealer(key_data, cert_data, passphrase, chain, trust)


def _sealer(
    key_data: bytes,
    cert_data: bytes,
    passphrase: bytes | None,
    chain: tuple[asn1_x509.Certificate, ...],
    trust: tuple[asn1_x509.Certificate, ...] = (),
) -> Sealer:
    try:
        key = load_private_key_from_pemder_data(key_data, passphrase=passphrase)
        certs = list(load_certs_from_pemder_data(cert_data))
    except (ValueError, TypeError) as exc:
        raise SealerUnavailable(f"cannot load the sealing key or certificate: {exc}") from exc
    if not certs:
        raise SealerUnavailable("no certificate in the sealing certificate file")
    certificate = certs[0]
    registry = SimpleCertificateStore.from_certs([certificate, *certs[1:], *chain])  # type: ignore[no-untyped-call]
    signer = signers.SimpleSigner(signing_cert=certificate, signing_key=key, cert_registry=registry)
    return Sealer(signer=signer, certificate=certificate, trust=trust or (certs[-1] if chain == () else chain[-1],))


def _generate_pem(common_name: str, organisation: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * SELF_SIGNED_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem + cert.public_bytes(serialization.Encoding.PEM)


def seal_pdf(pdf: bytes, sealer: Sealer, *, reason: str, location: str = "") -> bytes:
    """The PDF with the platform's PAdES seal over all of it (an incremental update: the original bytes stay)."""
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        reason=reason or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        out = signers.sign_pdf(writer, meta, signer=sealer.signer)
    except Exception as exc:  # pyHanko raises many kinds on a broken input: all mean "not sealable"
        raise SealFailed(f"{type(exc).__name__}: {exc}") from exc
    return bytes(out.getvalue())


def verify_pdf(pdf: bytes, *, trust: Sequence[asn1_x509.Certificate]) -> SealCheck:
    """Check the platform's seal on ``pdf`` (see the module's note for what ``valid`` means)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        embedded = [s for s in reader.embedded_signatures if s.field_name == SEAL_FIELD]
    except Exception:
        return SealCheck(valid=False, intact=False, trusted=False, problem="unreadable")
    if not embedded:
        return SealCheck(valid=False, intact=False, trusted=False, problem="no_seal")
    sig = embedded[-1]
    try:
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=list(trust), allow_fetching=False))
    except Exception:
        return SealCheck(valid=False, intact=False, trusted=False, problem="bad_signature")
    reason_value = sig.sig_object.get("/Reason")
    found = SealCheck(
        valid=False,
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        signer=str(status.signing_cert.subject.human_friendly),
        signed_at=status.signer_reported_dt,
        reason=str(reason_value) if reason_value is not None else "",
    )
    if not status.intact:
        return _with(found, "altered")
    if not status.valid:
        return _with(found, "bad_signature")
    if not status.trusted:
        return _with(found, "untrusted")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return _with(found, "not_covered")
    if not _gap_is_canonical(pdf, sig.byte_range, known=[*trust, status.signing_cert]):
        return _with(found, "altered")
    return SealCheck(
        valid=True,
        intact=True,
        trusted=True,
        signer=found.signer,
        signed_at=found.signed_at,
        reason=found.reason,
    )


def _with(found: SealCheck, problem: str) -> SealCheck:
    return SealCheck(
        valid=False,
        intact=found.intact and problem != "altered",
        trusted=found.trusted,
        signer=found.signer,
        signed_at=found.signed_at,
        reason=found.reason,
        problem=problem,
    )


def _gap_is_canonical(pdf: bytes, byte_range: Sequence[int], *, known: Sequence[asn1_x509.Certificate]) -> bool:
    """The unsigned gap is ``<`` + the DER signature in upper-case hex + ``0`` padding + ``>``, byte for byte, and
    the parts of the signature that no digest covers are exactly what pyHanko writes (see ``_cms_is_exact``)."""
    if len(byte_range) != 4:
        return False
    gap = pdf[byte_range[1] : byte_range[2]]
    if len(gap) < 4 or gap[:1] != b"<" or gap[-1:] != b">":
        return False
    try:
        raw = bytes.fromhex(gap[1:-1].decode("ascii"))
    except ValueError:
        return False
    length = _der_length(raw)
    if length is None:
        return False
    expected = b"<" + raw[:length].hex().upper().encode("ascii") + b"0" * (len(gap) - 2 - 2 * length) + b">"
    return gap == expected and _cms_is_exact(raw[:length], known)


def _cms_is_exact(der: bytes, known: Sequence[asn1_x509.Certificate]) -> bool:
    """The CMS structure re-encodes to the same bytes (no slack in a length), and its unsigned parts hold nothing
    but what pyHanko writes: versions v1, one digest algorithm (the signer's), detached data, certificates we know
    byte for byte, no CRLs, no unsigned attributes. A change there alters no digest, so pyHanko would not see it."""
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info.dump(force=True) != der or info["content_type"].native != "signed_data":
            return False
        data = info["content"]
        signer_infos = data["signer_infos"]
        if len(signer_infos) != 1:
            return False
        signer = signer_infos[0]
        known_der = {c.dump() for c in known}
        certificates = data["certificates"]
        return (
            data["version"].native == "v1"
            and signer["version"].native == "v1"
            and [a.dump() for a in data["digest_algorithms"]] == [signer["digest_algorithm"].dump()]
            and data["encap_content_info"]["content_type"].native == "data"
            and data["encap_content_info"]["content"].native is None
            and len(certificates) > 0
            and all(c.name == "certificate" and c.chosen.dump() in known_der for c in certificates)
            and data["crls"].native is None
            and signer["unsigned_attrs"].native is None
        )
    except (ValueError, TypeError, KeyError):
        return False


def _der_length(raw: bytes) -> int | None:
    """The length of the DER value at the start of ``raw`` (tag, length and content), or None if malformed."""
    if len(raw) < 2 or raw[0] != 0x30:
        return None
    first = raw[1]
    if first < 0x80:
        total = 2 + first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(raw) < 2 + count:
            return None
        total = 2 + count + int.from_bytes(raw[2 : 2 + count], "big")
    return total if total <= len(raw) else None
