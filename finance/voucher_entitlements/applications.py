"""An SME's application for a voucher entitlement, reviewed on the desk (kind ``voucher_entitlement``) tier by tier.

- Eligibility pre-check (``eligibility.precheck``), said with coded reasons and their sources before the SME
  applies and again when it files (frozen with the application). The favoured qualifications the firm holds raise
  its priority on the issuer's queue and are shown to the reviewers.
- Declarations: the SME ticks the programme's declaration of no double public funding; its text (Chinese and
  English, as the programme words it) is frozen with the application.
- Review: the programme version's review tiers in order (none set: one tier), one approval decision per tier; above
  the four-eyes threshold a tier's approval is the maker's proposal and another member completes it; more-info
  requests pause the SLA clock; a refusal has coded reasons and a decision letter (``finance.letters``).
- The last tier's approval issues the entitlement (``service.issue``: amount, currency, expiry from the
  application's programme version, that version) after committing the programme's budget and the firm's cap with
  running totals the database decides (``reserved + amount <= limit``): of approvals made at once, those that do not
  fit get 409 ``voucher.budget_exhausted`` (or ``voucher.firm_cap_reached``) and, being one transaction, write
  nothing. The limits are those of the version in force at approval (the issuer's money now); what the
  entitlement is (validity, face value) is the application's version. When the budget is all committed the
  programme closes (``voucher_programmes.close_for_budget``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from finance.desk import service as desk
from finance.desk.reasons import Reason, ReasonCode, Severity, reason, register
from finance.desk.records import CaseRecord, DecisionRecord
from finance.letters import service as letters
from finance.voucher_entitlements import repository, service
from finance.voucher_entitlements.eligibility import (
    asked_amount,
    cap_needs,
    committed,
    field_problem,
    finding_out,
    money_or_none,
    money_out,
    precheck,
    programme_for_sme,
    region_of,
    require_sme,
    reserve,
)
from finance.voucher_entitlements.machine import FINAL, KIND, REFERENCE_PREFIX, VoucherApplicationMachine
from finance.voucher_entitlements.records import ApplicationRecord, Balance, EntitlementRecord, EntryRecord
from finance.voucher_entitlements.schemas import (
    DECLARATIONS,
    ApplicationOut,
    ApplyIn,
    ApproveIn,
    BalanceOut,
    CheckIn,
    DecisionOut,
    EntitlementOut,
    EntryOut,
    MoreInfoIn,
    MoveIn,
    RefuseIn,
    RevokeIn,
)
from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.records import ProgrammeRecord, ProgrammeTerms
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg, gettext
from market.kit.money import Money
from market.kit.words import MsgOut
from market.notifications.service import notify_members
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

SLA_WORKING_DAYS = 20
APPLICATION_FILED = "voucher.application_filed"
APPLICATION_REFUSED = "voucher.application_refused"
ONE_TIER = ("issuer",)  # a programme without review tiers is reviewed once, by the issuer

REFUSAL_CODES = (
    "voucher.refusal.not_eligible",
    "voucher.refusal.qualification",
    "voucher.refusal.double_funding",
    "voucher.refusal.purpose_unclear",
    "voucher.refusal.budget_exhausted",
    "voucher.refusal.incomplete",
)
register(
    ReasonCode("voucher.refusal.not_eligible", "law.voucher.programme_terms", Severity.block),
    ReasonCode("voucher.refusal.qualification", "law.voucher.programme_terms", Severity.block),
    ReasonCode("voucher.refusal.double_funding", "law.voucher.no_double_funding", Severity.block),
    ReasonCode("voucher.refusal.purpose_unclear", "law.voucher.issuer_review", Severity.block),
    ReasonCode("voucher.refusal.budget_exhausted", "law.voucher.first_come", Severity.block),
    ReasonCode("voucher.refusal.incomplete", "law.voucher.issuer_review", Severity.block),
)

SME_EVENTS = {
    "submitted": ("withdraw",),
    "in_review": ("withdraw",),
    "more_info": ("resubmit", "withdraw"),
}
ISSUER_EVENTS = {
    "submitted": ("start_review", "request_info", "refuse"),
    "in_review": ("request_info", "approve", "refuse"),
    "more_info": ("refuse",),
    "proposed": ("check", "send_back"),
}

desk.register_case_page(KIND, "/issuer/voucher-applications/{subject}")


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


# ---------------------------------------------------------------------------------------------- applying


def _declarations(terms: ProgrammeTerms, accepted: Sequence[str], at: datetime) -> list[dict[str, Any]]:
    """The declarations as the SME accepted them, with the programme's words frozen; each one required."""
    unknown = [c for c in accepted if c not in DECLARATIONS]
    if unknown:
        raise field_problem("declarations", Msg("voucher.declaration_unknown", {"code": ", ".join(unknown)}))
    if "no_double_funding" not in accepted:
        raise field_problem("declarations", Msg("voucher.declaration_needed"))
    default = "voucher.declaration.no_double_funding"
    return [{"code": "no_double_funding", "text_zh": terms.declaration_zh or gettext("zh", default),
             "text_en": terms.declaration_en or gettext("en", default), "programme_version": terms.version,
             "accepted_at": at.isoformat()}]  # fmt: skip


def _reasons_json(reasons: Sequence[Reason]) -> list[dict[str, Any]]:
    return [r.as_json() for r in reasons]


async def apply(*, principal: Principal, data: ApplyIn) -> ApplicationOut:
    """File the SME's application: the declarations ticked, the pre-check passed (each blocking reason beside its
    field, 422), then on the desk in ``submitted`` with the pre-check, the qualifications read and the programme
    version frozen. Nothing is written when it is refused."""
    require_sme(principal)
    row = await programme_for_sme(data.programme_id)
    terms = row.terms
    at = service.now()
    declarations = _declarations(terms, data.declarations, at)
    asked = asked_amount(terms, amount_minor=data.amount_minor, vouchers=data.vouchers)
    check = await precheck(org_id=principal.org_id, region=await region_of(principal.org_id), row=row, asked=asked,
                           day=service.today())  # fmt: skip
    blocking = [r for r in check.reasons if r.blocks]
    if asked is None:
        field = "vouchers" if terms.value_kind == "face_value" else "amount_minor"
        raise field_problem(field, Msg(f"voucher.{field}_needed"))
    if blocking:
        errors = [FieldError(r.field or "programme_id", r.msg, code=r.code, article=r.source, params=r.params)
                  for r in blocking]  # fmt: skip
        raise ValidationFailed(Msg("voucher.not_eligible"), errors=errors)
    application_id = await repository.insert_application({
        "programme": row.id, "programme_version": terms.version, "applicant": principal.org_id,
        "issuer": row.issuer, "value_kind": terms.value_kind, "requested_minor": asked.minor,
        "vouchers": data.vouchers if terms.value_kind == "face_value" else None,
        "face_value_minor": terms.face_value_minor if terms.value_kind == "face_value" else None,
        "currency": asked.currency, "purpose": data.purpose, "declarations": declarations,
        "precheck": _reasons_json(check.reasons), "qualifications": dict(check.qualifications),
        "favoured": list(check.favoured_held), "priority": len(check.favoured_held),
        "tiers": list(terms.review_tiers or ONE_TIER), "tier": 0, "created_by": principal.user_id,
        "created_at": at, "updated_at": at,
    })  # fmt: skip
    case = await desk.open_case(
        kind=KIND, subject=application_id, reviewer_org=row.issuer, applicant_org=principal.org_id, amount=asked,
        machine=VoucherApplicationMachine, reference_prefix=REFERENCE_PREFIX, sla_working_days=SLA_WORKING_DAYS,
        actor=actor_of(principal),
    )  # fmt: skip
    await repository.set_case(application_id, case.id)
    await desk.decide(
        case_id=case.id, kind="filing", outcome="filed", actor=actor_of(principal), role="applicant",
        reasons=list(check.reasons), amount=asked,
        snapshot={"programme": row.id, "programme_version": terms.version, "requested_minor": asked.minor,
                  "vouchers": data.vouchers, "purpose": data.purpose, "declarations": declarations,
                  "qualifications": dict(check.qualifications), "favoured": list(check.favoured_held),
                  "budget_left_minor": check.budget_left, "firm_left_minor": check.firm_left,
                  "tiers": list(terms.review_tiers or ONE_TIER)},
    )  # fmt: skip
    await record(actor=actor_of(principal), action="finance.voucher_application_filed",
                 entity_type="voucher_application", entity_id=application_id, org_id=principal.org_id,
                 after={"reference": case.reference, "programme": row.id, "programme_version": terms.version,
                        "requested_minor": asked.minor, "declarations": [d["code"] for d in declarations]})
    made = await _application(application_id)
    await _emit(APPLICATION_FILED, made, case, requested_minor=asked.minor)
    await _notify(row.issuer, made, "filed", Msg("voucher.notice.filed", {"reference": case.reference}))
    return await application_out(principal, made)


# ---------------------------------------------------------------------------------------------- the desk


async def _application(application_id: int) -> ApplicationRecord:
    found = await repository.application(application_id)
    if found is None:
        raise NotFound(Msg("voucher.application_not_found"))
    return found


async def _visible(principal: Principal, application_id: int) -> ApplicationRecord:
    found = await repository.application(application_id)
    if found is None or principal.org_id not in (found.applicant, found.issuer):
        raise NotFound(Msg("voucher.application_not_found"))
    return found


async def _of_issuer(principal: Principal, application_id: int) -> ApplicationRecord:
    if principal.org_kind is not OrgKind.voucher_issuer:
        raise Forbidden(Msg("voucher.issuer_only"))
    org_service.require_approved(principal)
    found = await _visible(principal, application_id)
    if found.issuer != principal.org_id:
        raise NotFound(Msg("voucher.application_not_found"))
    return found


async def _of_applicant(principal: Principal, application_id: int) -> ApplicationRecord:
    found = await _visible(principal, application_id)
    if found.applicant != principal.org_id:
        raise NotFound(Msg("voucher.application_not_found"))
    return found


async def _case(found: ApplicationRecord) -> CaseRecord:
    case = await desk.case(found.case) if found.case is not None else None
    assert case is not None, "every application has its desk case"
    return case


async def _expect(found: ApplicationRecord, expected_version: int, *states: str) -> CaseRecord:
    case = await _case(found)
    if case.version != expected_version or (states and case.state not in states):
        raise Conflict(Msg("desk.stale", {"reference": case.reference}), state=case.state, version=case.version)
    return case


async def _move(found: ApplicationRecord, event: str, expected_version: int, actor: Actor) -> CaseRecord:
    assert found.case is not None
    return await desk.transition(case_id=found.case, event=event, expected_version=expected_version, actor=actor,
                                 machine=VoucherApplicationMachine)  # fmt: skip


async def _notify(org_id: int, found: ApplicationRecord, event: str, message: Msg, body: Msg | None = None) -> None:
    await notify_members(org_id=org_id, kind="voucher", message=message, body=body,
                         dedupe_key=f"voucher-application:{found.id}:{event}")  # fmt: skip


async def _emit(name: str, found: ApplicationRecord, case: CaseRecord, **more: Any) -> None:
    await events.emit(name, application_id=found.id, reference=case.reference, programme_id=found.programme,
                      applicant_org=found.applicant, issuer_org=found.issuer, currency=found.currency,
                      **more)  # fmt: skip


async def _terms(found: ApplicationRecord) -> ProgrammeTerms:
    return await programmes.version(found.programme, found.programme_version)


def _approval_policy(terms: ProgrammeTerms) -> desk.ApprovalPolicy:
    return desk.ApprovalPolicy(thresholds=tuple(terms.approval_thresholds) or ((0, 1),),
                               refusal_needs_second=terms.refusal_needs_second)  # fmt: skip


async def start_review(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    found = await _of_issuer(principal, application_id)
    await _move(found, "start_review", data.expected_version, actor_of(principal))
    return await application_out(principal, await _application(application_id))


async def request_info(*, principal: Principal, application_id: int, data: MoreInfoIn) -> ApplicationOut:
    """Ask the SME for more (the SLA clock pauses until it resubmits)."""
    found = await _of_issuer(principal, application_id)
    case = await _move(found, "request_info", data.expected_version, actor_of(principal))
    await desk.decide(case_id=case.id, kind="more_info", outcome="requested", actor=actor_of(principal),
                      role="reviewer", text=data.text, snapshot={"text": data.text, "tier": found.tier_name})
    await _notify(found.applicant, found, f"more-info-{case.version}",
                  Msg("voucher.notice.more_info", {"reference": case.reference}),
                  Msg("voucher.notice.more_info_body", {"text": data.text}))  # fmt: skip
    return await application_out(principal, await _application(application_id))


async def resubmit(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    found = await _of_applicant(principal, application_id)
    case = await _move(found, "resubmit", data.expected_version, actor_of(principal))
    await _notify(found.issuer, found, f"resubmitted-{case.version}",
                  Msg("voucher.notice.resubmitted", {"reference": case.reference}))  # fmt: skip
    return await application_out(principal, await _application(application_id))


async def withdraw(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    found = await _of_applicant(principal, application_id)
    case = await _move(found, "withdraw", data.expected_version, actor_of(principal))
    await desk.decide(case_id=case.id, kind="withdrawal", outcome="withdrawn", actor=actor_of(principal),
                      role="applicant", snapshot={"tier": found.tier_name})  # fmt: skip
    return await application_out(principal, await _application(application_id))


def _approved_amount(found: ApplicationRecord, data: ApproveIn) -> Money:
    """The amount the last tier approves: as asked, or lowered (never raised; face values in whole vouchers)."""
    if found.value_kind == "face_value" and found.face_value_minor is not None and data.vouchers is not None:
        if found.vouchers is not None and data.vouchers > found.vouchers:
            raise field_problem("vouchers", Msg("voucher.above_requested", {"amount": found.requested}))
        return Money(found.currency, data.vouchers * found.face_value_minor)
    if data.amount_minor is not None:
        if found.value_kind == "face_value":
            raise field_problem("vouchers", Msg("voucher.vouchers_needed"))
        if data.amount_minor > found.requested_minor:
            raise field_problem("amount_minor", Msg("voucher.above_requested", {"amount": found.requested}))
        return Money(found.currency, data.amount_minor)
    return found.requested


async def approve(*, principal: Principal, application_id: int, data: ApproveIn) -> ApplicationOut:
    """The tier now reviewing approves: the next tier reviews, or, at the last tier, the entitlement is issued.
    Above the programme's four-eyes threshold this is the maker's proposal and a different member completes it."""
    found = await _of_issuer(principal, application_id)
    case = await _expect(found, data.expected_version, "in_review")
    terms = await _terms(found)
    amount = _approved_amount(found, data) if found.last_tier else found.requested
    if not found.last_tier and (data.amount_minor is not None or data.vouchers is not None):
        raise field_problem("amount_minor", Msg("voucher.amount_at_last_tier"))
    snapshot = {"tier": found.tier_name, "tier_index": found.tier, "tiers": list(found.tiers),
                "programme_version": found.programme_version, "amount_minor": amount.minor,
                "vouchers": data.vouchers}  # fmt: skip
    if any(amount.minor > above for above, _ in terms.approval_thresholds):
        await desk.propose(case_id=case.id, outcome="approve", actor=actor_of(principal), role="maker", amount=amount,
                           text=data.text, snapshot=snapshot, policy=_approval_policy(terms),
                           expected_version=data.expected_version, machine=VoucherApplicationMachine,
                           event="propose")  # fmt: skip
        await _notify(found.issuer, found, f"proposed-{case.version}",
                      Msg("voucher.notice.proposed", {"reference": case.reference,
                                                      "tier": Msg(f"voucher_entitlement.tier.{found.tier_name}")}))
        return await application_out(principal, await _application(application_id))
    await _tier_passed(found, case, amount, actor_of(principal), text=data.text, expected_version=case.version,
                       move=True)  # fmt: skip
    return await application_out(principal, await _application(application_id))


async def _tier_passed(
    found: ApplicationRecord, case: CaseRecord, amount: Money, actor: Actor, *, text: str, expected_version: int,
    move: bool,
) -> None:
    """Record the tier's approval; the next tier reviews, or the last one issues the entitlement. ``move``: the
    case moves here (a direct approval); a checker's completion moved it already."""
    snapshot: dict[str, Any] = {"tier": found.tier_name, "tier_index": found.tier, "tiers": list(found.tiers),
                                "programme_version": found.programme_version}  # fmt: skip
    if not found.last_tier:
        if not await repository.next_tier(found.id, from_tier=found.tier, at=service.now()):
            raise Conflict(Msg("desk.stale", {"reference": case.reference}))
        if move:
            await _move(found, "pass_tier", expected_version, actor)
        await desk.decide(case_id=case.id, kind="tier", outcome="passed", actor=actor, role="reviewer", text=text,
                          snapshot=snapshot, amount=found.requested)  # fmt: skip
        nxt = found.tiers[found.tier + 1]
        await _notify(found.issuer, found, f"tier-{found.tier + 1}",
                      Msg("voucher.notice.next_tier", {"reference": case.reference,
                                                       "tier": Msg(f"voucher_entitlement.tier.{nxt}")}))  # fmt: skip
        return
    made = await _issue(found, amount, actor)
    if move:
        await _move(found, "approve", expected_version, actor)
    await desk.decide(case_id=case.id, kind="tier", outcome="approved", actor=actor, role="reviewer", text=text,
                      snapshot={**snapshot, "entitlement": made.id, "amount_minor": amount.minor,
                                "expires_at": made.expires_at.isoformat(), "issued_on": made.issued_on.isoformat()},
                      amount=amount)  # fmt: skip
    await _notify(found.applicant, found, "approved",
                  Msg("voucher.notice.approved", {"reference": case.reference, "amount": amount,
                                                  "day": service.last_usable_day(made)}))  # fmt: skip


async def _issue(found: ApplicationRecord, amount: Money, actor: Actor) -> EntitlementRecord:
    """Commit the budget and the firm's cap (the limits in force now), then issue under the application's version;
    close the programme when its budget is all committed."""
    terms = await _terms(found)
    now_row = await programmes.programme(found.programme)
    needs = cap_needs(now_row.terms, programme_id=found.programme, org_id=found.applicant)
    await reserve(needs, amount)
    vouchers = amount.minor // found.face_value_minor if found.face_value_minor else None
    made = await service.issue(
        holder=found.applicant, issuer=found.issuer, programme_id=found.programme,
        programme_version=found.programme_version, amount=amount, issued_on=service.today(),
        validity_months=terms.validity_months, actor=actor, application_id=found.id, vouchers=vouchers,
        face_value_minor=found.face_value_minor,
    )  # fmt: skip
    if not await repository.set_issued(found.id, amount_minor=amount.minor, entitlement_id=made.id, at=service.now()):
        raise Conflict(Msg("voucher.already_issued"))
    budget = now_row.terms.budget_minor
    if budget is not None and await committed(found.programme) >= budget:
        await programmes.close_for_budget(found.programme, actor=actor)
    return made


async def check(*, principal: Principal, application_id: int, data: CheckIn) -> ApplicationOut:
    """A checker's approval of the maker's proposal (never the maker's own: 403). Complete, an approval passes the
    tier (or issues the entitlement at the last); a refusal proposal refuses with its letter."""
    found = await _of_issuer(principal, application_id)
    case = await _expect(found, data.expected_version, "proposed")
    proposal = await desk.decision(data.proposal_id)
    if proposal is None or proposal.case != case.id or proposal.kind != "proposal":
        missing = Msg("voucher.proposal_not_found")
        raise NotFound(missing, errors=[FieldError("proposal_id", missing, code=missing.code)])
    event = "refuse" if proposal.outcome == "refuse" else "approve" if found.last_tier else "pass_tier"
    _, complete = await desk.approve(proposal_id=proposal.id, actor=actor_of(principal), role="checker",
                                     text=data.text, expected_version=data.expected_version,
                                     machine=VoucherApplicationMachine, event=event)  # fmt: skip
    if complete and event == "refuse":
        await _refused(found, await _case(found), list(proposal.reasons), proposal.text, actor_of(principal),
                       state_before=case.state)  # fmt: skip
    elif complete:
        amount = proposal.amount or found.requested
        await _tier_passed(found, await _case(found), amount, actor_of(principal), text=data.text,
                           expected_version=case.version, move=False)  # fmt: skip
    return await application_out(principal, await _application(application_id))


async def send_back(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    found = await _of_issuer(principal, application_id)
    await _move(found, "send_back", data.expected_version, actor_of(principal))
    return await application_out(principal, await _application(application_id))


def _reasons_of(codes: Sequence[str]) -> list[Reason]:
    unknown = [c for c in codes if c not in REFUSAL_CODES]
    if unknown:
        raise field_problem("reasons", Msg("voucher.refusal_reason_unknown", {"code": ", ".join(unknown)}))
    return [reason(c) for c in dict.fromkeys(codes)]


async def refuse(*, principal: Principal, application_id: int, data: RefuseIn) -> ApplicationOut:
    """Refuse with coded reasons and a decision letter. Where the programme says a refusal needs a second member,
    this is a refusal proposal (from review) that another member's approval completes."""
    found = await _of_issuer(principal, application_id)
    reasons = _reasons_of(data.reasons)
    case = await _expect(found, data.expected_version, "submitted", "in_review", "more_info")
    terms = await _terms(found)
    if terms.refusal_needs_second:
        if case.state != "in_review":
            raise Conflict(Msg("voucher.refusal_needs_review"), state=case.state)
        await desk.propose(case_id=case.id, outcome="refuse", actor=actor_of(principal), role="maker",
                           amount=found.requested, reasons=reasons, text=data.text,
                           snapshot={"reasons": list(data.reasons), "tier": found.tier_name},
                           policy=_approval_policy(terms), expected_version=data.expected_version,
                           machine=VoucherApplicationMachine, event="propose")  # fmt: skip
        return await application_out(principal, await _application(application_id))
    moved = await _move(found, "refuse", data.expected_version, actor_of(principal))
    await _refused(found, moved, reasons, data.text, actor_of(principal), state_before=case.state)
    return await application_out(principal, await _application(application_id))


async def _refused(
    found: ApplicationRecord, case: CaseRecord, reasons: Sequence[Reason], text: str, actor: Actor, *,
    state_before: str,
) -> None:
    decision = await desk.decide(case_id=case.id, kind="refusal", outcome="refused", actor=actor, role="reviewer",
                                 reasons=reasons, text=text,
                                 snapshot={"state_before": state_before, "tier": found.tier_name,
                                           "requested_minor": found.requested_minor,
                                           "programme_version": found.programme_version})  # fmt: skip
    letter = await letters.render_letter(
        decision, case,
        what_to_fix=[Msg(f"voucher.fix.{r.code.removeprefix('voucher.refusal.')}") for r in reasons],
        how_to_reapply=Msg("voucher.how_to_reapply"),
    )  # fmt: skip
    await record(actor=actor, action="finance.voucher_application_refused", entity_type="voucher_application",
                 entity_id=found.id, org_id=found.issuer,
                 after={"reference": case.reference, "reasons": [r.code for r in reasons],
                        "letter": letter.sha256})  # fmt: skip
    await _emit(APPLICATION_REFUSED, found, case, reasons=[r.code for r in reasons])
    await _notify(found.applicant, found, "refused", Msg("voucher.notice.refused", {"reference": case.reference}))


# ------------------------------------------------------------------------------------------------ reading


def _events(principal: Principal, found: ApplicationRecord, state: str) -> list[str]:
    if principal.org_id == found.applicant:
        return list(SME_EVENTS.get(state, ()))
    if principal.org_id == found.issuer:
        return list(ISSUER_EVENTS.get(state, ()))
    return []


def decision_out(d: DecisionRecord) -> DecisionOut:
    return DecisionOut(
        id=d.id, kind=d.kind, outcome=d.outcome, decided_by=d.decided_by, role=d.role, decided_at=d.decided_at,
        tier=str(d.snapshot.get("tier", "")), reasons=[MsgOut.of(r.msg) for r in d.reasons], text=d.text,
        amount_minor=d.amount_minor, proposal_id=d.proposal,
    )  # fmt: skip


async def application_out(principal: Principal, found: ApplicationRecord) -> ApplicationOut:
    case = await _case(found)
    try:
        row: ProgrammeRecord | None = await programmes.programme_at(found.programme, found.programme_version)
    except NotFound:
        row = None
    applicant = await org_service.org_by_id(found.applicant)
    made = await desk.decisions(case.id)
    pending = None
    if case.state == "proposed":
        proposals = [d for d in made if d.kind == "proposal"]
        pending = proposals[-1].id if proposals else None
    return ApplicationOut(
        id=found.id, case_id=found.case, reference=case.reference, state=case.state, version=case.version,
        programme_id=found.programme, programme_version=found.programme_version,
        programme_name=row.name_zh if row else "", issuer_org_id=found.issuer,
        programme_name_en=(row.name_en or "") if row else "",
        issuer_name=row.issuer_name if row else "", applicant_org_id=found.applicant,
        applicant_name=applicant.name if applicant else "", value_kind=found.value_kind,
        requested=money_out(found.requested), vouchers=found.vouchers,
        face_value=money_or_none(found.face_value_minor, found.currency), purpose=found.purpose,
        declarations=[dict(d) for d in found.declarations],
        findings=[finding_out(Reason.from_json(r)) for r in found.precheck],
        qualifications=dict(found.qualifications), favoured=list(found.favoured), priority=found.priority,
        tiers=list(found.tiers), tier=found.tier, tier_name=found.tier_name,
        approved=money_or_none(found.approved_minor, found.currency), entitlement_id=found.entitlement,
        due_on=case.due_on, events=_events(principal, found, case.state), pending_proposal_id=pending,
        decisions=[decision_out(d) for d in made], created_at=found.created_at,
    )  # fmt: skip


async def get_application(*, principal: Principal, application_id: int) -> ApplicationOut:
    return await application_out(principal, await _visible(principal, application_id))


async def applications_of(*, principal: Principal, open_only: bool = False) -> list[ApplicationOut]:
    """The firm's applications; an issuer's (favoured firms first, then oldest first)."""
    if principal.org_kind is OrgKind.voucher_issuer:
        rows = await repository.applications(issuer=principal.org_id)
        rows = sorted(rows, key=lambda r: (-r.priority, r.created_at))
    else:
        rows = await repository.applications(applicant=principal.org_id)
    out = [await application_out(principal, r) for r in rows]
    return [a for a in out if a.state not in FINAL] if open_only else out


# --------------------------------------------------------------------------------------------- entitlements


def balance_out(b: Balance) -> BalanceOut:
    c = b.currency
    return BalanceOut(
        granted=money_out(Money(c, b.granted_minor)), available=money_out(Money(c, b.available_minor)),
        held=money_out(Money(c, b.held_minor)), captured=money_out(Money(c, b.captured_minor)),
        released=money_out(Money(c, b.released_minor)), expired=money_out(Money(c, b.expired_minor)),
        revoked=money_out(Money(c, b.revoked_minor)),
    )  # fmt: skip


def entry_out(e: EntryRecord) -> EntryOut:
    return EntryOut(id=e.id, kind=e.kind, amount=money_out(Money(e.currency, e.amount_minor)), ref=e.ref, at=e.at)


def status_of(found: EntitlementRecord, at: datetime) -> str:
    if found.revoked:
        return "revoked"
    return "expired" if found.expired(at) else "active"


async def entitlement_out(found: EntitlementRecord, *, with_entries: bool = False) -> EntitlementOut:
    try:
        row: ProgrammeRecord | None = await programmes.programme(found.programme)
    except NotFound:
        row = None
    holder = await org_service.org_by_id(found.holder)
    return EntitlementOut(
        id=found.id, application_id=found.application, programme_id=found.programme,
        programme_version=found.programme_version, programme_name=row.name_zh if row else "",
        programme_name_en=(row.name_en or "") if row else "",
        holder_org_id=found.holder, holder_name=holder.name if holder else "", issuer_org_id=found.issuer,
        granted=money_out(found.granted), vouchers=found.vouchers,
        face_value=money_or_none(found.face_value_minor, found.currency),
        balance=balance_out(await service.balance(found.id)), issued_on=found.issued_on,
        expires_at=found.expires_at, last_day=service.last_usable_day(found),
        status=status_of(found, service.now()),
        revoked_reason=MsgOut.of(Msg(f"reason.{found.revoked_reason}")) if found.revoked else None,
        entries=[entry_out(e) for e in await service.ledger(found.id)] if with_entries else [],
    )  # fmt: skip


async def _visible_entitlement(principal: Principal, entitlement_id: int) -> EntitlementRecord:
    found = await repository.entitlement(entitlement_id)
    if found is None or principal.org_id not in (found.holder, found.issuer):
        raise NotFound(Msg("voucher.entitlement_not_found"))
    return found


async def entitlements_for(*, principal: Principal) -> list[EntitlementOut]:
    """The firm's entitlements; an issuer's (every firm's in its programmes)."""
    if principal.org_kind is OrgKind.voucher_issuer:
        rows = await service.entitlements_of_issuer(principal.org_id)
    else:
        rows = await service.entitlements_of(principal.org_id)
    return [await entitlement_out(r) for r in rows]


async def entitlement_for(*, principal: Principal, entitlement_id: int) -> EntitlementOut:
    """One entitlement with its ledger, for its holder and its issuer."""
    return await entitlement_out(await _visible_entitlement(principal, entitlement_id), with_entries=True)


async def revoke_for(*, principal: Principal, entitlement_id: int, data: RevokeIn) -> EntitlementOut:
    """The issuer revokes one of its entitlements with a reason code (the holder is told)."""
    if principal.org_kind is not OrgKind.voucher_issuer:
        raise Forbidden(Msg("voucher.issuer_only"))
    org_service.require_approved(principal)
    found = await _visible_entitlement(principal, entitlement_id)
    if found.issuer != principal.org_id:
        raise NotFound(Msg("voucher.entitlement_not_found"))
    made = await service.revoke(entitlement_id=found.id, reason_code=data.reason, actor=actor_of(principal),
                                text=data.text)  # fmt: skip
    await notify_members(org_id=found.holder, kind="voucher",
                         message=Msg("voucher.notice.revoked", {"reason": Msg(f"reason.{data.reason}")}),
                         dedupe_key=f"voucher-entitlement:{found.id}:revoked")  # fmt: skip
    return await entitlement_out(made, with_entries=True)
