"""What the register says about a patent, as the eligibility rules (``listings.declarations.eligibility``) read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from market.kit.law import PatentKind


class LegalStatus(StrEnum):
    pending = "pending"  # filed or published, not granted
    granted = "granted"  # in force
    lapsed = "lapsed"  # ended early: annual fees not paid, surrendered
    invalidated = "invalidated"
    expired = "expired"
    unknown = "unknown"


class Suspension(StrEnum):
    none = ""
    ownership_dispute = "art103"  # Implementing Regulations Art 103
    court_preservation = "art104"  # Implementing Regulations Art 104


@dataclass(frozen=True)
class PatentFacts:
    number: str
    jurisdiction: str
    kind: PatentKind
    legal_status: LegalStatus
    expiry_date: date | None
    patentees: tuple[str, ...]
    annual_fees_paid_through: date | None
    pledged: bool = False
    pledgee_consent: bool = False
    suspension: Suspension = Suspension.none
    evaluation_report_ref: str = ""
    exclusive_or_sole_licence_until: date | None = None  # the latest end of one in force; None if none
    exclusive_or_sole_open_ended: bool = False  # one in force without an end date
    filing_date: date | None = None
    publication_date: date | None = None
    grant_date: date | None = None
    pledgee: str = ""  # a pledge registered through the platform: the pledgee's name
    pledge_registration_number: str = ""  # ... and CNIPA's registration number ("" when none is on record)
