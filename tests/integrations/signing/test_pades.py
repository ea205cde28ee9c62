"""The platform's PAdES seal: a sealed PDF verifies; one byte changed anywhere fails (in the document, in the
signature's padding or its certificate, a hex digit's case, bytes appended); another certificate is not trusted; the
self-signed certificate is made once, its key readable by its owner only; a real certificate can be configured."""

from __future__ import annotations

import io
import logging
import stat
from pathlib import Path

import pytest
import weasyprint
from pyhanko.pdf_utils.reader import PdfFileReader

from finance.signatures import service as signatures
from market.integrations.signing import SEAL_FIELD, load_sealer, seal_pdf, self_signed, verify_pdf
from market.integrations.signing.pades import SELF_SIGNED_FILE
from market.settings import Settings


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return bytes(weasyprint.HTML(string="<p>审查决定 decision 42</p>").write_pdf())


@pytest.fixture(autouse=True)
def _quiet_pyhanko() -> None:
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # a failed check logs its traceback: expected here
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


def flipped(data: bytes, at: int, mask: int = 0x01) -> bytes:
    changed = bytearray(data)
    changed[at] ^= mask
    return bytes(changed)


def gap_of(sealed: bytes) -> tuple[int, int]:
    signature = next(s for s in PdfFileReader(io.BytesIO(sealed)).embedded_signatures if s.field_name == SEAL_FIELD)
    byte_range = signature.byte_range
    return byte_range[1], byte_range[2]


def test_a_sealed_pdf_verifies_and_one_byte_changed_anywhere_fails(tmp_path: Path, pdf: bytes) -> None:
    sealer = self_signed(tmp_path / "seal", common_name="test seal")
    sealed = seal_pdf(pdf, sealer, reason="decision_letter")
    check = verify_pdf(sealed, trust=sealer.trust)
    assert check.valid and check.intact and check.trusted, check
    assert check.reason == "decision_letter" and "test seal" in check.signer and check.signed_at is not None
    assert sealed.startswith(pdf)  # an incremental update: the document's bytes are kept as they were

    start, end = gap_of(sealed)
    der_hex = sealed[start + 1 : end - 1].rstrip(b"0")
    positions = {
        "document body": len(pdf) // 2,
        "first byte": 0,
        "byte range": sealed.index(b"/ByteRange") + 12,
        "signature value": start + len(der_hex) - 10,
        "certificate inside the signature": start + 1 + len(der_hex) // 3,
        "signature padding": end - 10,  # pyHanko alone accepts this one: the DER parser stops before the padding
        "last byte": len(sealed) - 1,
    }
    for where, at in positions.items():
        result = verify_pdf(flipped(sealed, at), trust=sealer.trust)
        assert not result.valid, f"a byte changed in the {where} (offset {at}) was not detected"

    letter = next(i for i in range(start + 1, end - 1) if sealed[i : i + 1] in b"ABCDEF")
    assert not verify_pdf(flipped(sealed, letter, 0x20), trust=sealer.trust).valid  # 'A' -> 'a': same value
    assert verify_pdf(sealed + b"\n% appended\n", trust=sealer.trust).problem in {"not_covered", "altered"}
    assert verify_pdf(pdf, trust=sealer.trust).problem == "no_seal"
    assert verify_pdf(b"not a pdf", trust=sealer.trust).problem == "unreadable"


def test_a_seal_of_another_certificate_is_not_trusted(tmp_path: Path, pdf: bytes) -> None:
    ours = self_signed(tmp_path / "ours")
    theirs = self_signed(tmp_path / "theirs")
    check = verify_pdf(seal_pdf(pdf, theirs, reason="x"), trust=ours.trust)
    assert not check.valid and not check.trusted and check.problem in {"untrusted", "bad_signature"}


def test_the_self_signed_certificate_is_made_once_and_its_key_kept_private(tmp_path: Path, pdf: bytes) -> None:
    first = self_signed(tmp_path / "seal")
    again = self_signed(tmp_path / "seal")
    assert first.certificate.dump() == again.certificate.dump()
    key_file = tmp_path / "seal" / SELF_SIGNED_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in key_file.read_bytes()
    assert [p.name for p in (tmp_path / "seal").iterdir()] == [SELF_SIGNED_FILE]  # no temporary file left behind
    assert verify_pdf(seal_pdf(pdf, first, reason="x"), trust=again.trust).valid


def test_a_real_certificate_from_the_settings(tmp_path: Path, pdf: bytes) -> None:
    """MARKET_SEAL_KEY_FILE and MARKET_SEAL_CERT_FILE name a real certificate: it seals, and nothing is generated."""
    issued = self_signed(tmp_path / "issued")  # stands in for a CA-issued pair: split into key and certificate
    bundle = (tmp_path / "issued" / SELF_SIGNED_FILE).read_bytes()
    split = bundle.index(b"-----BEGIN CERTIFICATE-----")
    (tmp_path / "key.pem").write_bytes(bundle[:split])
    (tmp_path / "cert.pem").write_bytes(bundle[split:])
    assert load_sealer(tmp_path / "key.pem", tmp_path / "cert.pem").subject == issued.subject

    settings = Settings(
        env="test",
        data_dir=tmp_path / "data",
        seal_key_file=str(tmp_path / "key.pem"),
        seal_cert_file=str(tmp_path / "cert.pem"),
    )
    sealed = signatures.seal_now(pdf, reason="contract", settings=settings)
    assert signatures.verify_now(sealed, settings=settings).valid
    assert verify_pdf(sealed, trust=issued.trust).valid
    assert not (tmp_path / "data" / "seal").exists()

    default = Settings(env="test", data_dir=tmp_path / "data")
    assert not signatures.verify_now(sealed, settings=default).valid  # the generated one does not trust it
    assert (tmp_path / "data" / "seal" / SELF_SIGNED_FILE).is_file()
