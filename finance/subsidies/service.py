"""Premium-subsidy programmes for IP insurance (知识产权保险保费补贴) and firms' claims on them.

- A programme is run by a ``voucher_issuer`` organisation (its owners and members write it): the insurance kinds it
  covers, its share of the premium per firm tier for a firm's first subsidised policy and for later ones, caps per
  firm, per firm tier and per kind, its budget (first come, first served; the programme closes when it is spent),
  four-eyes thresholds. Versioned: an edit writes the next version (never changes one) and moves the version in
  force with a conditional update (of two editors one wins, the other 409); a claim keeps the version it was filed
  under, so changing a programme's shares never changes a claim already made.
- ``estimate`` (pure, ``arithmetic``) says what a programme would pay towards a premium and why, line by line;
  ``estimates_for`` runs it for every open programme covering a kind, with the firm's running totals.
- Caps are running totals in ``finance_subsidy_cap``: approving a claim adds its amount to each total it falls
  under (the programme's budget, the firm's cap in the programme, the firm's cap for the kind, the policy's premium
  over all programmes) with ``reserved + amount <= limit`` decided by the database; if one does not fit, the
  request fails (409) and, being one transaction, nothing is written. Never above a cap, never paid twice (one claim
  per (policy, programme), a unique key; one payment per claim, a unique key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from finance.subsidies import arithmetic, repository
from finance.subsidies.arithmetic import Estimate
from finance.subsidies.records import CapNeed, ProgrammeRecord
from finance.subsidies.schemas import (
    EstimateOut,
    MoneyOut,
    ProgrammeCreateIn,
    ProgrammeEditIn,
    ProgrammeOut,
    ProgrammeTermsIn,
    ThresholdOut,
)
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.money import Money
from market.kit.words import MsgOut
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

STATUSES = ("draft", "open", "closed")
estimate = arithmetic.estimate  # the design's name: pure, what a programme would pay and why


def now() -> datetime:
    return datetime.now(UTC)


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


# ------------------------------------------------------------------------------------------------ reading


async def _complete(row: ProgrammeRecord) -> ProgrammeRecord:
    org = await org_service.org_by_id(row.issuer)
    return replace(row, issuer_name=org.name if org else "")


async def programme(programme_id: int, version: int | None = None) -> ProgrammeRecord | None:
    """A programme at ``version`` (the version in force when None), any status."""
    row = await repository.get(programme_id, version)
    return await _complete(row) if row else None


async def programmes(*, kind: str | None = None) -> list[ProgrammeRecord]:
    """The open programmes (covering ``kind`` if given)."""
    rows = await repository.listed(statuses=("open",))
    return [await _complete(r) for r in rows if kind is None or r.covers(kind)]


async def programmes_of_issuer(issuer_id: int) -> list[ProgrammeRecord]:
    return [await _complete(r) for r in await repository.listed(issuer=issuer_id)]


async def programme_versions(programme_id: int) -> list[ProgrammeRecord]:
    return [await _complete(r) for r in await repository.versions(programme_id)]


def _require_issuer(principal: Principal) -> None:
    if principal.org_kind is not OrgKind.voucher_issuer:
        raise Forbidden(Msg("subsidy.issuer_only"))
    org_service.require_approved(principal)


async def issuer_programme(*, principal: Principal, programme_id: int, version: int | None = None) -> ProgrammeRecord:
    """One of the principal's issuer's programmes; another's is not found."""
    row = await repository.get(programme_id, version)
    if row is None or row.issuer != principal.org_id:
        raise NotFound(Msg("subsidy.programme_not_found"))
    return await _complete(row)


async def visible_programme(*, principal: Principal, programme_id: int) -> ProgrammeRecord:
    """An open or closed programme for anyone signed in; a draft only for its issuer."""
    row = await repository.get(programme_id)
    if row is None or (row.status == "draft" and row.issuer != principal.org_id):
        raise NotFound(Msg("subsidy.programme_not_found"))
    return await _complete(row)


# ------------------------------------------------------------------------------------------------ output


def money_out(value: Money | None) -> MoneyOut | None:
    return None if value is None else MoneyOut(minor=value.minor, currency=value.currency)


def _money(value: Money) -> MoneyOut:
    return MoneyOut(minor=value.minor, currency=value.currency)


async def budget_used(row: ProgrammeRecord) -> Money:
    found = (await repository.caps([arithmetic.budget_key(row.id)])).get(arithmetic.budget_key(row.id))
    return Money(row.currency, found.reserved_minor if found else 0)


async def programme_out(row: ProgrammeRecord) -> ProgrammeOut:
    return ProgrammeOut(
        id=row.id,
        issuer=row.issuer,
        issuer_name=row.issuer_name,
        code=row.code,
        status=row.status,
        version=row.version,
        current_version=row.current_version,
        name_zh=row.name_zh,
        name_en=row.name_en,
        kinds=list(row.kinds),
        share_first_bp=dict(row.share_first_bp),
        share_later_bp=dict(row.share_later_bp),
        cap_per_firm=money_out(row.cap_per_firm),
        tier_caps_minor=dict(row.tier_caps),
        kind_caps_minor=dict(row.kind_caps),
        budget=money_out(row.budget),
        budget_used=_money(await budget_used(row)) if row.budget is not None else None,
        approval_thresholds=[ThresholdOut(above_minor=a, approvals=n) for a, n in row.approval_thresholds],
        refusal_needs_second=row.refusal_needs_second,
        source=row.source,
        reliability=row.reliability,
        note=row.note,
        created_at=row.created_at,
        version_created_at=row.version_created_at,
    )


def estimate_out(e: Estimate) -> EstimateOut:
    return EstimateOut(
        programme_id=e.programme.id,
        programme_version=e.programme.version,
        programme_name=e.programme.name_zh,
        issuer_name=e.programme.issuer_name,
        eligible=e.eligible,
        first_policy=e.first_policy,
        firm_tier=e.firm_tier,
        share_bp=e.share_bp,
        premium=_money(e.premium),
        gross=_money(e.gross),
        cap=money_out(e.cap),
        cap_left=money_out(e.cap_left),
        amount=_money(e.amount),
        limited_by=e.limited_by,
        lines=[MsgOut.of(m) for m in e.lines],
        source=e.programme.source,
        reliability=e.programme.reliability,
    )


# ------------------------------------------------------------------------------------------------ writing


def _values(data: ProgrammeTermsIn) -> dict[str, Any]:
    """The version's columns from the terms, or every problem beside its field."""
    errors: list[FieldError] = []
    kinds = list(data.kinds)
    if len(set(kinds)) != len(kinds):
        errors.append(FieldError("kinds", Msg("subsidy.kinds_repeated"), code="repeated"))
    capped: list[str] = []
    for group in data.kind_caps_minor:
        for kind in group.split("+"):
            if kind not in kinds:
                msg = Msg("subsidy.kind_not_covered_by_programme", {"kind": kind})
                errors.append(FieldError(f"kind_caps_minor.{group}", msg, code="kind_not_covered"))
            elif kind in capped:
                msg = Msg("subsidy.kind_capped_twice", {"kind": Msg(f"subsidy.kind.{kind}")})
                errors.append(FieldError(f"kind_caps_minor.{group}", msg, code="kind_capped_twice"))
            capped.append(kind)
    for tier in data.share_later_bp:
        if tier not in data.share_first_bp:
            msg = Msg("subsidy.tier_without_first_share", {"tier": Msg(f"subsidy.tier.{tier}")})
            errors.append(FieldError(f"share_later_bp.{tier}", msg, code="tier_without_first_share"))
    aboves = [t.above_minor for t in data.approval_thresholds]
    if len(set(aboves)) != len(aboves):
        errors.append(FieldError("approval_thresholds", Msg("subsidy.threshold_repeated"), code="repeated"))
    if errors:
        raise ValidationFailed(Msg("subsidy.invalid"), errors=errors)
    return {
        "name_zh": data.name_zh,
        "name_en": data.name_en,
        "kinds": kinds,
        "share_first_bp": dict(data.share_first_bp),
        # a tier without a later share keeps its first share for later policies
        "share_later_bp": {t: data.share_later_bp.get(t, bp) for t, bp in data.share_first_bp.items()},
        "cap_per_firm_minor": data.cap_per_firm_minor,
        "tier_caps": dict(data.tier_caps_minor),
        "kind_caps": dict(data.kind_caps_minor),
        "budget_minor": data.budget_minor,
        "currency": data.currency,
        "approval_thresholds": sorted([t.above_minor, t.approvals] for t in data.approval_thresholds),
        "refusal_needs_second": data.refusal_needs_second,
        "source": data.source,
        "reliability": "issuer",
        "note": data.note,
    }


async def _write_new(
    *, issuer_id: int, code: str, values: dict[str, Any], actor: Actor, status: str = "draft"
) -> int:
    at = now()
    programme_id = await repository.insert_programme(issuer=issuer_id, code=code, created_by=actor.user_id, at=at)
    await repository.insert_version(programme_id=programme_id, version=1, values=values, created_by=actor.user_id,
                                    at=at)  # fmt: skip
    if status != "draft":
        await repository.set_status(programme_id=programme_id, from_statuses=("draft",), to=status, at=at)
    await record(
        actor=actor,
        action="finance.subsidy_programme_created",
        entity_type="subsidy_programme",
        entity_id=programme_id,
        org_id=issuer_id,
        after={"code": code, "version": 1, "status": status, **values},
    )
    return programme_id


async def create_programme(*, principal: Principal, data: ProgrammeCreateIn) -> ProgrammeOut:
    """A new programme of the principal's issuer, as a draft at version 1. A code the issuer already uses: 409."""
    _require_issuer(principal)
    values = _values(data)
    if await repository.by_code(principal.org_id, data.code) is not None:
        msg = Msg("subsidy.code_taken", {"key": data.code})
        raise Conflict(msg, errors=[FieldError("code", msg, code="taken")])
    programme_id = await _write_new(issuer_id=principal.org_id, code=data.code, values=values,
                                    actor=actor_of(principal))  # fmt: skip
    return await programme_out(await issuer_programme(principal=principal, programme_id=programme_id))


async def edit_programme(*, principal: Principal, programme_id: int, data: ProgrammeEditIn) -> ProgrammeOut:
    """The next version of the programme's terms (the one edited must still be in force: else 409). Claims filed
    under earlier versions keep theirs."""
    _require_issuer(principal)
    current = await issuer_programme(principal=principal, programme_id=programme_id)
    values = _values(data)
    if data.expected_version != current.current_version:
        raise Conflict(Msg("subsidy.changed_meanwhile", {"version": current.current_version}))
    at = now()
    if not await repository.move_version(programme_id=programme_id, expected=data.expected_version, at=at):
        raise Conflict(Msg("subsidy.changed_meanwhile", {"version": current.current_version}))
    version = data.expected_version + 1
    await repository.insert_version(programme_id=programme_id, version=version, values=values,
                                    created_by=principal.user_id, at=at)  # fmt: skip
    await record(
        actor=actor_of(principal),
        action="finance.subsidy_programme_edited",
        entity_type="subsidy_programme",
        entity_id=programme_id,
        org_id=principal.org_id,
        before={"version": current.current_version},
        after={"version": version, **values},
    )
    return await programme_out(await issuer_programme(principal=principal, programme_id=programme_id))


TRANSITIONS = {"open": (("draft", "closed"), "open"), "close": (("open",), "closed")}


async def change_status(*, principal: Principal, programme_id: int, action: str, expected_version: int) -> ProgrammeOut:
    """Open (a draft or closed programme) or close (an open one)."""
    _require_issuer(principal)
    if action not in TRANSITIONS:
        raise NotFound(Msg("subsidy.programme_not_found"))
    from_statuses, to = TRANSITIONS[action]
    current = await issuer_programme(principal=principal, programme_id=programme_id)
    if expected_version != current.current_version:
        raise Conflict(Msg("subsidy.changed_meanwhile", {"version": current.current_version}))
    if current.status not in from_statuses or not await repository.set_status(
        programme_id=programme_id, from_statuses=from_statuses, to=to, at=now()
    ):
        raise Conflict(Msg(f"subsidy.cannot_{action}", {"status": Msg(f"subsidy.status.{current.status}")}))
    await record(
        actor=actor_of(principal),
        action=f"finance.subsidy_programme_{to}",
        entity_type="subsidy_programme",
        entity_id=programme_id,
        org_id=principal.org_id,
        before={"status": current.status},
        after={"status": to, "version": current.current_version},
    )
    return await programme_out(await issuer_programme(principal=principal, programme_id=programme_id))


# ------------------------------------------------------------------------------------------------ estimates


async def totals_for(row: ProgrammeRecord, *, org_id: int, kind: str, policy_id: int | None = None) -> dict[str, Money]:
    """What is already reserved under each of the programme's caps for the firm (its running totals)."""
    keys = {
        "firm": arithmetic.firm_key(row.id, org_id),
        "kind": arithmetic.firm_kind_key(row.id, org_id, row.kind_group(kind) or kind),
        "budget": arithmetic.budget_key(row.id),
        "first": arithmetic.first_key(row.id, org_id),
    }
    if policy_id is not None:
        keys["policy"] = arithmetic.policy_key(policy_id)
    found = await repository.caps(list(keys.values()))
    return {
        name: Money(row.currency, found[key].reserved_minor if key in found else 0) for name, key in keys.items()
    }


async def estimate_one(
    row: ProgrammeRecord, *, org_id: int, premium: Money, kind: str, firm_tier: str, policy_id: int | None = None
) -> Estimate:
    """``estimate`` with the firm's running totals read now: the first share while no claim of the firm was
    approved in the programme."""
    totals = await totals_for(row, org_id=org_id, kind=kind, policy_id=policy_id)
    return arithmetic.estimate(
        row,
        premium=premium,
        first_policy=totals["first"].minor == 0,
        firm_tier=firm_tier,
        already_paid=totals["firm"],
        kind=kind,
        kind_already_paid=totals["kind"],
        budget_used=totals["budget"],
        policy_subsidised=totals.get("policy"),
    )


async def estimates_for(*, org_id: int, premium: Money, kind: str, firm_tier: str) -> list[Estimate]:
    """Every open programme covering ``kind`` with what it would pay the firm towards ``premium`` and why (a
    programme that would pay nothing is listed too, with the line that says why)."""
    return [
        await estimate_one(row, org_id=org_id, premium=premium, kind=kind, firm_tier=firm_tier)
        for row in await programmes(kind=kind)
    ]


# ------------------------------------------------------------------------------------------------ the caps


def _cap_problem(need: CapNeed) -> Msg:
    return Msg(f"subsidy.cap_reached.{need.scope}", {"limit": Money("CNY", need.limit_minor)})


async def reserve(needs: Sequence[CapNeed], *, amount: Money) -> None:
    """Add ``amount`` to every running total in ``needs`` (the first-share counter: 1), each with a conditional
    update the database decides; the first that does not fit raises a 409 naming the cap (the caller's
    transaction then writes nothing)."""
    at = now()
    for need in sorted(needs, key=lambda n: n.key):
        await repository.ensure_cap(need, amount.currency, at)
        add = 1 if need.scope == "first" else amount.minor
        if not await repository.reserve(need.key, amount_minor=add, limit_minor=need.limit_minor):
            problem = _cap_problem(need)
            raise Conflict(problem, errors=[FieldError("amount_minor", problem, code=f"cap_{need.scope}")])


async def mark_paid(needs: Sequence[CapNeed], *, amount: Money) -> None:
    """The paid part of each running total (never above what is reserved)."""
    for need in sorted(needs, key=lambda n: n.key):
        add = 1 if need.scope == "first" else amount.minor
        if not await repository.pay(need.key, amount_minor=add):
            raise Conflict(Msg("subsidy.already_paid"))


async def release(needs: Sequence[CapNeed], *, amount: Money) -> None:
    """Give back a reservation (a paid claim's smaller payment: the difference)."""
    for need in sorted(needs, key=lambda n: n.key):
        if need.scope == "first" or amount.minor == 0:
            continue
        await repository.release(need.key, amount_minor=amount.minor)


# ------------------------------------------------------------------------------------------------ demo seed

PROGRAMMES = "cn_ip_finance_programmes.json"
POLICY_PARAMS = "cn_ip_finance_and_open_license_policy_params.json"
RELIABILITY = {"P": "primary", "S": "secondary", "T": "tertiary"}
DEMO_NOTE = "demo issuer's settings (budget, four-eyes threshold) are not from a source"
DEMO_BUDGET_CNY = 5_000_000
DEMO_SECOND_APPROVER_ABOVE_CNY = 100_000
# Beijing's notice caps three champion tiers; the platform records one champion tier (finance.insurance.firm_tier),
# which the first cap applies to: the others are kept as the tiers "champion_2" and "champion_3".
CHAMPION_TIERS = ("champion", "champion_2", "champion_3")
DOMESTIC = ("enforcement", "infringement_loss")
OVERSEAS = ("overseas_liability",)
NAMES_ZH = {  # words: data
    "Beijing": "北京市知识产权保险保费补贴（演示）",  # words: data
    "Shandong": "山东省企业知识产权保险扶持（演示）",  # words: data
}


def shared_domain_dir() -> Path | None:
    """``shared/domain`` beside the project (or beside the working directory)."""
    for base in (Path(__file__).resolve().parents[3], Path.cwd().resolve().parent):
        candidate = base / "shared" / "domain"
        if (candidate / PROGRAMMES).exists():
            return candidate
    return None


def reliability_of(source: str) -> str:
    found = re.search(r"\((P|S|T)\b", source)
    if found:
        return RELIABILITY[found.group(1)]
    word = source.strip().split(" ")[0].lower() if source.strip() else ""
    return word if word in RELIABILITY.values() else ""


def _bp(pct: int | float | str) -> int:
    return int(Decimal(str(pct)) * 100)


def _cny(amount: int | float | str) -> int:
    return int(Decimal(str(amount)) * 100)


def demo_programmes(programmes_data: dict[str, Any], policy: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(code, version values) of the demo programmes: Beijing (``insurance.subsidies_seen``) and Shandong (the
    policy parameters' ``ip_insurance.shandong_premium_subsidy``), figures read from the data."""
    seen = {str(s["name"]): s for s in programmes_data.get("insurance", {}).get("subsidies_seen", [])}
    out: list[tuple[str, dict[str, Any]]] = []
    common = {
        "currency": "CNY",
        "budget_minor": _cny(DEMO_BUDGET_CNY),
        "approval_thresholds": [[_cny(DEMO_SECOND_APPROVER_ABOVE_CNY), 2]],
        "refusal_needs_second": False,
    }
    beijing = seen.get("Beijing")
    if beijing:
        pct = beijing["premium_subsidy_pct"]
        caps = beijing["caps_cny"]
        out.append(("beijing", {
            **common,
            "name_zh": NAMES_ZH["Beijing"],
            "name_en": "Beijing IP insurance premium subsidy (demo)",
            "kinds": list(DOMESTIC),
            "share_first_bp": {t: _bp(pct["first_policy"]) for t in ("sme", *CHAMPION_TIERS)},
            "share_later_bp": {"sme": _bp(pct["second_policy_smes"]),
                               **{t: _bp(pct["second_policy_champions"]) for t in CHAMPION_TIERS}},
            "cap_per_firm_minor": None,
            "tier_caps": {"sme": _cny(caps["smes"]),
                          **{t: _cny(c) for t, c in zip(CHAMPION_TIERS, caps["champion_tiers"], strict=False)}},
            "kind_caps": {},
            "source": f"{PROGRAMMES} insurance.subsidies_seen[Beijing]: {beijing.get('source', '')}",
            "reliability": reliability_of(str(beijing.get("source", ""))),
            "note": "; ".join([
                "first policy: the firm's first subsidised policy in the programme",
                "champion tiers 500,000 / 300,000 / 200,000: the platform's one champion tier takes the first",
                DEMO_NOTE,
            ]),
        }))  # fmt: skip
    shandong = policy.get("ip_insurance", {}).get("shandong_premium_subsidy")
    if shandong:
        share = _bp(shandong["subsidy_pct_of_premium"])
        domestic = _cny(shandong["cap_enforcement_or_infringement_loss_cny"])
        overseas = _cny(shandong["cap_overseas_infringement_liability_cny"])
        out.append(("shandong", {
            **common,
            "name_zh": NAMES_ZH["Shandong"],
            "name_en": "Shandong enterprise IP insurance support (demo)",
            "kinds": [*DOMESTIC, *OVERSEAS],
            "share_first_bp": {t: share for t in ("sme", *CHAMPION_TIERS)},
            "share_later_bp": {t: share for t in ("sme", *CHAMPION_TIERS)},
            "cap_per_firm_minor": None,
            "tier_caps": {},
            "kind_caps": {"+".join(DOMESTIC): domestic, "+".join(OVERSEAS): overseas},
            "source": (f"{POLICY_PARAMS} ip_insurance.shandong_premium_subsidy: {shandong.get('instrument', '')} "
                       f"{shandong.get('source_url', '')}"),
            "reliability": reliability_of(str(shandong.get("reliability", ""))),
            "note": "; ".join([
                "uplift for high-value patents or Belt and Road: "
                f"+{shandong.get('uplift_high_value_or_belt_and_road_pct', '')}% (not applied: not recorded here)",
                f"domestic-only cap {shandong.get('cap_domestic_only_cny', '')} not applied (its scope is unclear)",
                DEMO_NOTE,
            ]),
        }))  # fmt: skip
    return out


async def seed_demo(*, issuer_name: str, domain_dir: Path | None = None) -> dict[str, int]:
    """The demo issuer's open programmes, read from ``shared/domain`` now; once each (by code)."""
    directory = domain_dir or shared_domain_dir()
    issuer = await org_service.find_org(issuer_name)
    if directory is None or issuer is None:
        return {"programmes": 0}
    programmes_data = json.loads((directory / PROGRAMMES).read_text(encoding="utf-8"))
    policy = json.loads((directory / POLICY_PARAMS).read_text(encoding="utf-8"))
    made = 0
    for code, values in demo_programmes(programmes_data, policy):
        if await repository.by_code(issuer.id, code) is None:
            await _write_new(issuer_id=issuer.id, code=code, values=values, actor=Actor.system(), status="open")
            made += 1
    return {"programmes": made}
