"""The unified social credit code (统一社会信用代码) of an organisation, per GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without I, O, S, V, Z): the registration
authority (1), the organisation category (1), the administrative division (6 digits), the organisation code (9)
and a check character (1). The check character is ``31 - (sum of value * weight mod 31)``, the weights being
``3**i mod 31`` for positions 1 to 17 (0 when the remainder is 0).
"""

from __future__ import annotations

from typing import Literal

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
LENGTH = 18

Problem = Literal["length", "chars", "division", "check"]


def normalise(raw: str) -> str:
    """What a person types, as the code is written: without spaces, capitals, full-width letters made half-width."""
    out = []
    for ch in raw.strip():
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII
            ch = chr(code - 0xFEE0)
        if not ch.isspace():
            out.append(ch.upper())
    return "".join(out)


def check_character(first17: str) -> str:
    """The check character for the first 17 characters (which must be in the alphabet)."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def with_check(first17: str) -> str:
    """The full code for its first 17 characters (demo data, tests)."""
    return first17 + check_character(first17)


def problem(code: str) -> Problem | None:
    """What is wrong with a (normalised) code, or None when it is well formed with the right check character."""
    if len(code) != LENGTH:
        return "length"
    if any(c not in ALPHABET for c in code):
        return "chars"
    if not code[2:8].isdigit():
        return "division"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None
