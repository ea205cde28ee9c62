"""The claim on a risk-compensation pool when a pledge loan defaults: pure arithmetic, no database.

A pool shares a defaulted loan's principal loss between parties by fixed shares (basis points); the pool pays its
own parties' shares, up to a per-loan cap that may differ in the loan's first year and later. Some pools cover only
pure IP pledges, or only the IP share of a mixed pledge (Haikou: "pure-IP pledges, or the IP share of a mixed
pledge"); the others count the whole loss. Figures come from the pool's terms with their source
(``finance.loan_products`` pools, seeded from ``cn_ip_finance_programmes.json`` ``risk_pools``), never constants
here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from market.kit.money import Money

WHOLE_BP = 10_000
NOT_THE_POOL = frozenset({"bank", "insurer", "valuer"})  # parties bearing their own share (or paid elsewhere)


@dataclass(frozen=True)
class PoolTerms:
    key: str
    name_zh: str
    name_en: str
    shares_bp: tuple[tuple[str, int], ...]  # (party, basis points of the loss)
    cap_first_year: Money | None = None
    cap_later: Money | None = None
    pure_ip_only: bool = False  # mixed pledges are not covered at all
    ip_share_only: bool = False  # a mixed pledge counts only the IP share of its security
    source: str = ""

    @property
    def payers(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.shares_bp if p not in NOT_THE_POOL)


@dataclass(frozen=True)
class ClaimLine:
    party: str
    share_bp: int
    amount: Money
    paid_by_pool: bool


@dataclass(frozen=True)
class Claim:
    outcome: str  # claimable, not_eligible
    amount: Money
    base: Money  # the loss the shares apply to
    cap: Money | None
    capped: bool
    lines: tuple[ClaimLine, ...] = ()
    reasons: tuple[str, ...] = field(default=())


def first_year(disbursed_on: date, defaulted_on: date) -> bool:
    try:
        anniversary = disbursed_on.replace(year=disbursed_on.year + 1)
    except ValueError:  # 29 February
        anniversary = disbursed_on.replace(year=disbursed_on.year + 1, day=28)
    return defaulted_on < anniversary


def compute(
    *,
    loss: Money,
    pool: PoolTerms,
    pure_ip: bool,
    disbursed_on: date,
    defaulted_on: date,
    ip_share_bp: int | None = None,
) -> Claim:
    """The pool's part of a principal ``loss``: its parties' shares of the base, capped per loan."""
    zero = Money(loss.currency, 0)
    if not pool.shares_bp:
        return Claim("not_eligible", zero, zero, None, False, reasons=("claim.pool_has_no_shares",))
    if pool.pure_ip_only and not pure_ip:
        return Claim("not_eligible", zero, zero, None, False, reasons=("claim.pure_ip_only",))
    base = loss
    reasons: list[str] = []
    if pool.ip_share_only and not pure_ip:
        if ip_share_bp is None or not 0 <= ip_share_bp <= WHOLE_BP:
            return Claim("not_eligible", zero, zero, None, False, reasons=("claim.ip_share_needed",))
        base = Money(loss.currency, loss.minor * ip_share_bp // WHOLE_BP)
        reasons.append("claim.ip_share_counted")
    lines = tuple(
        ClaimLine(party, bp, Money(loss.currency, base.minor * bp // WHOLE_BP), party in pool.payers)
        for party, bp in pool.shares_bp
    )
    owed = sum(line.amount.minor for line in lines if line.paid_by_pool)
    cap = pool.cap_first_year if first_year(disbursed_on, defaulted_on) else pool.cap_later
    capped = cap is not None and owed > cap.minor
    if capped:
        assert cap is not None
        owed = cap.minor
        reasons.append("claim.capped")
    return Claim("claimable", Money(loss.currency, owed), base, cap, capped, lines, tuple(reasons))
