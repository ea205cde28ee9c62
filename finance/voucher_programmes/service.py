"""Service and innovation voucher programmes (服务券 / 创新券): the issuer's versioned terms.

- A programme is run by a ``voucher_issuer`` organisation (its owners and members write it). Its terms are
  versioned exactly as ``finance.subsidies`` does: an edit writes the next version (never changes one) and moves the
  version in force with a conditional update (of two editors one wins, the other 409); every decision made under
  the programme keeps the version it was made under (``version(programme_id, n)`` reads it back).
- Terms: the mode (provider redeems 通兑 / enterprise reimbursed 通用), categories with the share of the price the
  voucher pays, caps per claim / per period / per firm, amount or face-value vouchers, validity, application
  windows, budget (first come: ``close_for_budget`` closes the programme when what is committed reaches it),
  accepted regions, SME qualifications required and favoured, review tiers and four-eyes thresholds, settlement
  cycle (at most half-yearly: Zhejiang's law), redemption documents, the providers' public notice period.
- The pure arithmetic (``arithmetic``: ``share_for``, ``voucher_part``, ``in_window``, ``region_ok``,
  ``period_key``) is re-exported here: the interface other voucher modules call.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from finance.desk.reasons import ReasonCode, Severity, reason, register
from finance.qualifications import service as qualifications
from finance.voucher_programmes import arithmetic, repository
from finance.voucher_programmes.records import (
    CATEGORIES,
    CYCLE_MONTHS,
    SETTLEMENT_CYCLES,
    ProgrammeRecord,
    ProgrammeTerms,
    VoucherPart,
)
from finance.voucher_programmes.schemas import (
    CategoryOut,
    MoneyOut,
    PartOut,
    ProgrammeCreateIn,
    ProgrammeEditIn,
    ProgrammeOut,
    ProgrammeTermsIn,
    ThresholdOut,
    WindowOut,
)
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.messages import Bp
from market.kit.money import Money
from market.kit.words import MsgOut
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

# The interface (fixed): pure, no database.
share_for = arithmetic.share_for
voucher_part = arithmetic.voucher_part
in_window = arithmetic.in_window
region_ok = arithmetic.region_ok
period_key = arithmetic.period_key
cycle_bounds = arithmetic.cycle_bounds

QUALIFICATIONS = qualifications.KINDS  # what programmes require or favour: finance.qualifications' kinds
TERMS = "law.voucher_programme.terms"  # the programme's published terms: the source of every rule they set
register(
    ReasonCode("voucher_programme.settlement_too_long", "law.voucher_programme.zhejiang_art22", Severity.block),
    ReasonCode("voucher_programme.category_not_covered", TERMS, Severity.block),
    ReasonCode("voucher_programme.region_not_accepted", TERMS, Severity.block),
    ReasonCode("voucher_programme.outside_window", TERMS, Severity.block),
    ReasonCode("voucher_programme.not_open", TERMS, Severity.block),
)


def now() -> datetime:
    return datetime.now(UTC)


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


# ------------------------------------------------------------------------------------------------ reading


async def _complete(row: ProgrammeRecord) -> ProgrammeRecord:
    org = await org_service.org_by_id(row.issuer)
    return replace(row, issuer_name=org.name if org else "")


def _not_found() -> NotFound:
    return NotFound(Msg("voucher_programme.not_found"))


async def programme(programme_id: int) -> ProgrammeRecord:
    """A programme at the version in force, any status (none such: 404)."""
    row = await repository.get(programme_id)
    if row is None:
        raise _not_found()
    return await _complete(row)


async def programme_at(programme_id: int, version: int) -> ProgrammeRecord:
    """A programme with the terms of ``version`` (the series as it is now)."""
    row = await repository.get(programme_id, version)
    if row is None:
        raise _not_found()
    return await _complete(row)


async def version(programme_id: int, version: int) -> ProgrammeTerms:
    """The terms of one version, as written (a decision's version is never deleted)."""
    found = await repository.terms(programme_id, version)
    if found is None:
        raise _not_found()
    return found


async def versions(programme_id: int) -> list[ProgrammeTerms]:
    """Every version, newest first."""
    return await repository.versions(programme_id)


async def open_programmes(
    *, on: date | None = None, region: str | None = None, category: str | None = None,
    issuer: int | None = None, mode: str | None = None,
) -> list[ProgrammeRecord]:
    """The open programmes; with ``on``, only those in an application window that day; with ``region``, only those
    accepting it; with ``category``, only those covering it."""
    rows = await repository.listed(statuses=("open",), issuer=issuer)
    out = []
    for row in rows:
        t = row.terms
        if on is not None and not arithmetic.in_window(t, on):
            continue
        if region is not None and not arithmetic.region_ok(t, region):
            continue
        if category is not None and t.category(category) is None:
            continue
        if mode is not None and t.mode != mode:
            continue
        out.append(await _complete(row))
    return out


async def programmes(ids: Sequence[int]) -> dict[int, ProgrammeRecord]:
    """Programmes by id, at the version in force (missing ids are left out)."""
    return {r.id: await _complete(r) for r in await repository.listed(ids=list(ids))}


async def programmes_of_issuer(issuer_id: int) -> list[ProgrammeRecord]:
    return [await _complete(r) for r in await repository.listed(issuer=issuer_id)]


def require_issuer(principal: Principal) -> None:
    if principal.org_kind is not OrgKind.voucher_issuer:
        raise Forbidden(Msg("voucher_programme.issuer_only"))
    org_service.require_approved(principal)


async def issuer_programme(*, principal: Principal, programme_id: int, version: int | None = None) -> ProgrammeRecord:
    """One of the principal's issuer's programmes; another's is not found."""
    row = await repository.get(programme_id, version)
    if row is None or row.issuer != principal.org_id:
        raise _not_found()
    return await _complete(row)


async def visible_programme(*, principal: Principal | None, programme_id: int) -> ProgrammeRecord:
    """An open or closed programme for anyone; a draft only for its issuer."""
    row = await repository.get(programme_id)
    if row is None or (row.status == "draft" and (principal is None or row.issuer != principal.org_id)):
        raise _not_found()
    return await _complete(row)


# ------------------------------------------------------------------------------------------------ words


def money_out(minor: int | None, currency: str) -> MoneyOut | None:
    return None if minor is None else MoneyOut(minor=minor, currency=currency)


def _money(value: Money) -> MoneyOut:
    return MoneyOut(minor=value.minor, currency=value.currency)


def qualification_name(kind: str) -> Msg:
    return Msg(f"qualification.kind.{kind}")  # finance.qualifications' catalogue


def terms_in_words(t: ProgrammeTerms) -> list[Msg]:
    """The terms said line by line (the public programme page, the API's ``terms``)."""
    cur = t.currency
    lines = [Msg(f"voucher_programme.words.mode.{t.mode}")]
    for c in t.categories:
        params: dict[str, Any] = {"category": Msg(f"voucher.category.{c.code}"), "share": Bp(c.share_bp)}
        if c.cap_minor is None:
            lines.append(Msg("voucher_programme.words.category", params))
        else:
            lines.append(Msg("voucher_programme.words.category_capped", {**params, "cap": Money(cur, c.cap_minor)}))
    if t.value_kind == "face_value" and t.face_value_minor:
        lines.append(Msg("voucher_programme.words.face_value", {"face": Money(cur, t.face_value_minor),
                                                                 "count": t.max_vouchers_per_use or 0}))  # fmt: skip
    if t.per_claim_minor is not None:
        lines.append(Msg("voucher_programme.words.per_claim", {"cap": Money(cur, t.per_claim_minor)}))
    if t.per_period_minor is not None:
        lines.append(Msg("voucher_programme.words.per_period", {"cap": Money(cur, t.per_period_minor),
                                                                 "period": Msg(f"voucher.period.{t.period}")}))
    if t.per_firm_minor is not None:
        lines.append(Msg("voucher_programme.words.per_firm", {"cap": Money(cur, t.per_firm_minor)}))
    lines.append(Msg("voucher_programme.words.validity", {"months": t.validity_months}))
    for w in t.windows:
        lines.append(Msg("voucher_programme.words.window", {"opens_on": w.opens_on, "closes_on": w.closes_on}))
    if t.budget_minor is not None:
        lines.append(Msg("voucher_programme.words.budget", {"budget": Money(cur, t.budget_minor)}))
    lines.append(Msg("voucher_programme.words.regions", {"regions": t.regions}) if t.regions
                 else Msg("voucher_programme.words.any_region"))  # fmt: skip
    for k in t.required:
        lines.append(Msg("voucher_programme.words.required", {"kind": qualification_name(k)}))
    for k in t.favoured:
        lines.append(Msg("voucher_programme.words.favoured", {"kind": qualification_name(k)}))
    for n, tier in enumerate(t.review_tiers, start=1):
        tier_name = Msg(f"voucher_programme.tier.{tier}")
        lines.append(Msg("voucher_programme.words.review_tier", {"n": n, "tier": tier_name}))
    lines.append(Msg(f"voucher_programme.words.cycle.{t.settlement_cycle}"))
    for d in t.documents:
        lines.append(Msg("voucher_programme.words.document", {"document": Msg(f"voucher.document.{d}")}))
    lines.append(Msg("voucher_programme.words.notice", {"days": t.notice_days}))
    return lines


async def programme_out(row: ProgrammeRecord, *, on: date | None = None) -> ProgrammeOut:
    t = row.terms
    cur = t.currency
    return ProgrammeOut(
        id=row.id, issuer=row.issuer, issuer_name=row.issuer_name, code=row.code, status=row.status,
        closed_reason=row.closed_reason, version=t.version, current_version=row.current_version,
        name_zh=t.name_zh, name_en=t.name_en, mode=t.mode, value_kind=t.value_kind,
        face_value=money_out(t.face_value_minor, cur), max_vouchers_per_use=t.max_vouchers_per_use,
        categories=[CategoryOut(code=c.code, name=MsgOut.of(Msg(f"voucher.category.{c.code}")), share_bp=c.share_bp,
                                cap=money_out(c.cap_minor, cur)) for c in t.categories],
        per_claim=money_out(t.per_claim_minor, cur), per_period=money_out(t.per_period_minor, cur), period=t.period,
        per_firm=money_out(t.per_firm_minor, cur), validity_months=t.validity_months,
        windows=[WindowOut(opens_on=w.opens_on, closes_on=w.closes_on) for w in t.windows],
        budget=money_out(t.budget_minor, cur), regions=list(t.regions), required=list(t.required),
        favoured=list(t.favoured), review_tiers=list(t.review_tiers),
        approval_thresholds=[ThresholdOut(above_minor=a, approvals=n) for a, n in t.approval_thresholds],
        refusal_needs_second=t.refusal_needs_second, settlement_cycle=t.settlement_cycle,
        documents=list(t.documents), notice_days=t.notice_days, declaration_zh=t.declaration_zh,
        declaration_en=t.declaration_en, source=t.source, reliability=t.reliability, note=t.note,
        in_window_today=arithmetic.in_window(t, on or now().date()),
        terms=[MsgOut.of(m) for m in terms_in_words(t)],
        created_at=row.created_at, version_created_at=t.created_at,
    )  # fmt: skip


def part_out(row: ProgrammeRecord, part: VoucherPart) -> PartOut:
    return PartOut(
        programme_id=row.id, programme_version=row.version, category=part.category, price=_money(part.price),
        share_bp=part.share_bp, gross=_money(part.gross), cap=_money(part.cap) if part.cap else None,
        amount=_money(part.amount), copay=_money(part.copay), limited_by=part.limited_by, vouchers=part.vouchers,
        lines=[MsgOut.of(m) for m in part.lines],
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------ writing


def _problem(field: str, code: str, message: Msg) -> FieldError:
    return FieldError(field, message, code=code)


def validate(data: ProgrammeTermsIn) -> dict[str, Any]:
    """The version's columns from the terms, or every problem beside its field."""
    errors: list[FieldError] = []
    if data.settlement_cycle not in SETTLEMENT_CYCLES:
        too_long = reason("voucher_programme.settlement_too_long", field="settlement_cycle")
        errors.append(FieldError("settlement_cycle", too_long.msg, code=too_long.code, article=too_long.source))
    if data.value_kind == "face_value" and data.face_value_minor is None:
        errors.append(_problem("face_value_minor", "required", Msg("voucher_programme.face_value_needed")))
    for i, w in enumerate(data.windows):
        if w.closes_on < w.opens_on:
            backwards = Msg("voucher_programme.window_backwards")
            errors.append(_problem(f"windows.{i}.closes_on", "before_opening", backwards))
    ordered = sorted(data.windows, key=lambda w: w.opens_on)
    for a, b in itertools.pairwise(ordered):
        if b.opens_on <= a.closes_on:
            errors.append(_problem("windows", "overlap", Msg("voucher_programme.windows_overlap")))
            break
    for i, region in enumerate(data.regions):
        if not re.fullmatch(r"[0-9]{2,6}", region):
            invalid = Msg("voucher_programme.region_invalid", {"region": region})
            errors.append(_problem(f"regions.{i}", "bad_region", invalid))
    for name, kinds in (("required", data.required), ("favoured", data.favoured)):
        if len(set(kinds)) != len(kinds):
            errors.append(_problem(name, "repeated", Msg("voucher_programme.repeated")))
        for k in kinds:
            if k not in QUALIFICATIONS:
                errors.append(_problem(name, "unknown", Msg("voucher_programme.qualification_unknown", {"kind": k})))
    both = set(data.required) & set(data.favoured)
    if both:
        errors.append(_problem("favoured", "also_required", Msg("voucher_programme.favoured_and_required")))
    tiers = list(data.review_tiers)
    if len(set(tiers)) != len(tiers):
        errors.append(_problem("review_tiers", "repeated", Msg("voucher_programme.repeated")))
    if len(set(data.documents)) != len(data.documents):
        errors.append(_problem("documents", "repeated", Msg("voucher_programme.repeated")))
    aboves = [t.above_minor for t in data.approval_thresholds]
    if len(set(aboves)) != len(aboves):
        errors.append(_problem("approval_thresholds", "repeated", Msg("voucher_programme.repeated")))
    if (data.per_claim_minor is not None and data.per_period_minor is not None
            and data.per_period_minor < data.per_claim_minor):  # fmt: skip
        errors.append(_problem("per_period_minor", "below_per_claim", Msg("voucher_programme.period_below_claim")))
    if errors:
        raise ValidationFailed(Msg("voucher_programme.invalid"), errors=errors)
    return {
        "name_zh": data.name_zh,
        "name_en": data.name_en,
        "mode": data.mode,
        "value_kind": data.value_kind,
        "face_value_minor": data.face_value_minor if data.value_kind == "face_value" else None,
        "max_vouchers_per_use": data.max_vouchers_per_use if data.value_kind == "face_value" else None,
        "currency": data.currency,
        "categories": {code: {"share_bp": c.share_bp, "cap_minor": c.cap_minor}
                       for code in CATEGORIES for k, c in data.categories.items() if k == code},
        "per_claim_minor": data.per_claim_minor,
        "per_period_minor": data.per_period_minor,
        "period": data.period,
        "per_firm_minor": data.per_firm_minor,
        "validity_months": data.validity_months,
        "windows": [[w.opens_on.isoformat(), w.closes_on.isoformat()] for w in ordered],
        "budget_minor": data.budget_minor,
        "regions": list(data.regions),
        "required": list(data.required),
        "favoured": list(data.favoured),
        "review_tiers": tiers,
        "approval_thresholds": sorted([t.above_minor, t.approvals] for t in data.approval_thresholds),
        "refusal_needs_second": data.refusal_needs_second,
        "settlement_cycle": data.settlement_cycle,
        "documents": list(data.documents),
        "notice_days": data.notice_days,
        "declaration_zh": data.declaration_zh,
        "declaration_en": data.declaration_en,
        "source": data.source,
        "reliability": "issuer",
        "note": data.note,
    }  # fmt: skip


async def write_new(
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
        action="finance.voucher_programme_created",
        entity_type="voucher_programme",
        entity_id=programme_id,
        org_id=issuer_id,
        after={"code": code, "version": 1, "status": status, **values},
    )
    return programme_id


async def create_programme(*, principal: Principal, data: ProgrammeCreateIn) -> ProgrammeOut:
    """A new programme of the principal's issuer, as a draft at version 1. A code the issuer already uses: 409."""
    require_issuer(principal)
    values = validate(data)
    if await repository.by_code(principal.org_id, data.code) is not None:
        msg = Msg("voucher_programme.code_taken", {"key": data.code})
        raise Conflict(msg, errors=[FieldError("code", msg, code="taken")])
    programme_id = await write_new(issuer_id=principal.org_id, code=data.code, values=values,
                                   actor=actor_of(principal))  # fmt: skip
    return await programme_out(await issuer_programme(principal=principal, programme_id=programme_id))


async def edit_programme(*, principal: Principal, programme_id: int, data: ProgrammeEditIn) -> ProgrammeOut:
    """The next version of the programme's terms (the one edited must still be in force: else 409). Decisions made
    under earlier versions keep theirs."""
    require_issuer(principal)
    current = await issuer_programme(principal=principal, programme_id=programme_id)
    values = validate(data)
    stale = Conflict(Msg("voucher_programme.changed_meanwhile", {"version": current.current_version}))
    if data.expected_version != current.current_version:
        raise stale
    at = now()
    if not await repository.move_version(programme_id=programme_id, expected=data.expected_version, at=at):
        raise stale
    new_version = data.expected_version + 1
    await repository.insert_version(programme_id=programme_id, version=new_version, values=values,
                                    created_by=principal.user_id, at=at)  # fmt: skip
    await record(
        actor=actor_of(principal),
        action="finance.voucher_programme_edited",
        entity_type="voucher_programme",
        entity_id=programme_id,
        org_id=principal.org_id,
        before={"version": current.current_version},
        after={"version": new_version, **values},
    )
    return await programme_out(await issuer_programme(principal=principal, programme_id=programme_id))


TRANSITIONS = {"open": (("draft", "closed"), "open"), "close": (("open",), "closed")}


async def change_status(*, principal: Principal, programme_id: int, action: str, expected_version: int) -> ProgrammeOut:
    """Open (a draft or closed programme) or close (an open one)."""
    require_issuer(principal)
    if action not in TRANSITIONS:
        raise _not_found()
    from_statuses, to = TRANSITIONS[action]
    current = await issuer_programme(principal=principal, programme_id=programme_id)
    if expected_version != current.current_version:
        raise Conflict(Msg("voucher_programme.changed_meanwhile", {"version": current.current_version}))
    if current.status not in from_statuses or not await repository.set_status(
        programme_id=programme_id, from_statuses=from_statuses, to=to, at=now(), reason="issuer"
    ):
        raise Conflict(Msg(f"voucher_programme.cannot_{action}",
                           {"status": Msg(f"voucher_programme.status.{current.status}")}))  # fmt: skip
    await record(
        actor=actor_of(principal),
        action=f"finance.voucher_programme_{to}",
        entity_type="voucher_programme",
        entity_id=programme_id,
        org_id=principal.org_id,
        before={"status": current.status},
        after={"status": to, "version": current.current_version},
    )
    return await programme_out(await issuer_programme(principal=principal, programme_id=programme_id))


async def close_for_budget(programme_id: int, *, actor: Actor | None = None) -> bool:
    """First come, first served: the module committing the budget (``voucher_entitlements``) calls this when what is
    committed reaches the budget; an open programme closes (``closed_reason`` "budget_exhausted") and shows closed.
    True when this call closed it (inside the caller's transaction)."""
    if not await repository.set_status(programme_id=programme_id, from_statuses=("open",), to="closed", at=now(),
                                       reason="budget_exhausted"):  # fmt: skip
        return False
    await record(actor=actor or Actor.system(), action="finance.voucher_programme_closed",
                 entity_type="voucher_programme", entity_id=programme_id,
                 after={"status": "closed", "why": "budget_exhausted"})  # fmt: skip
    return True


def part_for(*, principal: Principal | None, row: ProgrammeRecord, category: str, price_minor: int) -> PartOut:
    return part_out(row, arithmetic.voucher_part(row.terms, category, price_minor))


# ------------------------------------------------------------------------------------------------ demo seed

PROGRAMMES = "cn_ip_finance_programmes.json"
RELIABILITY = {"P": "primary", "S": "secondary", "T": "tertiary"}
RANK = {"primary": 0, "secondary": 1, "tertiary": 2, "": 3}
DEMO_NOTE = "demo issuer's settings (budget, windows, review tiers, four-eyes threshold) are not from a source"
DEMO_BUDGET_CNY = 5_000_000
DEMO_SECOND_APPROVER_ABOVE_CNY = 50_000
USES = {  # the shared data's names of the uses → the platform's category codes
    "buying S&T results": "tech_results",
    "testing": "testing",
    "R&D and design": "rnd_design",
    "pilot testing": "pilot",
    "S&T evaluation": "evaluation",
    "novelty search": "novelty_search",
    "IP services": "ip_services",
    "training": "training",
}
NAMES_ZH = {  # words: data
    "zhejiang": "浙江省科技创新券（玉环演示）",  # words: data
    "delta": "长三角科技创新券·企业报销（演示）",  # words: data
}
DECLARATION_ZH = "本企业承诺：本次申请支持的项目未获得、也不再申请其他财政资金的重复支持。"  # words: data
DECLARATION_EN = "We declare that the project this voucher supports has not received, and will not seek, other public funding."  # noqa: E501  # words: data


def shared_domain_dir() -> Path | None:
    """``shared/domain`` beside the project (or beside the working directory)."""
    for base in (Path(__file__).resolve().parents[3], Path.cwd().resolve().parent):
        candidate = base / "shared" / "domain"
        if (candidate / PROGRAMMES).exists():
            return candidate
    return None


def reliability_of(source: str) -> str:
    found = re.search(r"\((P|S|T)\b", source)
    return RELIABILITY[found.group(1)] if found else ""


def weakest(*sources: str) -> str:
    """The least reliable of the flagged sources (a source without a flag says nothing)."""
    flagged = [r for r in (reliability_of(s) for s in sources) if r]
    return max(flagged, key=lambda r: RANK[r], default="")


def _cny(amount: int | float | str) -> int:
    return int(Decimal(str(amount)) * 100)


def _months(text: str) -> int | None:
    found = re.search(r"(\d+)\s*months?", text)
    return int(found.group(1)) if found else None


def _cycle(months: int) -> str:
    """The longest settlement cycle within ``months``."""
    fitting = [c for c, m in CYCLE_MONTHS.items() if m <= months]
    return max(fitting, key=lambda c: CYCLE_MONTHS[c]) if fitting else "monthly"


def _cycle_named(text: str) -> str:
    """A settlement cycle said in words ("monthly") as the platform's code (unknown: half-yearly, the longest)."""
    return text if text in SETTLEMENT_CYCLES else "half_yearly"


def _notice_days(fraud_controls: Sequence[str]) -> tuple[int | None, str]:
    for item in fraud_controls:
        found = re.search(r"Shanghai:\s*(\d+)\s*days", item)
        if found:
            return int(found.group(1)), item
    return None, ""


def _share_bp(ratio: str) -> int:
    """A co-pay ratio "a:b" (the voucher's part first) in basis points."""
    a, b = (Decimal(x) for x in ratio.split()[0].split(":"))
    return int(a * 10_000 / (a + b))


def _calendar_windows(today: date) -> list[list[str]]:
    return [[f"{y}-01-01", f"{y}-12-31"] for y in (today.year, today.year + 1)]


def demo_programmes(data: dict[str, Any], *, today: date) -> list[tuple[str, dict[str, Any]]]:
    """(code, version values) of the demo programmes, figures read from the data (see each ``note``)."""
    vouchers = data.get("vouchers", {})
    seen = {str(s["name"]): s for s in vouchers.get("programmes_seen", [])}
    modes = vouchers.get("modes", {})
    mode_sources = "; ".join(modes.get("source", []))
    documents = ["contract", "invoice", "copay_proof", "deliverable"] if vouchers.get("redemption_documents") else []
    notice, notice_source = _notice_days(vouchers.get("fraud_controls", []))
    common = {
        "currency": "CNY", "value_kind": "amount", "face_value_minor": None, "max_vouchers_per_use": None,
        "budget_minor": _cny(DEMO_BUDGET_CNY), "windows": _calendar_windows(today),
        "approval_thresholds": [[_cny(DEMO_SECOND_APPROVER_ABOVE_CNY), 1]], "refusal_needs_second": False,
        "documents": documents, "notice_days": notice if notice is not None else 7,
        "declaration_zh": DECLARATION_ZH, "declaration_en": DECLARATION_EN,
    }  # fmt: skip
    out: list[tuple[str, dict[str, Any]]] = []
    zhejiang = seen.get("Zhejiang (provincial law)")  # words: data (a name in the shared data)
    yuhuan, ireland = seen.get("Yuhuan, Zhejiang"), None
    for name, s in seen.items():
        if name.startswith("Enterprise Ireland"):
            ireland = s
    if zhejiang and yuhuan and ireland:
        share = _share_bp(str(ireland["fast_track_copay"]))
        uses = [USES[u] for u in zhejiang.get("eligible_uses", []) if u in USES]
        months = _months(str(zhejiang.get("settlement", ""))) or 6
        sources = [str(zhejiang["source"]), str(yuhuan["source"]), str(ireland["source"]), mode_sources, notice_source]
        out.append(("zhejiang-innovation", {
            **common,
            "name_zh": NAMES_ZH["zhejiang"],
            "name_en": "Zhejiang innovation voucher (Yuhuan figures, demo)",  # words: data
            "mode": "provider_redeems",
            "categories": {u: {"share_bp": share, "cap_minor": None} for u in uses},
            "per_claim_minor": _cny(yuhuan["caps_cny"]["per_claim"]),
            "per_period_minor": _cny(yuhuan["caps_cny"]["per_year"]),
            "period": "year",
            "per_firm_minor": None,
            "validity_months": int(ireland.get("validity_months", 12)),
            "regions": ["33"],
            "required": ["specialised"],
            "favoured": ["little_giant", "high_tech"],
            "review_tiers": ["district", "city"],
            "settlement_cycle": _cycle(months),
            "source": " | ".join(f"{PROGRAMMES} vouchers: {s}" for s in sources if s),
            "reliability": weakest(*sources),
            "note": "; ".join([
                f"categories and settlement (every {months} months at least): {zhejiang['source']}",
                f"caps per claim / per year: Yuhuan ({yuhuan['source']})",
                f"share {share // 100}%: no Chinese co-pay ratio found (co_pay_ratio_and_caps: NOT FOUND); "
                f"Enterprise Ireland's fast-track co-pay {ireland['fast_track_copay']} is used",
                f"validity {ireland.get('validity_months', 12)} months: Enterprise Ireland",
                "region: usable province-wide (33)",
                "requires specialised (专精特新): the seed notice aims voucher-listed IP services at 专精特新 SMEs "
                "(sme_qualifications.why); little giant and high-tech favoured",
                f"public notice of providers {common['notice_days']} days: Shanghai",
                DEMO_NOTE,
            ]),
        }))  # fmt: skip
    euipo = next((s for n, s in seen.items() if n.startswith("EUIPO")), None)
    shandong = next((s for n, s in seen.items() if n.startswith("Shandong shared")), None)
    if euipo and shandong:
        pct = euipo["reimbursement_pct"]
        sources = [mode_sources, str(euipo["source"]), str(shandong["source"]), notice_source]
        out.append(("delta-reimbursed", {
            **common,
            "name_zh": NAMES_ZH["delta"],
            "name_en": "Yangtze Delta innovation voucher, enterprise reimbursed (demo)",  # words: data
            "mode": "enterprise_reimbursed",
            "categories": {
                "novelty_search": {"share_bp": int(pct["ip_scan"]) * 100, "cap_minor": None},
                "ip_services": {"share_bp": int(pct["eu_tm_design"]) * 100, "cap_minor": None},
                "testing": {"share_bp": int(shandong["subsidy_pct"]["others"]) * 100, "cap_minor": None},
                "tech_results": {"share_bp": int(pct["non_eu"]) * 100, "cap_minor": None},
            },
            "per_claim_minor": None,
            "per_period_minor": _cny(shandong["cap_per_enterprise_per_year_cny"]),
            "period": "year",
            "per_firm_minor": None,
            "validity_months": 12,
            "regions": ["31", "32", "33", "34"],
            "required": [],
            "favoured": ["tech_sme", "high_tech"],
            "review_tiers": ["city"],
            "settlement_cycle": _cycle_named(str(shandong.get("settlement", ""))),
            "source": " | ".join(f"{PROGRAMMES} vouchers: {s}" for s in sources if s),
            "reliability": weakest(*sources),
            "note": "; ".join([
                f"mode enterprise reimbursed (通用): Jiangsu, Shanghai ({mode_sources})",
                f"shares: EUIPO SME Fund reimbursement (IP scan {pct['ip_scan']}%, trade marks/designs "
                f"{pct['eu_tm_design']}%, other {pct['non_eu']}%), testing {shandong['subsidy_pct']['others']}% "
                "(Shandong shared instruments, outside the six named cities)",
                f"per firm per year {shandong['cap_per_enterprise_per_year_cny']} CNY and monthly settlement: Shandong",
                "regions: the Yangtze Delta (Shanghai, Jiangsu, Zhejiang, Anhui), 通用通兑 across the Delta",
                f"public notice of providers {common['notice_days']} days: Shanghai",
                DEMO_NOTE,
            ]),
        }))  # fmt: skip
    return out


async def seed_demo(*, issuer_name: str, domain_dir: Path | None = None) -> dict[str, int]:
    """The demo issuer's open voucher programmes, read from ``shared/domain`` now; once each (by code)."""
    directory = domain_dir or shared_domain_dir()
    issuer = await org_service.find_org(issuer_name)
    if directory is None or issuer is None:
        return {"programmes": 0}
    data = json.loads((directory / PROGRAMMES).read_text(encoding="utf-8"))
    made = 0
    for code, values in demo_programmes(data, today=now().date()):
        if await repository.by_code(issuer.id, code) is None:
            await write_new(issuer_id=issuer.id, code=code, values=values, actor=Actor.system(), status="open")
            made += 1
    return {"programmes": made}


async def demo_programme(issuer_name: str, code: str = "zhejiang-innovation") -> ProgrammeRecord | None:
    issuer = await org_service.find_org(issuer_name)
    if issuer is None:
        return None
    found = await repository.by_code(issuer.id, code)
    return await _complete(found) if found else None
