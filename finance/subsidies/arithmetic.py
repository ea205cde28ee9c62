"""The subsidy arithmetic, pure: what a programme would pay towards one premium, and why, line by line.

amount = min(share x premium, the firm's cap left in the programme, the firm's cap left for the kind, the budget
left, the premium not yet subsidised by any programme). Shares are basis points; the share of the premium is
rounded down to the fen (a subsidy never rounds up). "First policy" is the firm's first subsidised policy in the
programme (no claim of the firm approved there before: a counter the database keeps, limit 1, so two claims
approved at once cannot both take the first share); later policies get the later share.
"""

from __future__ import annotations

from dataclasses import dataclass

from finance.subsidies.records import CapNeed, ProgrammeRecord
from market.kit.messages import Bp, Msg
from market.kit.money import Money

BP = 10_000


@dataclass(frozen=True, slots=True)
class Estimate:
    """What ``programme`` would pay towards ``premium``: ``amount`` (zero when not eligible), the share used, the
    caps and what is left under them, what limited it (``limited_by``: share, firm_cap, kind_cap, budget, policy,
    tier) and the lines that explain it."""

    programme: ProgrammeRecord
    premium: Money
    first_policy: bool
    firm_tier: str
    share_bp: int
    gross: Money
    cap: Money | None
    cap_left: Money | None
    amount: Money
    limited_by: str
    eligible: bool
    lines: tuple[Msg, ...]

    @property
    def programme_id(self) -> int:
        return self.programme.id


def _left(cap: Money | None, used: Money | None) -> Money | None:
    if cap is None:
        return None
    return Money(cap.currency, max(0, cap.minor - (used.minor if used is not None else 0)))


def share_of(premium: Money, share_bp: int) -> Money:
    """share_bp / 10,000 of the premium, rounded down to the minor unit."""
    return Money(premium.currency, premium.minor * share_bp // BP)


def estimate(
    programme: ProgrammeRecord,
    *,
    premium: Money,
    first_policy: bool,
    firm_tier: str,
    already_paid: Money,
    kind: str | None = None,
    kind_already_paid: Money | None = None,
    budget_used: Money | None = None,
    policy_subsidised: Money | None = None,
) -> Estimate:
    """What ``programme`` would pay. ``already_paid``: what it already approved for the firm (all its policies);
    ``kind_already_paid``: of that, for ``kind``; ``budget_used``: what it approved for everyone;
    ``policy_subsidised``: what every programme already approved for this policy (never more than its premium)."""
    zero = Money(premium.currency, 0)
    share = programme.share_bp(first_policy=first_policy, firm_tier=firm_tier)
    tier = Msg(f"subsidy.tier.{firm_tier}")
    if share is None:
        line = Msg("subsidy.line.tier_not_covered", {"tier": tier})
        return Estimate(programme, premium, first_policy, firm_tier, 0, zero, None, None, zero, "tier", False, (line,))
    gross = share_of(premium, share)
    which = "subsidy.line.share_first" if first_policy else "subsidy.line.share_later"
    lines: list[Msg] = [Msg(which, {"share": Bp(share), "premium": premium, "amount": gross, "tier": tier})]
    candidates: list[tuple[str, Money]] = [("share", gross)]
    cap = programme.firm_cap(firm_tier)
    cap_left = _left(cap, already_paid)
    if cap is not None and cap_left is not None:
        lines.append(Msg("subsidy.line.firm_cap", {"tier": tier, "cap": cap, "used": already_paid, "left": cap_left}))
        candidates.append(("firm_cap", cap_left))
    kind_cap = programme.kind_cap(kind) if kind else None
    if kind_cap is not None and kind:
        used = kind_already_paid or zero
        left = _left(kind_cap, used)
        assert left is not None
        shared = "+" in (programme.kind_group(kind) or "")
        lines.append(
            Msg("subsidy.line.kind_group_cap" if shared else "subsidy.line.kind_cap",
                {"kind": Msg(f"subsidy.kind.{kind}"), "cap": kind_cap, "used": used, "left": left})
        )  # fmt: skip
        candidates.append(("kind_cap", left))
    if programme.budget is not None:
        left = _left(programme.budget, budget_used)
        assert left is not None
        lines.append(Msg("subsidy.line.budget", {"budget": programme.budget, "left": left}))
        candidates.append(("budget", left))
    if policy_subsidised is not None and policy_subsidised.minor > 0:
        left = _left(premium, policy_subsidised)
        assert left is not None
        lines.append(Msg("subsidy.line.policy", {"premium": premium, "used": policy_subsidised, "left": left}))
        candidates.append(("policy", left))
    limited_by, amount = min(candidates, key=lambda c: c[1].minor)
    if limited_by != "share":
        lines.append(Msg(f"subsidy.line.limited.{limited_by}", {"amount": amount}))
    lines.append(Msg("subsidy.line.amount", {"amount": amount}))
    return Estimate(
        programme=programme,
        premium=premium,
        first_policy=first_policy,
        firm_tier=firm_tier,
        share_bp=share,
        gross=gross,
        cap=cap,
        cap_left=cap_left,
        amount=amount,
        limited_by=limited_by,
        eligible=amount.minor > 0,
        lines=tuple(lines),
    )


def cap_needs(
    programme: ProgrammeRecord, *, org_id: int, firm_tier: str, kind: str, policy_id: int, premium_paid: Money,
    first_policy: bool,
) -> list[CapNeed]:
    """Every running total an approved claim adds to, each with the limit it is checked against, in key order (so
    that concurrent reservations lock the rows in one order and never deadlock)."""
    p = programme.id
    needs = [CapNeed(f"policy:{policy_id}", "policy", premium_paid.minor, policy=policy_id)]
    cap = programme.firm_cap(firm_tier)
    if cap is not None:
        needs.append(CapNeed(f"firm:{p}:{org_id}", "firm", cap.minor, programme=p, org=org_id))
    kind_cap = programme.kind_cap(kind)
    group = programme.kind_group(kind)
    if kind_cap is not None and group is not None:
        needs.append(CapNeed(firm_kind_key(p, org_id, group), "firm_kind", kind_cap.minor, programme=p, org=org_id))
    if programme.budget is not None:
        needs.append(CapNeed(f"budget:{p}", "budget", programme.budget.minor, programme=p))
    if first_policy:  # the first share once per firm and programme: a counter with limit 1
        needs.append(CapNeed(f"first:{p}:{org_id}", "first", 1, programme=p, org=org_id))
    return sorted(needs, key=lambda n: n.key)


def firm_key(programme_id: int, org_id: int) -> str:
    return f"firm:{programme_id}:{org_id}"


def firm_kind_key(programme_id: int, org_id: int, group: str) -> str:
    """The running total of a kind cap: ``group`` is the cap's key (a kind, or kinds joined by "+")."""
    return f"firm_kind:{programme_id}:{org_id}:{group}"


def budget_key(programme_id: int) -> str:
    return f"budget:{programme_id}"


def policy_key(policy_id: int) -> str:
    return f"policy:{policy_id}"


def first_key(programme_id: int, org_id: int) -> str:
    return f"first:{programme_id}:{org_id}"
