"""The eligibility pre-check of a firm for a voucher programme, and the running totals an entitlement commits.

- The pre-check (shown before applying, frozen with the application when filed): the programme open (a budget
  spent says so: ``voucher.budget_exhausted``) and in one of its application windows, the firm's region accepted,
  the required qualifications held that day (``finance.qualifications.holds``), no open application of the firm in
  the programme, and the amount within what is left of the budget and of the firm's cap. Each point is a reason code
  with its source; the favoured qualifications held are said too (they raise the firm's place on the queue).
- The caps: the programme's budget (``budget:P``) and the firm's cap (``firm:P:O``) are running totals; approving an
  entitlement adds its amount with ``reserved + amount <= limit`` decided by the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from finance.desk import service as desk
from finance.desk.reasons import Reason, ReasonCode, Severity, reason, register
from finance.qualifications import service as qualifications
from finance.voucher_entitlements import repository, service
from finance.voucher_entitlements.machine import OPEN_STATES
from finance.voucher_entitlements.records import CapNeed
from finance.voucher_entitlements.schemas import EligibilityOut, FindingOut, MoneyOut
from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.records import ProgrammeRecord, ProgrammeTerms
from market.accounts.principal import Principal
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.money import Money
from market.kit.words import MsgOut
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

# The pre-check's reasons (each with the rule it comes from). ``qualification.missing`` is finance.qualifications'.
register(
    ReasonCode("voucher.precheck.not_open", "law.voucher.programme_terms", Severity.block),
    ReasonCode("voucher.precheck.window", "law.voucher.programme_terms", Severity.block),
    ReasonCode("voucher.precheck.region", "law.voucher.programme_terms", Severity.block),
    ReasonCode("voucher.precheck.open_application", "law.voucher.programme_terms", Severity.block),
    ReasonCode("voucher.budget_exhausted", "law.voucher.first_come", Severity.block),
    ReasonCode("voucher.precheck.firm_cap", "law.voucher.programme_terms", Severity.block),
    ReasonCode("voucher.precheck.favoured", "law.voucher.favoured", Severity.warn),
)


def money_out(value: Money) -> MoneyOut:
    return MoneyOut(minor=value.minor, currency=value.currency)


def money_or_none(minor: int | None, currency: str) -> MoneyOut | None:
    return None if minor is None else MoneyOut(minor=minor, currency=currency)


def field_problem(field: str, message: Msg) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message, code=message.code)])


# ------------------------------------------------------------------------------------------------- caps


def budget_key(programme_id: int) -> str:
    return f"budget:{programme_id}"


def firm_key(programme_id: int, org_id: int) -> str:
    return f"firm:{programme_id}:{org_id}"


def cap_needs(terms: ProgrammeTerms, *, programme_id: int, org_id: int) -> list[CapNeed]:
    """The running totals an entitlement of the programme falls under: its budget and the firm's cap (each only
    when the terms set one)."""
    needs = []
    if terms.budget_minor is not None:
        needs.append(CapNeed(budget_key(programme_id), "budget", terms.budget_minor, programme=programme_id))
    if terms.per_firm_minor is not None:
        needs.append(CapNeed(firm_key(programme_id, org_id), "firm", terms.per_firm_minor, programme=programme_id,
                             org=org_id))  # fmt: skip
    return needs


async def committed(programme_id: int) -> int:
    """What approved entitlements committed of the programme's budget (minor units)."""
    found = (await repository.caps([budget_key(programme_id)])).get(budget_key(programme_id))
    return found.reserved_minor if found else 0


async def _left(terms: ProgrammeTerms, programme_id: int, org_id: int) -> tuple[int | None, int | None]:
    """What is left of the budget and of the firm's cap (None: not limited)."""
    keys = [budget_key(programme_id), firm_key(programme_id, org_id)]
    found = await repository.caps(keys)
    used = [found[k].reserved_minor if k in found else 0 for k in keys]
    limits = [terms.budget_minor, terms.per_firm_minor]
    budget_left, firm_left = (None if cap is None else max(cap - u, 0) for cap, u in zip(limits, used, strict=True))
    return budget_left, firm_left


async def reserve(needs: Sequence[CapNeed], amount: Money) -> None:
    """Add ``amount`` to every running total (sorted by key: one lock order), each by a conditional update the
    database decides; the first that does not fit raises 409 (the caller's transaction then writes nothing)."""
    at = service.now()
    for need in sorted(needs, key=lambda n: n.key):
        await repository.ensure_cap(need, amount.currency, at)
        if not await repository.reserve(need.key, amount_minor=amount.minor, limit_minor=need.limit_minor):
            problem = (Msg("voucher.budget_exhausted") if need.scope == "budget"
                       else Msg("voucher.firm_cap_reached", {"limit": Money(amount.currency, need.limit_minor)}))
            raise Conflict(problem, errors=[FieldError("amount_minor", problem, code=problem.code)])  # fmt: skip


# ------------------------------------------------------------------------------------------------ pre-check


@dataclass(frozen=True, slots=True)
class Precheck:
    """What the pre-check found: its reasons (blocking or not), the favoured qualifications held, the check of the
    required ones (for the decision's snapshot), and what is left of the budget and of the firm's cap."""

    reasons: tuple[Reason, ...]
    favoured_held: tuple[str, ...]
    qualifications: Mapping[str, Any]
    budget_left: int | None
    firm_left: int | None

    @property
    def eligible(self) -> bool:
        return not any(r.blocks for r in self.reasons)


def asked_amount(terms: ProgrammeTerms, *, amount_minor: int | None, vouchers: int | None) -> Money | None:
    """The amount asked: as given (amount programmes), or vouchers × face value (face-value programmes)."""
    if terms.value_kind == "face_value":
        if vouchers is None or terms.face_value_minor is None:
            return None
        return Money(terms.currency, vouchers * terms.face_value_minor)
    return None if amount_minor is None else Money(terms.currency, amount_minor)


async def precheck(*, org_id: int, region: str, row: ProgrammeRecord, asked: Money | None, day: date) -> Precheck:
    """The eligibility pre-check of a firm for a programme on ``day`` (pure of side effects)."""
    terms = row.terms
    reasons: list[Reason] = []
    if not row.open and row.closed_reason == "budget_exhausted":
        reasons.append(reason("voucher.budget_exhausted", left=Money(terms.currency, 0)))
    elif not row.open:
        reasons.append(reason("voucher.precheck.not_open", name=terms.name_zh))
    elif not programmes.in_window(terms, day):
        reasons.append(reason("voucher.precheck.window", day=day))
    if not programmes.region_ok(terms, region):
        reasons.append(reason("voucher.precheck.region", region=region or "-"))
    required = await qualifications.holds(org_id, terms.required, on=day)
    reasons.extend(Reason.of(f) for f in required.findings())
    favoured = await qualifications.holds(org_id, terms.favoured, on=day) if terms.favoured else None
    favoured_held = favoured.held if favoured else ()
    for kind in favoured_held:
        reasons.append(reason("voucher.precheck.favoured", kind=Msg(f"qualification.kind.{kind}")))
    if any(a.state in OPEN_STATES for a in await _open_applications(org_id, row.id)):
        reasons.append(reason("voucher.precheck.open_application"))
    budget_left, firm_left = await _left(terms, row.id, org_id)
    if asked is not None:
        if budget_left is not None and asked.minor > budget_left and row.open:
            reasons.append(reason("voucher.budget_exhausted", field="amount_minor",
                                  left=Money(asked.currency, budget_left)))  # fmt: skip
        if firm_left is not None and asked.minor > firm_left:
            reasons.append(reason("voucher.precheck.firm_cap", field="amount_minor",
                                  left=Money(asked.currency, firm_left)))  # fmt: skip
    return Precheck(tuple(reasons), tuple(favoured_held), required.snapshot(), budget_left, firm_left)


@dataclass(frozen=True, slots=True)
class _Open:
    id: int
    state: str


async def _open_applications(org_id: int, programme_id: int) -> list[_Open]:
    rows = await repository.applications(applicant=org_id, programme=programme_id)
    cases = {c.id: c for c in await desk.cases_by_id([r.case for r in rows if r.case is not None])}
    return [_Open(r.id, cases[r.case].state) for r in rows if r.case in cases]


def finding_out(r: Reason) -> FindingOut:
    return FindingOut(code=r.code, severity=r.severity.value, message=MsgOut.of(r.msg), source=MsgOut.of(r.article))


def require_sme(principal: Principal) -> None:
    if principal.org_kind is not OrgKind.sme:
        raise Forbidden(Msg("voucher.sme_only"))
    org_service.require_approved(principal)


async def programme_for_sme(programme_id: int) -> ProgrammeRecord:
    try:
        row = await programmes.programme(programme_id)
    except NotFound:
        row = None
    if row is None or row.status == "draft":
        missing = Msg("voucher.programme_not_found")
        raise NotFound(missing, errors=[FieldError("programme_id", missing, code=missing.code)])
    return row


async def region_of(org_id: int) -> str:
    org = await org_service.org_by_id(org_id)
    return str(org.region or "") if org else ""


def eligibility_out(row: ProgrammeRecord, check: Precheck, asked: Money | None) -> EligibilityOut:
    t = row.terms
    return EligibilityOut(
        programme_id=row.id, programme_version=t.version, programme_name=t.name_zh, issuer_name=row.issuer_name,
        programme_name_en=t.name_en or "",
        value_kind=t.value_kind, face_value=money_or_none(t.face_value_minor, t.currency),
        eligible=check.eligible, findings=[finding_out(r) for r in check.reasons], required=list(t.required),
        favoured=list(t.favoured), favoured_held=list(check.favoured_held),
        budget_left=money_or_none(check.budget_left, t.currency),
        firm_left=money_or_none(check.firm_left, t.currency), asked=money_out(asked) if asked else None,
        validity_months=t.validity_months, declaration_zh=t.declaration_zh, declaration_en=t.declaration_en,
    )  # fmt: skip


async def eligibility(
    *, principal: Principal, programme_id: int, amount_minor: int | None = None, vouchers: int | None = None
) -> EligibilityOut:
    """The pre-check for the caller's firm, as the apply page shows it."""
    require_sme(principal)
    row = await programme_for_sme(programme_id)
    asked = asked_amount(row.terms, amount_minor=amount_minor, vouchers=vouchers)
    check = await precheck(org_id=principal.org_id, region=await region_of(principal.org_id), row=row, asked=asked,
                           day=service.today())  # fmt: skip
    return eligibility_out(row, check, asked)


async def programmes_for(*, principal: Principal) -> list[EligibilityOut]:
    """Every open programme accepting the firm's region, with the firm's pre-check (nothing asked yet)."""
    require_sme(principal)
    region = await region_of(principal.org_id)
    out = []
    for row in await programmes.open_programmes(region=region):
        check = await precheck(org_id=principal.org_id, region=region, row=row, asked=None, day=service.today())
        out.append(eligibility_out(row, check, None))
    return out
