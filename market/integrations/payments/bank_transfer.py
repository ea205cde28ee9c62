"""Bank transfer (对公转账): the reference a licensee quotes in the transfer's memo (摘要/附言).

Chinese firms pay licences from their corporate account by bank transfer. The only thing linking a transfer to a
licence is what the payer types in the memo, so the reference is made to survive a person and a bank:

    OL-2026-7K3M-6
    |  |    |    check character (Luhn mod 32 over year + body): catches any single typo and most swaps
    |  |    body: 4 characters of Crockford base 32 (no I, L, O, U: nothing to misread), random
    |  year
    prefix (Open Licence)

``find_references`` reads it back from a memo however it was typed: lower case, full-width characters (ＯＬ－),
spaces or no hyphens, O for 0, I or L for 1. Uniqueness: 32^4 (about a million) bodies a year; the caller stores
references under a unique constraint and draws again on a collision (``new_reference`` is pure and cheap).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date

from market.integrations.payments.port import Payment, PaymentMethod, PaymentRequest, PaymentStatus, platform_fee

PROVIDER = "bank_transfer"
PREFIX = "OL"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32
BODY_LENGTH = 4
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEP = r"[\s\-_.:：/]*"
_REFERENCE_RE = re.compile(
    rf"(?<![0-9A-Z])O{_SEP}L{_SEP}(20\d\d){_SEP}((?:[0-9A-Z]{_SEP}){{{BODY_LENGTH}}})([0-9A-Z])(?![0-9A-Z])"
)


def check_character(year: int, body: str) -> str:
    """Luhn mod N (N = 32) over the year's digits and the body, in the Crockford alphabet."""
    factor = 2
    total = 0
    for char in reversed(f"{year:04d}{body}"):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def format_reference(year: int, body: str) -> str:
    return f"{PREFIX}-{year:04d}-{body}-{check_character(year, body)}"


def new_reference(year: int | None = None) -> str:
    """A fresh random reference for ``year`` (default: this year). Store it under a unique constraint."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return format_reference(year or date.today().year, body)


@dataclass(frozen=True)
class FoundReference:
    """A reference-shaped text in a memo: ``reference`` is its canonical form, ``valid`` whether the check holds."""

    reference: str
    valid: bool
    text: str


def find_references(memo: str) -> list[FoundReference]:
    """Every reference-shaped text in a memo, canonicalised, in order; duplicates of one reference kept once."""
    normal = unicodedata.normalize("NFKC", memo).upper()
    found: dict[str, FoundReference] = {}
    for match in _REFERENCE_RE.finditer(normal):
        year = int(match[1])
        body = re.sub(r"[^0-9A-Z]", "", match[2]).translate(_CONFUSABLE)
        check = match[3].translate(_CONFUSABLE)
        if any(c not in ALPHABET for c in body + check):
            continue
        reference = f"{PREFIX}-{year:04d}-{body}-{check}"
        valid = check_character(year, body) == check
        found.setdefault(reference, FoundReference(reference=reference, valid=valid, text=match[0]))
    return list(found.values())


def parse_reference(text: str) -> str | None:
    """The canonical reference typed in ``text`` if it holds exactly one valid one, else None."""
    valid = [f.reference for f in find_references(text) if f.valid]
    return valid[0] if len(valid) == 1 else None


class BankTransferGateway:
    """The bank-transfer adapter of the payments port: a payment is a reference to quote and an amount to send.

    Receipt is confirmed outside this adapter: by a platform admin, or by ``bank_statement.match_statement``.
    """

    provider = PROVIDER

    def __init__(self, *, platform_fee_bp: int = 0, year: int | None = None) -> None:
        self._fee_bp = platform_fee_bp
        self._year = year

    async def start_payment(self, request: PaymentRequest) -> Payment:
        """A new reference for the payer to quote. Not idempotent by itself: the caller stores the reference
        under ``request.idempotency_key`` and returns the stored one on a retry."""
        reference = new_reference(self._year)
        return Payment(
            provider=PROVIDER,
            provider_id=reference,
            status=PaymentStatus.AWAITING_PAYER,
            amount=request.amount,
            platform_fee=platform_fee(request.amount, self._fee_bp),
            licence_id=request.licence_id,
            payee_account=request.payee_account,
            reference=reference,
            methods=(PaymentMethod.BANK_TRANSFER.value,),
        )
