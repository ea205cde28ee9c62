"""Who may insure which patent, from the record, before anything is asked: pure rules, each a reason code with its
source (registered with the desk). The Beijing pilot notice (zscqj.beijing.gov.cn, 2022: the primary source) says:
the insured is the patentee, or a licensee with the patentee's consent; a co-owned patent with the other owners'
written consent; a valid Chinese patent with at least three years left; no ownership or infringement dispute
pending. The product says how many years and which kinds of patent it covers (its own terms)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from finance.desk.reasons import Reason, ReasonCode, Severity, reason, register
from finance.insurance.records import EligibilityResult

PILOT = "law.insurance.beijing_pilot_2022"  # 北京市知识产权保险试点 notice (zscqj.beijing.gov.cn, 2022)
PRODUCT_TERMS = "law.insurance.product_terms"  # the insurer's published product (its version)
UNDERWRITING_RULES = "law.insurance.underwriting_rules"  # the insurer's own underwriting rules
ART16 = "law.insurance.art16"  # Insurance Law Art 16: the duty of disclosure

NOT_HOLDER = "insurance.eligibility.not_patentee_or_licensee"
CONSENT_MISSING = "insurance.eligibility.licensee_consent_missing"
CO_OWNED = "insurance.eligibility.co_owner_consent_needed"
NOT_VALID = "insurance.eligibility.not_valid_cn_patent"
TERM_SHORT = "insurance.eligibility.remaining_term_short"
OWNERSHIP = "insurance.eligibility.ownership_dispute"
INFRINGEMENT = "insurance.eligibility.infringement_dispute"
KIND = "insurance.eligibility.kind_not_covered"
DOCUMENTS_INCOMPLETE = "insurance.documents.incomplete"

CO_OWNER_CONSENT = "co_owner_consent"  # the checklist line a co-owned patent adds (the co-owners' written consent)

DECLINE_CODES = (
    "insurance.decline.not_eligible",
    "insurance.decline.underwriting_rules",
    "insurance.decline.non_disclosure",
    "insurance.decline.documents_not_provided",
    "insurance.decline.other",
)
CONDITION_CODES = (
    "insurance.condition.exclusion",
    "insurance.condition.disclosed_matter",
)

register(
    ReasonCode(NOT_HOLDER, PILOT, Severity.block),
    ReasonCode(CONSENT_MISSING, PILOT, Severity.block),
    ReasonCode(CO_OWNED, PILOT, Severity.warn),
    ReasonCode(NOT_VALID, PILOT, Severity.block),
    ReasonCode(TERM_SHORT, PILOT, Severity.block),
    ReasonCode(OWNERSHIP, PILOT, Severity.block),
    ReasonCode(INFRINGEMENT, PILOT, Severity.block),
    ReasonCode(KIND, PRODUCT_TERMS, Severity.block),
    ReasonCode(DOCUMENTS_INCOMPLETE, PRODUCT_TERMS, Severity.block),
    ReasonCode("insurance.decline.not_eligible", PILOT, Severity.block),
    ReasonCode("insurance.decline.underwriting_rules", UNDERWRITING_RULES, Severity.block),
    ReasonCode("insurance.decline.non_disclosure", ART16, Severity.block),
    ReasonCode("insurance.decline.documents_not_provided", PRODUCT_TERMS, Severity.block),
    ReasonCode("insurance.decline.other", UNDERWRITING_RULES, Severity.block),
    ReasonCode("insurance.condition.exclusion", UNDERWRITING_RULES, Severity.warn),
    ReasonCode("insurance.condition.disclosed_matter", ART16, Severity.warn),
)


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February): "at least three years left" compares
    dates, not a count of days, so two years and 364 days is short."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Holding:
    """One patent as the rules read it: the register's facts and how the applicant holds it."""

    patent_id: int
    number: str
    kind: str
    jurisdiction: str
    legal_status: str
    expiry_date: date | None
    patentees: tuple[str, ...]
    suspension: str
    infringement_dispute: str
    owned: bool  # the applicant's own patent (it is the patentee on the register)
    licence_id: int | None = None  # an active platform licence the applicant holds on it
    consent: bool = False  # the patentee's consent to insure, granted on record (a licensee's)


def check(holding: Holding, *, min_remaining_years: int, kinds: Sequence[str], today: date) -> EligibilityResult:
    """Every rule, in order; each that fails is a reason (``ok`` while none blocks)."""
    found: list[Reason] = []
    field = f"patent_ids.{holding.patent_id}"
    role = ""
    if holding.owned:
        role = "patentee"
    elif holding.licence_id is not None:
        role = "licensee"
        if not holding.consent:
            found.append(reason(CONSENT_MISSING, field=field, number=holding.number))
    else:
        found.append(reason(NOT_HOLDER, field=field, number=holding.number))
    if len(holding.patentees) > 1:
        found.append(reason(CO_OWNED, field=field, number=holding.number, owners=len(holding.patentees)))
    if holding.jurisdiction != "CN" or holding.legal_status != "granted":
        found.append(reason(NOT_VALID, field=field, number=holding.number, status=holding.legal_status))
    least = add_years(today, min_remaining_years)
    if holding.expiry_date is None or holding.expiry_date < least:
        expiry: date | str = holding.expiry_date if holding.expiry_date else "—"
        found.append(
            reason(TERM_SHORT, field=field, number=holding.number, expiry=expiry, years=min_remaining_years)
        )
    if holding.suspension == "art103":
        found.append(reason(OWNERSHIP, field=field, number=holding.number))
    if holding.infringement_dispute == "pending":
        found.append(reason(INFRINGEMENT, field=field, number=holding.number))
    if kinds and holding.kind not in kinds:
        found.append(reason(KIND, field=field, number=holding.number, kind=holding.kind))
    return EligibilityResult(
        patent_id=holding.patent_id,
        reasons=tuple(found),
        ok=not any(r.blocks for r in found),
        role=role,
        licence_id=holding.licence_id,
        number=holding.number,
    )


def co_owned(results: Sequence[EligibilityResult]) -> bool:
    return any(r.code == CO_OWNED for result in results for r in result.reasons)
