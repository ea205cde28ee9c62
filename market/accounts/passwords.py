"""Password hashing with argon2id through argon2-cffi (the maintained binding), and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from market.i18n import Msg

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both failures take the same time.
_DUMMY = _hasher.hash("not-a-real-password-0000")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# The 30,000 most common passwords, as zxcvbn ships them (its "passwords" frequency list, built from leaked
# password corpora; https://github.com/dwolfhub/zxcvbn-python, MIT).
COMMON_PASSWORDS: frozenset[str] = frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, *, email: str, min_length: int) -> list[Msg]:
    """Why a new password is refused (none: accepted): too short, a common password (or one with a digit or two
    added), or the e-mail address's local part within it."""
    problems: list[Msg] = []
    if len(password) < min_length:
        problems.append(Msg("account.password_too_short", {"min": min_length}))
    folded = password.casefold()
    if folded in COMMON_PASSWORDS or folded.rstrip("0123456789!.") in COMMON_PASSWORDS:
        problems.append(Msg("account.password_common"))
    local = email.partition("@")[0].casefold()
    if len(local) >= 3 and local in folded:
        problems.append(Msg("account.password_has_email"))
    return problems
