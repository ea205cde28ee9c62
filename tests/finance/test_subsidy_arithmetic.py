"""The subsidy estimate, pure, against hand-computed values: first and later policy, tiers, the cap left, kind caps,
the budget, a tier not subsidised."""

from __future__ import annotations

from datetime import UTC, datetime

from finance.subsidies.arithmetic import cap_needs, estimate, share_of
from finance.subsidies.records import ProgrammeRecord
from market.kit.money import Money

AT = datetime(2026, 12, 1, tzinfo=UTC)


def cny(yuan: int) -> Money:
    return Money("CNY", yuan * 100)


def programme(**over: object) -> ProgrammeRecord:
    base: dict[str, object] = {
        "id": 1, "issuer": 9, "code": "beijing", "status": "open", "version": 1, "current_version": 1,
        "version_id": 1, "name_zh": "北京", "name_en": "Beijing", "kinds": ("enforcement", "infringement_loss"),
        "share_first_bp": {"sme": 10000, "champion": 10000}, "share_later_bp": {"sme": 9000, "champion": 8000},
        "cap_per_firm": None, "tier_caps": {"sme": 20_000_000, "champion": 50_000_000}, "kind_caps": {},
        "budget": None, "currency": "CNY", "approval_thresholds": (), "refusal_needs_second": False, "source": "",
        "reliability": "", "note": "", "created_at": AT, "version_created_at": AT, "opened_at": AT,
    }  # fmt: skip
    base.update(over)
    return ProgrammeRecord(**base)  # type: ignore[arg-type]


def test_a_first_policy_is_paid_in_full_up_to_the_cap() -> None:
    # CNY 10,000 per patent x 3 patents = 30,000 premium; first policy 100%: 30,000
    e = estimate(programme(), premium=cny(30_000), first_policy=True, firm_tier="sme", already_paid=cny(0))
    assert (e.amount, e.share_bp, e.limited_by, e.eligible) == (cny(30_000), 10000, "share", True)
    assert e.cap == cny(200_000) and e.cap_left == cny(200_000)
    assert [m.code for m in e.lines] == ["subsidy.line.share_first", "subsidy.line.firm_cap", "subsidy.line.amount"]


def test_a_later_policy_gets_90_percent_for_an_sme_and_80_for_a_champion() -> None:
    sme = estimate(programme(), premium=cny(30_000), first_policy=False, firm_tier="sme", already_paid=cny(30_000))
    assert sme.amount == cny(27_000)  # 30,000 x 90%
    champion = estimate(programme(), premium=cny(25_000), first_policy=False, firm_tier="champion",
                        already_paid=cny(0))  # fmt: skip
    assert champion.amount == cny(20_000)  # 25,000 x 80%


def test_the_cap_left_limits_the_amount() -> None:
    # SME cap 200,000; 185,000 already paid: 15,000 left of a 27,000 share
    e = estimate(programme(), premium=cny(30_000), first_policy=False, firm_tier="sme", already_paid=cny(185_000))
    assert (e.amount, e.cap_left, e.limited_by) == (cny(15_000), cny(15_000), "firm_cap")
    spent = estimate(programme(), premium=cny(30_000), first_policy=False, firm_tier="sme", already_paid=cny(200_000))
    assert (spent.amount, spent.eligible) == (cny(0), False)


def test_kind_caps_shared_by_two_kinds_the_budget_and_the_policy() -> None:
    shandong = programme(
        share_first_bp={"sme": 6000}, share_later_bp={"sme": 6000}, tier_caps={},
        kind_caps={"enforcement+infringement_loss": 20_000_000, "overseas_liability": 40_000_000},
        kinds=("enforcement", "infringement_loss", "overseas_liability"), budget=cny(1_000_000),
    )  # fmt: skip
    e = estimate(shandong, premium=cny(100_000), first_policy=True, firm_tier="sme", already_paid=cny(0),
                 kind="infringement_loss", kind_already_paid=cny(190_000), budget_used=cny(0))  # fmt: skip
    assert (e.amount, e.limited_by) == (cny(10_000), "kind_cap")  # 60,000 share, 10,000 left of 200,000
    assert "subsidy.line.kind_group_cap" in [m.code for m in e.lines]
    budget = estimate(shandong, premium=cny(100_000), first_policy=True, firm_tier="sme", already_paid=cny(0),
                      kind="overseas_liability", budget_used=cny(995_000))  # fmt: skip
    assert (budget.amount, budget.limited_by) == (cny(5_000), "budget")
    policy = estimate(shandong, premium=cny(100_000), first_policy=True, firm_tier="sme", already_paid=cny(0),
                      policy_subsidised=cny(80_000))  # another programme paid 80,000 of this premium
    assert (policy.amount, policy.limited_by) == (cny(20_000), "policy")


def test_a_tier_the_programme_does_not_subsidise_gets_nothing_with_the_reason() -> None:
    e = estimate(programme(share_first_bp={"champion": 10000}), premium=cny(1_000), first_policy=True,
                 firm_tier="sme", already_paid=cny(0))  # fmt: skip
    assert (e.amount, e.eligible, e.limited_by) == (cny(0), False, "tier")
    assert e.lines[0].code == "subsidy.line.tier_not_covered"


def test_a_share_rounds_down_to_the_fen() -> None:
    assert share_of(Money("CNY", 33_333), 9000) == Money("CNY", 29_999)  # 299.997 -> 299.99


def test_the_caps_an_approval_adds_to_in_one_order() -> None:
    needs = cap_needs(programme(budget=cny(5_000_000)), org_id=7, firm_tier="sme", kind="enforcement", policy_id=3,
                      premium_paid=cny(30_000), first_policy=True)  # fmt: skip
    assert [(n.key, n.limit_minor) for n in needs] == [
        ("budget:1", 500_000_000), ("firm:1:7", 20_000_000), ("first:1:7", 1), ("policy:3", 3_000_000)
    ]
