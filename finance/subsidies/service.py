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

from finance.desk import service as desk
from finance.desk.reasons import Reason, ReasonCode, Severity, reason, register
from finance.desk.records import CaseRecord, DecisionRecord
from finance.dossiers import service as dossiers
from finance.dossiers.checklist import JPEG, OFD, PDF, PNG, Requirement
from finance.insurance import service as insurance
from finance.letters import service as letters
from finance.policies import service as policies
from finance.policies.records import PaymentProof, PolicyRecord
from finance.subsidies import arithmetic, repository
from finance.subsidies.arithmetic import Estimate
from finance.subsidies.machine import FINAL, KIND, REFERENCE_PREFIX, SubsidyClaimMachine
from finance.subsidies.records import CapNeed, CapRecord, ClaimRecord, ProgrammeRecord, Upload
from finance.subsidies.schemas import (
    ApproveIn,
    CheckIn,
    ClaimDecisionOut,
    ClaimDocumentOut,
    ClaimOut,
    EstimateOut,
    MoneyOut,
    MoreInfoIn,
    MoveIn,
    PaymentIn,
    PaymentOut,
    ProgrammeCreateIn,
    ProgrammeEditIn,
    ProgrammeOut,
    ProgrammeTermsIn,
    RefuseIn,
    ThresholdOut,
)
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.message_json import params_from_json, params_to_json
from market.kit.money import Money
from market.kit.words import MsgOut
from market.notifications.service import notify_members
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
        programme_name_en=e.programme.name_en or "",
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
    for need in needs:
        if need.scope == "budget" and need.programme is not None:
            await _close_when_spent(need)


async def _close_when_spent(need: CapNeed) -> None:
    """First come, first served: a programme whose budget is all reserved closes to new claims."""
    found = (await repository.caps([need.key])).get(need.key)
    if found is None or found.reserved_minor < need.limit_minor or need.programme is None:
        return
    if await repository.set_status(programme_id=need.programme, from_statuses=("open",), to="closed", at=now()):
        await record(actor=Actor.system(), action="finance.subsidy_programme_closed", entity_type="subsidy_programme",
                     entity_id=need.programme, after={"status": "closed", "why": "budget_spent"})  # fmt: skip


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
        "approval_thresholds": [[_cny(DEMO_SECOND_APPROVER_ABOVE_CNY), 1]],
        "refusal_needs_second": False,
    }
    beijing = seen.get("Beijing")
    if beijing:
        pct = beijing["premium_subsidy_pct"]
        caps = beijing["caps_cny"]
        out.append(("beijing", {
            **common,
            "name_zh": NAMES_ZH["Beijing"],
            "name_en": "Beijing IP insurance premium subsidy (demo)",  # words: data
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
            "name_en": "Shandong enterprise IP insurance support (demo)",  # words: data
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


# ================================================================================================ claims
#
# A firm claims the subsidy for one of its policies from one programme: one claim per (policy, programme) (a unique
# key). The premium is read through ``finance.policies``: the premium paid net of refunds (``premium_paid``) and the
# proof of its payment (``paid_proof``), with the firm's own proof document (the checklist below). A refund
# (cancellation with a pro-rata refund) reduces what may be claimed: the share applies to the premium paid net of
# refunds as read when the claim is filed, approved and paid; a payment after a refund pays no more than the share
# of the net premium (the difference is released from the caps); a refund after the subsidy was paid leaves the
# payment as recorded (the issuer recovers it outside the platform).

PROOF = "premium_paid_proof"
INVOICE = "premium_invoice"
PROOF_TYPES = (PDF, PNG, JPEG, OFD)
SLA_WORKING_DAYS = 20
CLAIMABLE_STATES = ("in_force", "expired")

REFUSAL_CODES = (
    "subsidy.refusal.proof_insufficient",
    "subsidy.refusal.not_eligible",
    "subsidy.refusal.budget_spent",
    "subsidy.refusal.double_funding",
)
register(
    ReasonCode("subsidy.refusal.proof_insufficient", "law.subsidy.issuer_review", Severity.block),
    ReasonCode("subsidy.refusal.not_eligible", "law.subsidy.programme_terms", Severity.block),
    ReasonCode("subsidy.refusal.budget_spent", "law.subsidy.programme_terms", Severity.block),
    ReasonCode("subsidy.refusal.double_funding", "law.subsidy.no_double_funding", Severity.block),
)

FIRM_EVENTS = {
    "submitted": ("upload",),
    "in_review": ("upload",),
    "more_info": ("upload", "resubmit"),
}
ISSUER_EVENTS = {
    "submitted": ("start_review", "request_info", "refuse"),
    "in_review": ("request_info", "approve", "refuse"),
    "more_info": ("refuse",),
    "proposed": ("check", "send_back"),
    "approved": ("pay",),
}


def checklist() -> list[Requirement]:
    """What a claim carries: the proof of the premium payment (required) and the insurer's premium invoice."""
    return [
        Requirement(code=PROOF, required=True, accepted_types=PROOF_TYPES,
                    label=Msg("subsidy.requirement.premium_paid_proof"), source="law.subsidy.programme_terms"),
        Requirement(code=INVOICE, required=False, accepted_types=PROOF_TYPES,
                    label=Msg("subsidy.requirement.premium_invoice"), source="law.subsidy.programme_terms"),
    ]  # fmt: skip


async def checklist_of_case(found: CaseRecord) -> list[Requirement]:
    return checklist()


dossiers.register_checklist(KIND, checklist_of_case)
desk.register_case_page(KIND, "/issuer/subsidy-claims/{subject}")


def _requirement(code: str) -> Requirement:
    for r in checklist():
        if r.code == code:
            return r
    unknown = Msg("subsidy.requirement_unknown", {"code": code})
    raise ValidationFailed(unknown, errors=[FieldError("requirement", unknown, code="unknown")])


def _not_found() -> NotFound:
    return NotFound(Msg("subsidy.claim_not_found"))


async def _of_applicant(principal: Principal, claim_id: int) -> ClaimRecord:
    found = await repository.claim(claim_id)
    if found is None or found.applicant != principal.org_id:
        raise _not_found()
    return found


async def _of_issuer(principal: Principal, claim_id: int) -> ClaimRecord:
    found = await repository.claim(claim_id)
    if found is None or found.issuer != principal.org_id:
        raise _not_found()
    return found


async def _visible(principal: Principal, claim_id: int) -> ClaimRecord:
    found = await repository.claim(claim_id)
    if found is None or principal.org_id not in (found.applicant, found.issuer):
        raise _not_found()
    return found


async def _case(found: ClaimRecord) -> CaseRecord:
    case = await desk.case(found.case) if found.case is not None else None
    assert case is not None, "every claim has its desk case"
    return case


async def _expect(found: ClaimRecord, expected_version: int, *states: str) -> CaseRecord:
    case = await _case(found)
    if case.version != expected_version or (states and case.state not in states):
        raise Conflict(Msg("desk.stale", {"reference": case.reference}), state=case.state, version=case.version)
    return case


async def _move(found: ClaimRecord, event: str, expected_version: int, actor: Actor) -> CaseRecord:
    assert found.case is not None
    return await desk.transition(case_id=found.case, event=event, expected_version=expected_version, actor=actor,
                                 machine=SubsidyClaimMachine)  # fmt: skip


async def _notify_org(org_id: int, found: ClaimRecord, event: str, message: Msg, body: Msg | None = None) -> None:
    await notify_members(org_id=org_id, kind="subsidy", message=message, body=body,
                         dedupe_key=f"subsidy:{found.id}:{event}")  # fmt: skip


async def _emit(name: str, found: ClaimRecord, **more: Any) -> None:
    """``subsidy.claim.<what>`` with the claim's ids: the webhooks of the firm and the issuer hear it (jobs)."""
    case = await _case(found)
    await events.emit(
        f"subsidy.claim.{name}", claim_id=found.id, reference=case.reference, programme_id=found.programme,
        policy_id=found.policy, applicant_org=found.applicant, issuer_org=found.issuer, state=case.state,
        currency=found.currency, **more,
    )  # fmt: skip


def _field_problem(field: str, message: Msg, code: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message, code=code)])


async def _claimable_policy(principal: Principal, policy_id: int) -> tuple[PolicyRecord, Money, PaymentProof]:
    """The firm's own policy (another's: not found), paid and not cancelled: its net premium paid and the proof."""
    try:
        row = await policies.policy(policy_id)
    except NotFound:
        row = None
    if row is None or row.insured != principal.org_id:
        missing = Msg("subsidy.policy_not_found")
        raise NotFound(missing, errors=[FieldError("policy_id", missing, code="not_found")])
    if row.state == "cancelled":
        raise _field_problem("policy_id", Msg("subsidy.policy_cancelled", {"number": row.number}), "cancelled")
    proof = await policies.paid_proof(policy_id)
    premium = await policies.premium_paid(policy_id)
    if row.state not in CLAIMABLE_STATES or proof is None or premium.minor <= 0:
        raise _field_problem("policy_id", Msg("subsidy.policy_unpaid", {"number": row.number}), "unpaid")
    return row, premium, proof


def _proof_json(proof: PaymentProof) -> dict[str, Any]:
    return {"policy_id": proof.policy_id, "paid_on": proof.paid_on.isoformat(), "amount_minor": proof.amount_minor,
            "currency": proof.currency, "reference": proof.reference, "method": proof.method,
            "payment_id": proof.payment_id}  # fmt: skip


def _lines_json(e: Estimate) -> list[dict[str, Any]]:
    return [{"code": m.code, "params": params_to_json(m.params)} for m in e.lines]


def _lines_of(stored: Sequence[Any]) -> list[Msg]:
    return [Msg(str(m["code"]), params_from_json(m.get("params") or {})) for m in stored]


async def file_claim(
    *,
    principal: Principal,
    policy_id: int,
    programme_id: int,
    proof_document: Upload | None = None,
) -> ClaimOut:
    """The firm's claim: its own in-force (or expired), paid policy; an open programme covering the policy's kind;
    something left to pay under the caps; the proof of payment document (checked before anything is written). A
    second claim for the same policy and programme is a 409 (a unique key: also when two are filed at once)."""
    org_service.require_approved(principal)
    if principal.org_kind is not OrgKind.sme:
        raise Forbidden(Msg("subsidy.firm_only"))
    row, premium, proof = await _claimable_policy(principal, policy_id)
    found = await repository.get(programme_id)
    if found is None or found.status == "draft":
        missing = Msg("subsidy.programme_not_found")
        raise NotFound(missing, errors=[FieldError("programme_id", missing, code="not_found")])
    prog = await _complete(found)
    if not prog.open:
        raise _field_problem("programme_id", Msg("subsidy.programme_not_open", {"name": prog.name_zh}), "not_open")
    if not prog.covers(row.kind):
        problem = Msg("subsidy.kind_not_covered", {"kind": Msg(f"subsidy.kind.{row.kind}"), "name": prog.name_zh})
        raise _field_problem("programme_id", problem, "kind_not_covered")
    if await repository.claim_by_key(policy_id, programme_id) is not None:
        taken = Msg("subsidy.already_claimed", {"number": row.number})
        raise Conflict(taken, errors=[FieldError("programme_id", taken, code="already_claimed")])
    tier = row.firm_tier or await insurance.firm_tier(principal.org_id)
    est = await estimate_one(prog, org_id=principal.org_id, premium=premium, kind=row.kind, firm_tier=tier,
                             policy_id=policy_id)  # fmt: skip
    if not est.eligible:
        problem = Msg("subsidy.nothing_to_claim", {"why": est.lines[-2] if len(est.lines) > 1 else est.lines[0]})
        raise _field_problem("programme_id", problem, "nothing_to_claim")
    requirement = _requirement(PROOF)
    if proof_document is None:
        needed = Msg("subsidy.proof_needed")
        raise _field_problem("file", needed, "required")
    dossiers.check_document(requirement, proof_document.content, proof_document.issued_on, on=dossiers.today(),
                            limit=dossiers.max_bytes())  # fmt: skip
    at = now()
    claim_id = await repository.insert_claim({
        "programme": prog.id, "programme_version": prog.version, "policy": policy_id,
        "applicant": principal.org_id, "issuer": prog.issuer, "kind": row.kind, "firm_tier": tier,
        "first_policy": est.first_policy, "premium_minor": premium.minor, "currency": premium.currency,
        "requested_minor": est.amount.minor, "proof": _proof_json(proof), "lines": _lines_json(est),
        "created_by": principal.user_id, "created_at": at, "updated_at": at,
    })  # fmt: skip
    case = await desk.open_case(
        kind=KIND, subject=claim_id, reviewer_org=prog.issuer, applicant_org=principal.org_id, amount=est.amount,
        machine=SubsidyClaimMachine, reference_prefix=REFERENCE_PREFIX, sla_working_days=SLA_WORKING_DAYS,
        actor=actor_of(principal),
    )  # fmt: skip
    await repository.set_case(claim_id, case.id)
    await dossiers.upload(case_id=case.id, requirement=requirement, filename=proof_document.filename,
                          content_type=proof_document.content_type, content=proof_document.content,
                          issued_on=proof_document.issued_on, actor=actor_of(principal))  # fmt: skip
    await desk.decide(
        case_id=case.id, kind="filing", outcome="filed", actor=actor_of(principal), role="applicant",
        snapshot={"policy": policy_id, "policy_number": row.number, "programme": prog.id,
                  "programme_version": prog.version, "premium_minor": premium.minor, "proof": _proof_json(proof),
                  "firm_tier": tier, "first_policy": est.first_policy, "amount_minor": est.amount.minor,
                  "lines": _lines_json(est)},
        amount=est.amount,
    )  # fmt: skip
    await record(actor=actor_of(principal), action="finance.subsidy_claim_filed", entity_type="subsidy_claim",
                 entity_id=claim_id, org_id=principal.org_id,
                 after={"reference": case.reference, "policy": policy_id, "programme": prog.id,
                        "programme_version": prog.version, "requested_minor": est.amount.minor})  # fmt: skip
    made = await repository.claim(claim_id)
    assert made is not None
    await _emit("filed", made, requested_minor=est.amount.minor)
    await _notify_org(prog.issuer, made, "filed", Msg("subsidy.notice.filed", {"reference": case.reference}))
    return await get_claim(principal=principal, claim_id=claim_id)


async def upload(*, principal: Principal, claim_id: int, requirement: str, document: Upload) -> ClaimOut:
    """Another document (or a new version of one) while the claim is open: the firm's, or the issuer's."""
    found = await _visible(principal, claim_id)
    case = await _case(found)
    if case.state in FINAL or case.state == "approved":
        raise Conflict(Msg("subsidy.claim_closed"))
    await dossiers.upload(case_id=case.id, requirement=_requirement(requirement), filename=document.filename,
                          content_type=document.content_type, content=document.content,
                          issued_on=document.issued_on, actor=actor_of(principal))  # fmt: skip
    if principal.org_id == found.applicant and case.state == "more_info":
        await _notify_org(found.issuer, found, f"uploaded-{case.version}",
                          Msg("subsidy.notice.uploaded", {"reference": case.reference}))  # fmt: skip
    return await get_claim(principal=principal, claim_id=claim_id)


async def resubmit(*, principal: Principal, claim_id: int, data: MoveIn) -> ClaimOut:
    found = await _of_applicant(principal, claim_id)
    case = await _expect(found, data.expected_version, "more_info")
    completeness = await dossiers.completeness(case.id, checklist())
    if completeness.reasons:
        errors = [FieldError(r.field or "file", r.msg, code=r.code) for r in completeness.reasons]
        raise ValidationFailed(Msg("subsidy.documents_incomplete"), errors=errors)
    await _move(found, "resubmit", data.expected_version, actor_of(principal))
    await _notify_org(found.issuer, found, f"resubmitted-{case.version}",
                      Msg("subsidy.notice.resubmitted", {"reference": case.reference}))  # fmt: skip
    return await get_claim(principal=principal, claim_id=claim_id)


# ---------------------------------------------------------------------------------------- the issuer's desk


async def start_review(*, principal: Principal, claim_id: int, data: MoveIn) -> ClaimOut:
    _require_issuer(principal)
    found = await _of_issuer(principal, claim_id)
    await _move(found, "start_review", data.expected_version, actor_of(principal))
    return await get_claim(principal=principal, claim_id=claim_id)


async def request_info(*, principal: Principal, claim_id: int, data: MoreInfoIn) -> ClaimOut:
    _require_issuer(principal)
    found = await _of_issuer(principal, claim_id)
    case = await _move(found, "request_info", data.expected_version, actor_of(principal))
    await desk.decide(case_id=case.id, kind="more_info", outcome="requested", actor=actor_of(principal),
                      role="reviewer", text=data.text, snapshot={"text": data.text})  # fmt: skip
    await _emit("more_info", found)
    await _notify_org(found.applicant, found, f"more-info-{case.version}",
                      Msg("subsidy.notice.more_info", {"reference": case.reference}),
                      Msg("subsidy.notice.more_info_body", {"text": data.text}))  # fmt: skip
    return await get_claim(principal=principal, claim_id=claim_id)


async def _claim_programme(found: ClaimRecord) -> ProgrammeRecord:
    prog = await programme(found.programme, found.programme_version)
    assert prog is not None, "a claim's programme version is never deleted"
    return prog


async def current_estimate(found: ClaimRecord) -> tuple[Estimate, Money]:
    """What the claim may be approved for now: its programme version's terms, the premium paid now (net of refunds),
    the caps' running totals now."""
    prog = await _claim_programme(found)
    premium = await policies.premium_paid(found.policy)
    est = await estimate_one(prog, org_id=found.applicant, premium=premium, kind=found.kind,
                             firm_tier=found.firm_tier, policy_id=found.policy)  # fmt: skip
    return est, premium


def _approval_policy(prog: ProgrammeRecord) -> desk.ApprovalPolicy:
    return desk.ApprovalPolicy(thresholds=tuple(prog.approval_thresholds) or ((0, 1),),
                               refusal_needs_second=prog.refusal_needs_second)  # fmt: skip


async def _reserve_for(found: ClaimRecord, amount: Money, actor: Actor) -> None:
    """The approval itself: the amount reserved under every cap (the database decides), then recorded on the claim
    (once). Raises 409 when a cap is reached meanwhile: the request then writes nothing."""
    est, premium = await current_estimate(found)
    if amount.minor > est.amount.minor:
        problem = Msg("subsidy.amount_above_estimate", {"amount": amount, "most": est.amount})
        raise Conflict(problem, errors=[FieldError("amount_minor", problem, code="above_estimate")])
    prog = await _claim_programme(found)
    needs = arithmetic.cap_needs(prog, org_id=found.applicant, firm_tier=found.firm_tier, kind=found.kind,
                                 policy_id=found.policy, premium_paid=premium, first_policy=est.first_policy)
    await reserve(needs, amount=amount)
    if not await repository.set_approved(found.id, amount_minor=amount.minor, first_policy=est.first_policy,
                                         lines=_lines_json(est), at=now()):  # fmt: skip
        raise Conflict(Msg("subsidy.already_approved"))
    await record(actor=actor, action="finance.subsidy_claim_approved", entity_type="subsidy_claim",
                 entity_id=found.id, org_id=found.issuer,
                 after={"amount_minor": amount.minor, "first_policy": est.first_policy,
                        "caps": [n.key for n in needs]})  # fmt: skip


async def approve(*, principal: Principal, claim_id: int, data: ApproveIn) -> ClaimOut:
    """Approve for ``amount_minor`` (none: what the caps allow now). At or below the programme's four-eyes threshold
    one reviewer decides; above it this is the maker's proposal and another member's approval completes it."""
    _require_issuer(principal)
    found = await _of_issuer(principal, claim_id)
    case = await _expect(found, data.expected_version, "in_review")
    est, premium = await current_estimate(found)
    if est.amount.minor == 0:
        raise _field_problem("amount_minor", Msg("subsidy.nothing_left", {"why": est.lines[-2]}), "nothing_left")
    amount = Money(found.currency, data.amount_minor) if data.amount_minor is not None else est.amount
    if amount.minor > est.amount.minor:
        problem = Msg("subsidy.amount_above_estimate", {"amount": amount, "most": est.amount})
        raise _field_problem("amount_minor", problem, "above_estimate")
    prog = await _claim_programme(found)
    policy = _approval_policy(prog)
    snapshot = {"premium_minor": premium.minor, "first_policy": est.first_policy, "firm_tier": found.firm_tier,
                "programme_version": prog.version, "lines": _lines_json(est), "most_minor": est.amount.minor}
    if any(amount.minor > above for above, _ in prog.approval_thresholds):  # four eyes: a maker's proposal
        await desk.propose(case_id=case.id, outcome="approve", actor=actor_of(principal), role="maker", amount=amount,
                           text=data.text, snapshot=snapshot, policy=policy, expected_version=data.expected_version,
                           machine=SubsidyClaimMachine, event="propose")  # fmt: skip
        await _notify_org(found.issuer, found, f"proposed-{case.version}",
                          Msg("subsidy.notice.proposed", {"reference": case.reference}))  # fmt: skip
        return await get_claim(principal=principal, claim_id=claim_id)
    await _reserve_for(found, amount, actor_of(principal))
    await _move(found, "approve", data.expected_version, actor_of(principal))
    await desk.decide(case_id=case.id, kind="subsidy", outcome="approved", actor=actor_of(principal),
                      role="reviewer", text=data.text, snapshot=snapshot, amount=amount)  # fmt: skip
    await _approved(found, amount)
    return await get_claim(principal=principal, claim_id=claim_id)


async def _approved(found: ClaimRecord, amount: Money) -> None:
    case = await _case(found)
    await _emit("approved", found, approved_minor=amount.minor)
    await _notify_org(found.applicant, found, "approved",
                      Msg("subsidy.notice.approved", {"reference": case.reference, "amount": amount}))  # fmt: skip


async def check(*, principal: Principal, claim_id: int, data: CheckIn) -> ClaimOut:
    """A checker's approval of the maker's proposal (never the maker's own: 403). Once every approval the amount
    needs is in, the claim is approved (the caps reserved) or, a refusal proposal, refused with its letter."""
    _require_issuer(principal)
    found = await _of_issuer(principal, claim_id)
    case = await _expect(found, data.expected_version, "proposed")
    proposal = await desk.decision(data.proposal_id)
    if proposal is None or proposal.case != case.id or proposal.kind != "proposal":
        missing = Msg("subsidy.proposal_not_found")
        raise NotFound(missing, errors=[FieldError("proposal_id", missing, code="not_found")])
    event = "refuse" if proposal.outcome == "refuse" else "approve"
    _, complete = await desk.approve(proposal_id=proposal.id, actor=actor_of(principal), role="checker",
                                     text=data.text, expected_version=data.expected_version,
                                     machine=SubsidyClaimMachine, event=event)  # fmt: skip
    if complete and event == "approve":
        amount = proposal.amount or Money(found.currency, found.requested_minor)
        await _reserve_for(found, amount, actor_of(principal))
        await _approved(found, amount)
    elif complete:
        await _refused(found, await _case(found), list(proposal.reasons), proposal.text, actor_of(principal),
                       state_before=case.state)  # fmt: skip
    return await get_claim(principal=principal, claim_id=claim_id)


async def send_back(*, principal: Principal, claim_id: int, data: MoveIn) -> ClaimOut:
    _require_issuer(principal)
    found = await _of_issuer(principal, claim_id)
    await _move(found, "send_back", data.expected_version, actor_of(principal))
    return await get_claim(principal=principal, claim_id=claim_id)


def _reasons_of(codes: Sequence[str]) -> list[Reason]:
    unknown = [c for c in codes if c not in REFUSAL_CODES]
    if unknown:
        bad = Msg("subsidy.refusal_reason_unknown", {"code": ", ".join(unknown)})
        raise _field_problem("reasons", bad, "unknown")
    return [reason(c) for c in codes]


async def refuse(*, principal: Principal, claim_id: int, data: RefuseIn) -> ClaimOut:
    """Refuse with coded reasons and a decision letter. Where the programme says a refusal needs a second member,
    this is a refusal proposal (from review) that another member's approval completes."""
    _require_issuer(principal)
    found = await _of_issuer(principal, claim_id)
    reasons = _reasons_of(data.reasons)
    case = await _expect(found, data.expected_version, "submitted", "in_review", "more_info")
    prog = await _claim_programme(found)
    if prog.refusal_needs_second:
        if case.state != "in_review":
            raise Conflict(Msg("subsidy.refusal_needs_review"), state=case.state)
        await desk.propose(case_id=case.id, outcome="refuse", actor=actor_of(principal), role="maker",
                           amount=Money(found.currency, found.requested_minor), reasons=reasons, text=data.text,
                           snapshot={"reasons": list(data.reasons)}, policy=_approval_policy(prog),
                           expected_version=data.expected_version, machine=SubsidyClaimMachine,
                           event="propose")  # fmt: skip
        return await get_claim(principal=principal, claim_id=claim_id)
    moved = await _move(found, "refuse", data.expected_version, actor_of(principal))
    await _refused(found, moved, reasons, data.text, actor_of(principal), state_before=case.state)
    return await get_claim(principal=principal, claim_id=claim_id)


async def _refused(
    found: ClaimRecord, case: CaseRecord, reasons: Sequence[Reason], text: str, actor: Actor, *, state_before: str
) -> None:
    decision = await desk.decide(case_id=case.id, kind="refusal", outcome="refused", actor=actor, role="reviewer",
                                 reasons=reasons, text=text,
                                 snapshot={"state_before": state_before, "requested_minor": found.requested_minor,
                                           "premium_minor": found.premium_minor})  # fmt: skip
    letter = await letters.render_letter(
        decision, case,
        what_to_fix=[Msg(f"subsidy.fix.{r.code.removeprefix('subsidy.refusal.')}") for r in reasons],
        how_to_reapply=Msg("subsidy.how_to_reapply"),
    )  # fmt: skip
    await record(actor=actor, action="finance.subsidy_claim_refused", entity_type="subsidy_claim",
                 entity_id=found.id, org_id=found.issuer,
                 after={"reference": case.reference, "reasons": [r.code for r in reasons],
                        "letter": letter.sha256})  # fmt: skip
    await _emit("refused", found, reasons=[r.code for r in reasons])


async def record_payment(*, principal: Principal, claim_id: int, data: PaymentIn) -> ClaimOut:
    """The issuer records the payment of an approved claim (once: a unique key). It pays the approved amount, or
    less when the premium was refunded since (never more than the share of the premium paid net of refunds); what
    is not paid is released from the caps."""
    _require_issuer(principal)
    found = await _of_issuer(principal, claim_id)
    case = await _expect(found, data.expected_version, "approved")
    if found.approved_minor is None:
        raise Conflict(Msg("subsidy.not_approved"))
    if data.paid_on > dossiers.today():
        raise _field_problem("paid_on", Msg("subsidy.paid_in_future"), "future")
    prog = await _claim_programme(found)
    premium = await policies.premium_paid(found.policy)
    share = prog.share_bp(first_policy=found.first_policy, firm_tier=found.firm_tier) or 0
    approved = Money(found.currency, found.approved_minor)
    pay = Money(found.currency, min(approved.minor, arithmetic.share_of(premium, share).minor))
    needs = arithmetic.cap_needs(prog, org_id=found.applicant, firm_tier=found.firm_tier, kind=found.kind,
                                 policy_id=found.policy, premium_paid=premium, first_policy=found.first_policy)
    if pay.minor < approved.minor:
        await release(needs, amount=approved - pay)
    await mark_paid(needs, amount=pay)
    at = now()
    await repository.insert_payment(claim_id=found.id, amount_minor=pay.minor, currency=pay.currency,
                                    paid_on=data.paid_on, reference=data.reference, by=principal.user_id, at=at)
    if not await repository.set_paid(found.id, amount_minor=pay.minor, at=at):
        raise Conflict(Msg("subsidy.already_paid"))
    await _move(found, "pay", data.expected_version, actor_of(principal))
    await desk.decide(case_id=case.id, kind="payment", outcome="paid", actor=actor_of(principal), role="reviewer",
                      snapshot={"approved_minor": approved.minor, "paid_minor": pay.minor,
                                "premium_minor_now": premium.minor, "paid_on": data.paid_on.isoformat(),
                                "reference": data.reference}, amount=pay)  # fmt: skip
    await record(actor=actor_of(principal), action="finance.subsidy_claim_paid", entity_type="subsidy_claim",
                 entity_id=found.id, org_id=found.issuer,
                 after={"paid_minor": pay.minor, "paid_on": data.paid_on.isoformat(), "reference": data.reference})
    await _emit("paid", found, paid_minor=pay.minor, paid_on=data.paid_on.isoformat())
    await _notify_org(found.applicant, found, "paid",
                      Msg("subsidy.notice.paid", {"reference": case.reference, "amount": pay}))  # fmt: skip
    return await get_claim(principal=principal, claim_id=claim_id)


# ---------------------------------------------------------------------------------------------- reading


def _events(principal: Principal, found: ClaimRecord, state: str) -> list[str]:
    if principal.org_id == found.applicant:
        return list(FIRM_EVENTS.get(state, ()))
    if principal.org_id == found.issuer:
        return list(ISSUER_EVENTS.get(state, ()))
    return []


def decision_out(d: DecisionRecord) -> ClaimDecisionOut:
    return ClaimDecisionOut(
        id=d.id, kind=d.kind, outcome=d.outcome, decided_by=d.decided_by, role=d.role, decided_at=d.decided_at,
        reasons=[MsgOut.of(r.msg) for r in d.reasons], text=d.text, amount_minor=d.amount_minor,
        proposal_id=d.proposal,
    )  # fmt: skip


async def claim_out(principal: Principal, found: ClaimRecord) -> ClaimOut:
    case = await _case(found)
    prog = await _claim_programme(found)
    applicant = await org_service.org_by_id(found.applicant)
    try:
        number = (await policies.policy(found.policy)).number
    except NotFound:
        number = ""
    made = await desk.decisions(case.id)
    pending = None
    if case.state == "proposed":
        proposals = [d for d in made if d.kind == "proposal"]
        pending = proposals[-1].id if proposals else None
    paid = await repository.payment_of(found.id)
    cur = found.currency
    return ClaimOut(
        id=found.id, case_id=found.case, reference=case.reference, state=case.state, version=case.version,
        programme_id=found.programme, programme_version=found.programme_version, programme_name=prog.name_zh,
        programme_name_en=prog.name_en or "",
        issuer_org_id=found.issuer, issuer_name=prog.issuer_name, applicant_org_id=found.applicant,
        applicant_name=applicant.name if applicant else "", policy_id=found.policy, policy_number=number,
        kind=found.kind, firm_tier=found.firm_tier, first_policy=found.first_policy,
        premium=_money(Money(cur, found.premium_minor)), requested=_money(Money(cur, found.requested_minor)),
        approved=_money(Money(cur, found.approved_minor)) if found.approved_minor is not None else None,
        paid=_money(Money(cur, found.paid_minor)), proof=dict(found.proof),
        lines=[MsgOut.of(m) for m in _lines_of(found.lines)],
        payment=PaymentOut(amount=_money(Money(paid.currency, paid.amount_minor)), paid_on=paid.paid_on,
                           reference=paid.reference, recorded_at=paid.recorded_at) if paid else None,
        due_on=case.due_on, events=_events(principal, found, case.state), pending_proposal_id=pending,
        decisions=[decision_out(d) for d in made],
        documents=[ClaimDocumentOut.model_validate(d) for d in await dossiers.documents(case.id)],
        created_at=found.created_at,
    )  # fmt: skip


async def get_claim(*, principal: Principal, claim_id: int) -> ClaimOut:
    return await claim_out(principal, await _visible(principal, claim_id))


async def claims_of(*, principal: Principal) -> list[ClaimOut]:
    """A firm's claims; an issuer's claims (its working queue is the desk's, filtered to subsidy claims)."""
    if principal.org_kind is OrgKind.voucher_issuer:
        rows = await repository.claims(issuer=principal.org_id)
    else:
        rows = await repository.claims(applicant=principal.org_id)
    return [await claim_out(principal, r) for r in rows]


async def document_content(*, principal: Principal, claim_id: int, document_id: int) -> tuple[Any, bytes]:
    found = await _visible(principal, claim_id)
    assert found.case is not None
    for document in await dossiers.documents(found.case):
        if document.id == document_id:
            return document, await dossiers.content(document_id)
    raise NotFound(Msg("subsidy.document_not_found"))


async def claimable_policies(*, principal: Principal) -> list[PolicyRecord]:
    """The firm's policies a claim may be filed for (in force or expired)."""
    return [p for p in await policies.policies_of(principal.org_id, side="insured") if p.state in CLAIMABLE_STATES]


async def estimates_for_application(*, principal: Principal, application_id: int) -> list[EstimateOut]:
    """For an insurance application's frozen quote (its applicant and its insurer only; anyone else: 404): every
    open programme covering its kind, with what it would pay the firm and why. Before the quote: none."""
    try:
        app = await insurance.application(application_id)
    except NotFound:
        app = None
    if app is None or principal.org_id not in (app.applicant, app.insurer):
        raise NotFound(Msg("subsidy.application_not_found"))
    premium = app.quote.get("premium_minor") if app.quote else None
    if premium is None:
        return []
    found = await estimates_for(org_id=app.applicant, premium=Money(app.currency, int(premium)), kind=app.kind,
                                firm_tier=app.firm_tier)  # fmt: skip
    return [estimate_out(e) for e in found]


async def caps_of_firm(org_id: int) -> list[CapRecord]:
    """The firm's running totals (for its page and the tests)."""
    return await repository.caps_of_org(org_id)
