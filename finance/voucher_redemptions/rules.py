"""The redemption rules, pure: reason codes with their sources, the caps across claims a hold falls under, and the
outsized-share alert's test. No database, no web.

- Caps across claims (programme terms): a firm's voucher spending per period (``per_period_minor`` over the
  programme's ``period``: a year, a half year, or the whole programme) and over the programme (``per_firm_minor``).
  They are running totals (``finance_voucher_claim_cap``) a hold adds to with ``reserved + amount <= limit``, decided by
  the database. The per-claim cap is in the voucher part itself (``voucher_programmes.voucher_part``).
- Outsized share: after each capture, a provider whose captured total in the period is above ``SHARE_ALERT_BP`` of
  the programme's captured total in that period is reported to the issuer, once per (programme, provider, period);
  only from ``SHARE_ALERT_MIN_CLAIMS`` captured claims in the period, so that the first claims of a period (where
  any provider holds a large share) raise nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from finance.desk.reasons import ReasonCode, Severity, register
from finance.voucher_redemptions.records import CapNeed

TERMS = "law.voucher_redemption.programme_terms"  # the programme's published terms
COLLUSION = "law.voucher_redemption.collusion"  # collusion voids the voucher (RULES: vouchers; Zhejiang measures)
DOCUMENTS = "law.voucher_redemption.documents"  # redemption needs contract, invoice, proof of co-pay, deliverable
REVIEW = "law.voucher_redemption.issuer_review"  # the issuer's review of a claim

SHARE_ALERT_BP = 3000  # 30% of the programme's captured total in the period
SHARE_ALERT_MIN_CLAIMS = 10  # captured claims in the period before any alert

WRONG_PROGRAMME = "voucher.wrong_programme"
PROVIDER_NOT_LISTED = "voucher_redemption.provider_not_listed"
CATEGORY_NOT_COVERED = "voucher_redemption.category_not_covered"
MODE_MISMATCH = "voucher_redemption.mode_mismatch"
ENTITLEMENT_UNUSABLE = "voucher_redemption.entitlement_unusable"
CAP_PERIOD = "voucher_redemption.cap_reached.period"
CAP_FIRM = "voucher_redemption.cap_reached.firm"
REFUSAL_CODES = (
    "voucher_redemption.refusal.documents_insufficient",
    "voucher_redemption.refusal.not_delivered",
    "voucher_redemption.refusal.price_not_genuine",
    "voucher_redemption.refusal.collusion",
    "voucher_redemption.refusal.double_funding",
)
register(
    ReasonCode(WRONG_PROGRAMME, TERMS, Severity.block),
    ReasonCode(PROVIDER_NOT_LISTED, TERMS, Severity.block),
    ReasonCode(CATEGORY_NOT_COVERED, TERMS, Severity.block),
    ReasonCode(MODE_MISMATCH, TERMS, Severity.block),
    ReasonCode(ENTITLEMENT_UNUSABLE, TERMS, Severity.block),
    ReasonCode(CAP_PERIOD, TERMS, Severity.block),
    ReasonCode(CAP_FIRM, TERMS, Severity.block),
    ReasonCode("voucher_redemption.refusal.documents_insufficient", DOCUMENTS, Severity.block),
    ReasonCode("voucher_redemption.refusal.not_delivered", REVIEW, Severity.block),
    ReasonCode("voucher_redemption.refusal.price_not_genuine", REVIEW, Severity.block),
    ReasonCode("voucher_redemption.refusal.collusion", COLLUSION, Severity.block),
    ReasonCode("voucher_redemption.refusal.double_funding", "law.voucher_redemption.no_double_funding", Severity.block),
)


def period_cap_key(programme_id: int, org_id: int, period_key: str) -> str:
    return f"period:{programme_id}:{org_id}:{period_key}"


def firm_cap_key(programme_id: int, org_id: int) -> str:
    return f"firm:{programme_id}:{org_id}"


def cap_needs(
    *, programme_id: int, org_id: int, period_key: str, per_period_minor: int | None, per_firm_minor: int | None
) -> list[CapNeed]:
    """The running totals a hold of the firm ``org_id`` in ``period_key`` must fit under (none where the programme
    sets no such cap)."""
    needs = []
    if per_period_minor is not None:
        needs.append(CapNeed(key=period_cap_key(programme_id, org_id, period_key), scope="period",
                             programme=programme_id, org=org_id, period_key=period_key,
                             limit_minor=per_period_minor))  # fmt: skip
    if per_firm_minor is not None:
        needs.append(CapNeed(key=firm_cap_key(programme_id, org_id), scope="firm", programme=programme_id,
                             org=org_id, period_key="", limit_minor=per_firm_minor))  # fmt: skip
    return needs


def outsized(
    by_provider: Mapping[int, tuple[int, int]],
    provider: int,
    *,
    threshold_bp: int | None = None,
    min_claims: int | None = None,
) -> tuple[int, int, int] | None:
    """(provider total, programme total, share in bp) when ``provider``'s share of the captured total is above the
    threshold and the period has at least ``min_claims`` captured claims; else None. ``by_provider``: provider →
    (captured total, captured claims)."""
    threshold_bp = SHARE_ALERT_BP if threshold_bp is None else threshold_bp
    min_claims = SHARE_ALERT_MIN_CLAIMS if min_claims is None else min_claims
    total = sum(t for t, _ in by_provider.values())
    claims = sum(n for _, n in by_provider.values())
    mine = by_provider.get(provider, (0, 0))[0]
    if total <= 0 or claims < min_claims:
        return None
    share = mine * 10_000 // total
    return (mine, total, share) if share > threshold_bp else None

