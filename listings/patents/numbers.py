"""Patent numbers: Chinese application numbers (with their check digit), publication numbers, and the rest.

Chinese application numbers (专利申请号) since 2003 are ``YYYY T NNNNNNN . C``: the filing year, the type
(1 invention, 2 utility model, 3 design, 8 PCT invention entering China, 9 PCT utility model), a serial number and a
check digit. Before 2003 they were ``YY T NNNNN . C``. The check digit is the sum of the digits weighted
2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5 (from the left), modulo 11, with 10 written ``X``. The patent number of a
granted patent is ``ZL`` followed by the application number.

Chinese publication numbers are ``CN`` + 9 digits (7 before 2010) + a kind code: A (invention application
published), B or C (invention granted), U or Y (utility model granted), S or D (design granted). The first digit
tells the kind: 1 invention, 2 utility model, 3 design.

Other jurisdictions are kept as given (trimmed), with the kind read from a trailing kind code where one is plain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from market.errors import FieldError, ValidationFailed
from market.kit.law import PatentKind
from market.kit.messages import Msg


class NumberType(StrEnum):
    application = "application"
    publication = "publication"
    foreign = "foreign"


@dataclass(frozen=True)
class PatentNumber:
    """A parsed patent number: ``number`` is the normalised form records are keyed by."""

    number: str
    type: NumberType
    jurisdiction: str
    kind: PatentKind | None  # None where the number does not say
    granted: bool | None  # True where the number itself shows a grant (kind code B, C, U, Y, S, D)


_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_APPLICATION = re.compile(r"^(?:CN|ZL)?(\d{8}|\d{12})\.?([0-9X])$")
_PUBLICATION = re.compile(r"^CN(\d{7}|\d{9})([A-Z]\d?)?$")
_TYPE_DIGIT_KIND = {
    "1": PatentKind.invention,
    "2": PatentKind.utility_model,
    "3": PatentKind.design,
    "8": PatentKind.invention,
    "9": PatentKind.utility_model,
}
_KIND_CODES = {
    "A": (PatentKind.invention, False),
    "B": (PatentKind.invention, True),
    "C": (PatentKind.invention, True),
    "U": (PatentKind.utility_model, True),
    "Y": (PatentKind.utility_model, True),
    "S": (PatentKind.design, True),
    "D": (PatentKind.design, True),
}


def check_digit(digits: str) -> str:
    """The check digit of an 8- or 12-digit Chinese application number."""
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def _compact(raw: str) -> str:
    text = raw.strip().upper()
    # full-width digits, letters and dots as typed in Chinese input methods
    text = text.translate({0xFF0E: ".", **{0xFF10 + i: str(i) for i in range(10)}})
    text = "".join(chr(ord(c) - 0xFEE0) if "Ａ" <= c <= "Ｚ" else c for c in text)
    return re.sub(r"[\s\-_/]", "", text)


def parse(raw: str) -> PatentNumber:
    """Parse and normalise a patent number; raise ValidationFailed saying what is wrong with it."""
    if not raw or not raw.strip():
        required = Msg("patent.number_required")
        raise ValidationFailed(required, errors=[FieldError("number", required, code="required")])
    compact = _compact(raw)
    if compact.startswith(("CN", "ZL")) or compact[:1].isdigit():
        return _parse_chinese(raw, compact)
    return _parse_foreign(raw)


def _looks_like_application(raw: str, compact: str) -> bool:
    """A dot, a ZL prefix or 13 digits mean an application number. Nine digits without a dot are a publication
    number without its kind code when they start with 1, 2 or 3 (old application numbers start with the year:
    85 ... 03)."""
    if "." in raw or "．" in raw or compact.startswith("ZL"):
        return True
    digits = compact.removeprefix("CN")
    return len(digits) == 13 or (len(digits) == 9 and digits[0] not in "123")


def _parse_chinese(raw: str, compact: str) -> PatentNumber:
    application = _APPLICATION.match(compact) if _looks_like_application(raw, compact) else None
    if application:
        digits, given = application.groups()
        expected = check_digit(digits)
        if given != expected:
            wrong = Msg(
                "patent.check_digit", {"number": raw.strip(), "given": given, "digits": digits, "expected": expected}
            )
            raise ValidationFailed(wrong, errors=[FieldError("number", wrong, code="check_digit")])
        type_digit = digits[4] if len(digits) == 12 else digits[2]
        return PatentNumber(
            number=f"CN{digits}.{given}",
            type=NumberType.application,
            jurisdiction="CN",
            kind=_TYPE_DIGIT_KIND.get(type_digit),
            granted=True if compact.startswith("ZL") else None,
        )
    publication = _PUBLICATION.match(compact)
    if publication:
        digits, code = publication.groups()
        if code and code[0] not in _KIND_CODES:
            unknown = Msg("patent.unknown_kind_code", {"number": raw.strip(), "kind_code": code})
            raise ValidationFailed(unknown, errors=[FieldError("number", unknown, code="kind_code")])
        kind, granted = _KIND_CODES[code[0]] if code else (None, None)
        by_digit = _TYPE_DIGIT_KIND.get(digits[0]) if digits[0] in "123" else None
        if kind is not None and by_digit is not None and kind is not by_digit:
            mismatch = Msg("patent.kind_code_mismatch", {"number": raw.strip(), "kind_code": code, "digit": digits[0]})
            raise ValidationFailed(mismatch, errors=[FieldError("number", mismatch, code="kind_mismatch")])
        kind = kind or by_digit
        if granted is None and kind in (PatentKind.utility_model, PatentKind.design):
            granted = True  # utility models and designs are published only when granted
        return PatentNumber(
            number=f"CN{digits}{code or ''}",
            type=NumberType.publication,
            jurisdiction="CN",
            kind=kind,
            granted=granted,
        )
    invalid = Msg("patent.not_a_chinese_number", {"number": raw.strip()})
    raise ValidationFailed(invalid, errors=[FieldError("number", invalid, code="format")])


# office, serial (digits, maybe with letters: US RE45514, MX PA06013471, SG 11201502189U), kind code after a space
_FOREIGN_SPACED = re.compile(r"^([A-Z]{2})[\s\-_]?([A-Z]{0,2}\d[A-Z0-9/,.\- ]*?)[\s\-_]([A-Z]\d?)$")
_FOREIGN = re.compile(r"^([A-Z]{2})[\s\-_]?([A-Z]{0,2}\d[\d/,.]*[A-Z]?)([A-Z]\d?)?$")
_DESIGN_PREFIX = re.compile(r"^[A-Z]{2}[\s\-_]?D\d")


def _parse_foreign(raw: str) -> PatentNumber:
    given = " ".join(raw.split())
    upper = given.upper()
    match = _FOREIGN_SPACED.match(upper) or _FOREIGN.match(upper)
    if match is None or len(given) > 40:
        invalid = Msg("patent.not_a_number", {"number": given})
        raise ValidationFailed(invalid, errors=[FieldError("number", invalid, code="format")])
    office, _, code = match.groups()
    # Most offices' documents are inventions; designs and utility models say so in their number or kind code.
    kind: PatentKind | None = PatentKind.invention
    granted: bool | None = None
    letter = (code or " ")[0]
    if _DESIGN_PREFIX.match(upper) or letter == "S":
        kind, granted = PatentKind.design, True
    elif office != "US" and letter in {"U", "Y"}:
        kind, granted = PatentKind.utility_model, True
    elif letter == "A":
        granted = False
    elif letter in {"B", "C", "E"}:
        granted = True
    return PatentNumber(number=given, type=NumberType.foreign, jurisdiction=office, kind=kind, granted=granted)
