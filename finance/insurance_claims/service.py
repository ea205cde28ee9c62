"""Insurance claims: the insured's notice on an in-force policy, its costs with invoices, the insurer's review and
assessment on the desk, payment or denial with coded reasons and a letter; guarantee insurance attached to a pledge
loan, whose default opens the bank's claim.

- A notice names one of the policy's patents, the counterparty and the forum, when the infringement began and when
  the claim was first made (inside the period: otherwise refused, nothing written). A cancelled or expired policy
  takes no claim. Enforcement cover needs the case's acceptance number and date (立案/受理) before a legal cost is
  accepted (investigation costs may come before).
- Costs come with their invoices (a dossier document of the claim's case: type read from the bytes, SHA-256 kept);
  a cost above what the policy can still pay (the per-claim limit, the aggregate left) is refused with the figure.
  The insurer pre-approves a cost once.
- The assessment (``rules.assess``): covered costs, the deductible, the per-claim limit, the aggregate left after
  the policy's earlier paid claims, line by line; recorded as an immutable decision with its snapshot. Payment is an
  entry (one per claim; a policy's aggregate used is the sum of its entries, read under a lock on PostgreSQL). A
  denial carries coded reasons and a decision letter (``finance.letters``).
- Every state change is the desk's conditional transition with the version the caller read (409 when stale).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from finance.desk import service as desk
from finance.desk.reasons import REGISTRY, Reason, reason
from finance.desk.records import CaseRecord, DecisionRecord
from finance.dossiers import service as dossiers
from finance.dossiers.checklist import JPEG, OFD, PDF, PNG, Requirement
from finance.insurance import service as insurance
from finance.insurance_claims import repository, rules
from finance.insurance_claims.machine import FINAL, KIND, REFERENCE_PREFIX, STATES, ClaimMachine
from finance.insurance_claims.records import ClaimRecord, CostRecord
from finance.insurance_claims.schemas import (
    AcceptanceIn,
    AssessmentIn,
    ClaimNoticeIn,
    ClaimOut,
    CostIn,
    CostOut,
    DecisionOut,
    DenialIn,
    GuaranteeOut,
    LetterOut,
    LineOut,
    MoreInfoIn,
    MoveIn,
    PaymentIn,
    ReasonOut,
)
from finance.insurance_products import service as products
from finance.letters import service as letters
from finance.pledges import service as pledges
from finance.policies import service as policies
from finance.policies.records import PolicyRecord
from finance.registrations import service as registrations
from finance.servicing import service as servicing
from listings.patents import service as patents
from listings.patents.records import PatentRecord
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.message_json import message_from_json
from market.kit.money import Money
from market.kit.words import MsgOut
from market.notifications.service import notify_members
from market.orgs import service as org_service

SLA_WORKING_DAYS = 20  # the insurer's assessment, in working days
MOVED_EVENT = "insurance_claims.moved"  # claim_id, to_state, insured_org, insurer_org (webhooks: insurance.claim.*)
INVOICE = Requirement(
    code="invoice",
    required=False,
    accepted_types=(PDF, OFD, PNG, JPEG),
    label=Msg("insurance_claim.requirement.invoice"),
    source=rules.WORDING,
)
GUARANTEE_POLICY = Requirement(
    code="guarantee_policy",
    required=False,
    accepted_types=(PDF,),
    label=Msg("insurance_claim.requirement.guarantee_policy"),
    source=rules.SCHEDULE,
)
OPEN_FOR_COSTS = ("notified", "in_review", "more_info")

INSURED_EVENTS: Mapping[str, tuple[str, ...]] = {
    "notified": ("acceptance", "cost", "withdraw"),
    "in_review": ("acceptance", "cost", "withdraw"),
    "more_info": ("acceptance", "cost", "resubmit", "withdraw"),
}
INSURER_EVENTS: Mapping[str, tuple[str, ...]] = {
    "notified": ("start_review", "request_info", "pre_approve", "deny"),
    "in_review": ("request_info", "pre_approve", "assess", "deny"),
    "more_info": ("pre_approve", "deny"),
    "assessed": ("pay", "deny", "reassess"),  # above the four-eyes threshold: propose, then another approves
}


def today() -> date:
    return datetime.now(UTC).date()


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


async def checklist_of_case(found: CaseRecord) -> list[Requirement]:
    """A claim's documents: its invoices (one requirement, a version per cost) and the decision letters."""
    return [INVOICE]


dossiers.register_checklist(KIND, checklist_of_case)
desk.register_case_page(KIND, "/insurer/claims/{subject}")

# ------------------------------------------------------------------------------------------------ access


async def _claim(claim_id: int) -> ClaimRecord:
    found = await repository.get(claim_id)
    if found is None:
        raise NotFound(Msg("insurance_claim.not_found"))
    return found


async def _of_insured(principal: Principal, claim_id: int) -> ClaimRecord:
    found = await repository.get(claim_id)
    if found is None or found.insured != principal.org_id:
        raise NotFound(Msg("insurance_claim.not_found"))
    return found


async def _of_insurer(principal: Principal, claim_id: int) -> ClaimRecord:
    found = await repository.get(claim_id)
    if found is None or found.insurer != principal.org_id:
        raise NotFound(Msg("insurance_claim.not_found"))
    return found


async def _visible(principal: Principal, claim_id: int) -> ClaimRecord:
    found = await repository.get(claim_id)
    if found is None or principal.org_id not in (found.insured, found.insurer):
        raise NotFound(Msg("insurance_claim.not_found"))
    return found


async def _case(found: ClaimRecord) -> CaseRecord:
    case = await desk.case(found.case) if found.case is not None else None
    assert case is not None, "every claim has its desk case"
    return case


async def _expect(found: ClaimRecord, expected_version: int, *states: str) -> CaseRecord:
    case = await _case(found)
    if case.version != expected_version or (states and case.state not in states):
        raise Conflict(Msg("desk.stale"), state=case.state, version=case.version)
    return case


async def _move(found: ClaimRecord, event: str, expected_version: int, actor: Actor) -> CaseRecord:
    assert found.case is not None
    moved = await desk.transition(
        case_id=found.case, event=event, expected_version=expected_version, actor=actor, machine=ClaimMachine
    )
    await events.emit(
        MOVED_EVENT,
        claim_id=found.id,
        policy_id=found.policy,
        kind=found.kind,
        to_state=moved.state,
        insured_org=found.insured,
        insurer_org=found.insurer,
        reference=moved.reference,
    )
    return moved


# ------------------------------------------------------------------------------------------------ the policy


async def _policy(policy_id: int) -> PolicyRecord | None:
    try:
        return await policies.policy(policy_id)
    except NotFound:
        return None


policy_of = _policy  # for the pages (the notice form is reached from a policy)


async def patents_of_policy(policy: PolicyRecord) -> list[PatentRecord]:
    """The patents the policy lists (the notice form offers these)."""
    return list(await patents.patents_by_ids(list(policy.patent_ids)))


def cover_of(policy: PolicyRecord) -> rules.Cover:
    """The policy's schedule as the checks read it."""
    assert policy.starts_on is not None, "a policy in force has its period"
    assert policy.ends_on is not None, "a policy in force has its period"
    return rules.Cover(
        kind=policy.kind,
        patent_ids=tuple(policy.patent_ids),
        starts_on=policy.starts_on,
        ends_on=policy.ends_on,
        retroactive_date=policy.retroactive_date,
        per_claim_limit=Money(policy.currency, policy.per_claim_limit_minor),
        aggregate_limit=Money(policy.currency, policy.aggregate_limit_minor),
        deductible=Money(policy.currency, policy.deductible_minor),
    )


def _in_force(policy: PolicyRecord) -> bool:
    return policy.state == "in_force" and policy.starts_on is not None and policy.ends_on is not None


def _refused(found: Reason) -> ValidationFailed:
    return ValidationFailed(
        found.msg, errors=[FieldError(found.field or "claim", found.msg, code=found.code, article=found.source)]
    )


async def aggregate_used(policy: PolicyRecord, *, excluding_claim: int | None = None) -> Money:
    """What the policy's aggregate limit has used: the sum of its claims' payment entries."""
    return Money(policy.currency, await repository.paid_on_policy(policy.id, excluding_claim=excluding_claim))


async def remaining(policy: PolicyRecord, *, claim_id: int | None = None) -> Money:
    """The most the policy can still pay on one claim: the per-claim limit or the aggregate left, the lower."""
    used = await aggregate_used(policy, excluding_claim=claim_id)
    left = max(0, policy.aggregate_limit_minor - used.minor)
    return Money(policy.currency, min(policy.per_claim_limit_minor, left))


async def known_disputes(found: ClaimRecord, policy: PolicyRecord) -> list[rules.KnownDispute]:
    """Disputes known before the policy started: a "yes" to a dispute question of the frozen questionnaire, an
    earlier claim on record for the same patent and counterparty, and the notice's own date of knowledge."""
    out: list[rules.KnownDispute] = []
    try:
        application = await insurance.application(policy.application)
    except NotFound:
        application = None
    if application is not None and application.answers:
        answered = application.disclosure_ack_at.date() if application.disclosure_ack_at else (
            policy.starts_on or today()
        )
        out += rules.disputes_in_answers(application.answers, answered_on=answered)
    if found.patent is not None and policy.starts_on is not None:
        for earlier in await repository.earlier_on_record(
            patent_id=found.patent, counterparty=found.counterparty, before=policy.starts_on, insured=found.insured
        ):
            if earlier.id != found.id and earlier.first_claim_on is not None:
                out.append(rules.KnownDispute("claim_on_record", earlier.first_claim_on, str(earlier.id)))
    if found.first_known_on is not None:
        out.append(rules.KnownDispute("notice", found.first_known_on))
    return out


async def _notice_of(found: ClaimRecord, policy: PolicyRecord) -> rules.Notice:
    assert found.event_on is not None
    assert found.first_claim_on is not None
    return rules.Notice(
        patent_id=found.patent,
        event_on=found.event_on,
        first_claim_on=found.first_claim_on,
        known=tuple(await known_disputes(found, policy)),
    )


def _cost_line(c: CostRecord) -> rules.CostLine:
    return rules.CostLine(
        id=c.id,
        kind=c.kind,
        amount=Money(c.currency, c.amount_minor),
        incurred_on=c.incurred_on or date.min,
        pre_approved=c.pre_approved,
        invoice_number=c.invoice_number,
    )


async def assessment_of(found: ClaimRecord, policy: PolicyRecord) -> rules.Assessment:
    """The claim assessed as it stands (the policy's earlier paid claims read now)."""
    return rules.assess(
        cover_of(policy),
        await _notice_of(found, policy),
        [_cost_line(c) for c in await repository.costs_of(found.id)],
        acceptance_number=found.acceptance_number,
        accepted_on=found.accepted_on,
        aggregate_used=await aggregate_used(policy, excluding_claim=found.id),
    )


# ------------------------------------------------------------------------------------------------ the notice


async def notify_claim(*, principal: Principal, policy_id: int, data: ClaimNoticeIn) -> ClaimOut:
    """The insured's notice on its in-force policy. Refused (nothing written) on a policy not in force, a patent the
    policy does not list, a claim first made outside the period, or dates out of order."""
    org_service.require_approved(principal)
    policy = await _policy(policy_id)
    if policy is None or policy.insured != principal.org_id:
        raise NotFound(Msg("insurance_claim.policy_not_found"))
    if not _in_force(policy):
        raise _refused(reason(rules.NOT_IN_FORCE, field="policy_id"))
    if policy.kind == "pledge_guarantee":
        refused = Msg("insurance_claim.guarantee_by_default")
        raise ValidationFailed(refused, errors=[FieldError("policy_id", refused, code="guarantee")])
    errors = []
    if data.first_claim_on > today():
        errors.append(FieldError("first_claim_on", Msg("insurance_claim.date_in_future"), code="future"))
    if data.event_on > data.first_claim_on:
        errors.append(FieldError("event_on", Msg("insurance_claim.event_after_claim"), code="order"))
    if data.accepted_on is not None and data.accepted_on > today():
        errors.append(FieldError("accepted_on", Msg("insurance_claim.date_in_future"), code="future"))
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    cover = cover_of(policy)
    if data.patent_id not in cover.patent_ids:
        raise _refused(reason(rules.NOT_LISTED, field="patent_id"))
    if not cover.starts_on <= data.first_claim_on <= cover.ends_on:
        raise _refused(
            reason(
                rules.OUTSIDE_PERIOD,
                field="first_claim_on",
                on=data.first_claim_on,
                starts_on=cover.starts_on,
                ends_on=cover.ends_on,
            )
        )
    claim_id = await repository.create(
        {
            "policy": policy.id,
            "insured": principal.org_id,
            "insurer": policy.insurer,
            "kind": policy.kind,
            "patent": data.patent_id,
            "counterparty": data.counterparty,
            "forum": data.forum,
            "event_on": data.event_on,
            "first_claim_on": data.first_claim_on,
            "first_known_on": data.first_known_on,
            "description": data.description,
            "acceptance_number": data.acceptance_number,
            "accepted_on": data.accepted_on,
            "currency": policy.currency,
            "created_by": principal.user_id,
        }
    )
    await _open(claim_id, policy, applicant=principal.org_id, actor=actor_of(principal), amount_minor=0)
    return await get(principal=principal, claim_id=claim_id)


async def _open(claim_id: int, policy: PolicyRecord, *, applicant: int, actor: Actor, amount_minor: int) -> CaseRecord:
    case = await desk.open_case(
        kind=KIND,
        subject=claim_id,
        reviewer_org=policy.insurer,
        applicant_org=applicant,
        amount=Money(policy.currency, amount_minor),
        machine=ClaimMachine,
        reference_prefix=REFERENCE_PREFIX,
        sla_working_days=SLA_WORKING_DAYS,
        actor=actor,
    )
    await repository.set_case(claim_id, case.id)
    await record(
        actor=actor,
        action="finance.insurance_claim_notified",
        entity_type="insurance_claim",
        entity_id=claim_id,
        org_id=applicant,
        after={"case": case.id, "reference": case.reference, "policy": policy.id, "policy_number": policy.number},
    )
    await events.emit(
        MOVED_EVENT,
        claim_id=claim_id,
        policy_id=policy.id,
        kind=policy.kind,
        to_state=case.state,
        insured_org=applicant,
        insurer_org=policy.insurer,
        reference=case.reference,
    )
    await _notify_org(
        policy.insurer, claim_id, "notified", Msg("insurance_claim.notice.notified", {"reference": case.reference})
    )
    return case


async def record_acceptance(*, principal: Principal, claim_id: int, data: AcceptanceIn) -> ClaimOut:
    """The case's acceptance number and date (立案/受理), recorded once the forum has accepted it."""
    found = await _of_insured(principal, claim_id)
    case = await _expect(found, data.expected_version, *OPEN_FOR_COSTS)
    if data.accepted_on > today():
        future = Msg("insurance_claim.date_in_future")
        raise ValidationFailed(future, errors=[FieldError("accepted_on", future, code="future")])
    if found.acceptance_number:
        raise Conflict(Msg("insurance_claim.acceptance_recorded"))
    await repository.set_acceptance(claim_id, number=data.acceptance_number, on=data.accepted_on)
    await desk.decide(
        case_id=case.id,
        kind="case_acceptance",
        outcome="recorded",
        actor=actor_of(principal),
        role="insured",
        snapshot={"acceptance_number": data.acceptance_number, "accepted_on": data.accepted_on.isoformat()},
    )
    return await get(principal=principal, claim_id=claim_id)


# ------------------------------------------------------------------------------------------------ costs


async def add_cost(
    *,
    principal: Principal,
    claim_id: int,
    data: CostIn,
    filename: str,
    content_type: str,
    content: bytes,
) -> ClaimOut:
    """A cost with its invoice. Refused (nothing written): an enforcement legal cost before the case's acceptance,
    a cost above what the policy can still pay on this claim, a date in the future, a file that is not an invoice's
    type."""
    org_service.require_approved(principal)
    found = await _of_insured(principal, claim_id)
    case = await _case(found)
    if case.state not in OPEN_FOR_COSTS:
        raise Conflict(Msg("insurance_claim.costs_closed", {"reference": case.reference}), state=case.state)
    if data.incurred_on > today():
        future = Msg("insurance_claim.date_in_future")
        raise ValidationFailed(future, errors=[FieldError("incurred_on", future, code="future")])
    line = rules.CostLine(
        id=0, kind=data.kind, amount=Money(found.currency, data.amount_minor), incurred_on=data.incurred_on,
        pre_approved=True,
    )  # fmt: skip
    blocked = [
        r
        for r in rules.cost_reasons(
            found.kind, line, acceptance_number=found.acceptance_number, accepted_on=found.accepted_on
        )
        if r.code == rules.NO_ACCEPTANCE
    ]
    if blocked:
        raise _refused(blocked[0])
    policy = await _policy(found.policy)
    assert policy is not None
    left = await remaining(policy, claim_id=found.id)
    room = Money(found.currency, left.minor + policy.deductible_minor)
    if data.amount_minor > room.minor:  # several costs may pass the limit together: the assessment caps them
        above = Msg("insurance_claim.cost_above_limit", {"amount": line.amount, "left": room, "limit": left})
        raise ValidationFailed(above, errors=[FieldError("amount_minor", above, code="above_limit")])
    stored = await dossiers.upload(
        case_id=case.id,
        requirement=INVOICE,
        filename=filename,
        content_type=content_type,
        content=content,
        issued_on=data.incurred_on,
        actor=actor_of(principal),
    )
    cost_id = await repository.add_cost(
        {
            "claim": found.id,
            "kind": data.kind,
            "amount_minor": data.amount_minor,
            "currency": found.currency,
            "incurred_on": data.incurred_on,
            "description": data.description,
            "invoice_number": data.invoice_number,
            "document": stored.id,
            "sha256": stored.sha256,
            "created_by": principal.user_id,
        }
    )
    await record(
        actor=actor_of(principal),
        action="finance.insurance_claim_cost",
        entity_type="insurance_claim",
        entity_id=found.id,
        org_id=principal.org_id,
        after={"cost": cost_id, "kind": data.kind, "amount_minor": data.amount_minor, "sha256": stored.sha256},
    )
    return await get(principal=principal, claim_id=claim_id)


async def pre_approve(*, principal: Principal, claim_id: int, cost_id: int, data: MoveIn) -> ClaimOut:
    """The insurer approves a cost before it counts (once: a second is a 409)."""
    org_service.require_approved(principal)
    found = await _of_insurer(principal, claim_id)
    case = await _expect(found, data.expected_version, *OPEN_FOR_COSTS)
    cost = await repository.cost(cost_id)
    if cost is None or cost.claim != found.id:
        raise NotFound(Msg("insurance_claim.cost_not_found"))
    if not await repository.pre_approve(cost_id, by=principal.user_id, at=datetime.now(UTC)):
        raise Conflict(Msg("insurance_claim.already_pre_approved"))
    await desk.decide(
        case_id=case.id,
        kind="pre_approval",
        outcome="approved",
        actor=actor_of(principal),
        role="insurer",
        snapshot={"cost": cost.id, "kind": cost.kind, "amount_minor": cost.amount_minor, "sha256": cost.sha256},
        amount=Money(cost.currency, cost.amount_minor),
    )
    return await get(principal=principal, claim_id=claim_id)


# ------------------------------------------------------------------------------------------------ the desk


async def start_review(*, principal: Principal, claim_id: int, data: MoveIn) -> ClaimOut:
    found = await _of_insurer(principal, claim_id)
    await _move(found, "start_review", data.expected_version, actor_of(principal))
    return await get(principal=principal, claim_id=claim_id)


async def request_info(*, principal: Principal, claim_id: int, data: MoreInfoIn) -> ClaimOut:
    found = await _of_insurer(principal, claim_id)
    before = await _case(found)
    case = await _move(found, "request_info", data.expected_version, actor_of(principal))
    await desk.decide(
        case_id=case.id, kind="more_info", outcome="more_info", actor=actor_of(principal), role="insurer",
        text=data.text, snapshot={"state_before": before.state},
    )  # fmt: skip
    message = Msg("insurance_claim.notice.more_info", {"reference": case.reference})
    await _notify_org(found.insured, found.id, f"more-info-{case.version}", message)
    return await get(principal=principal, claim_id=claim_id)


async def resubmit(*, principal: Principal, claim_id: int, data: MoveIn) -> ClaimOut:
    found = await _of_insured(principal, claim_id)
    await _move(found, "resubmit", data.expected_version, actor_of(principal))
    return await get(principal=principal, claim_id=claim_id)


async def withdraw(*, principal: Principal, claim_id: int, data: MoveIn) -> ClaimOut:
    found = await _of_insured(principal, claim_id)
    await _move(found, "withdraw", data.expected_version, actor_of(principal))
    return await get(principal=principal, claim_id=claim_id)


async def reassess(*, principal: Principal, claim_id: int, data: MoveIn) -> ClaimOut:
    found = await _of_insurer(principal, claim_id)
    await _move(found, "reassess", data.expected_version, actor_of(principal))
    return await get(principal=principal, claim_id=claim_id)


async def assess(*, principal: Principal, claim_id: int, data: AssessmentIn) -> ClaimOut:
    """The insurer's assessment against the limits and the deductible, line by line, as an immutable decision with
    its snapshot; the claim is ``assessed`` (then paid or denied)."""
    org_service.require_approved(principal)
    found = await _of_insurer(principal, claim_id)
    policy = await _policy(found.policy)
    assert policy is not None
    await _expect(found, data.expected_version, "in_review")
    assessed = await assessment_of(found, policy)
    case = await _move(found, "assess", data.expected_version, actor_of(principal))
    snapshot = {
        "policy": {
            "id": policy.id,
            "number": policy.number,
            "kind": policy.kind,
            "starts_on": policy.starts_on,
            "ends_on": policy.ends_on,
            "retroactive_date": policy.retroactive_date,
            "per_claim_limit_minor": policy.per_claim_limit_minor,
            "aggregate_limit_minor": policy.aggregate_limit_minor,
            "deductible_minor": policy.deductible_minor,
        },
        "acceptance": {"number": found.acceptance_number, "on": found.accepted_on},
        "assessment": assessed.as_json(),
    }
    await desk.decide(
        case_id=case.id,
        kind="assessment",
        outcome="assessed",
        actor=actor_of(principal),
        role="insurer",
        reasons=list(assessed.reasons),
        text=data.text,
        snapshot=snapshot,
        amount=assessed.payable,
    )
    await repository.set_assessment(found.id, assessment=assessed.as_json(), amount_minor=assessed.payable.minor)
    message = Msg("insurance_claim.notice.assessed", {"reference": case.reference, "amount": assessed.payable})
    await _notify_org(found.insured, found.id, f"assessed-{case.version}", message)
    return await get(principal=principal, claim_id=claim_id)


async def pay(*, principal: Principal, claim_id: int, data: PaymentIn) -> ClaimOut:
    """The assessed amount paid: one payment entry (unique per claim). Above the product version's four-eyes
    threshold a first member's payment is a proposal and a different member's approval pays (the maker is refused,
    403). The policy's claims are read under a lock so two payments on one policy never pass its aggregate limit
    together."""
    org_service.require_approved(principal)
    found = await _of_insurer(principal, claim_id)
    policy = await _policy(found.policy)
    assert policy is not None
    await repository.lock_policy_claims(policy.id)
    found = await _claim(claim_id)
    case = await _expect(found, data.expected_version, "assessed")
    amount = Money(found.currency, found.assessed_minor or 0)
    if amount.minor <= 0:
        nothing = Msg("insurance_claim.nothing_to_pay")
        raise ValidationFailed(nothing, errors=[FieldError("claim", nothing, code="nothing_payable")])
    if data.paid_on > today():
        future = Msg("insurance_claim.date_in_future")
        raise ValidationFailed(future, errors=[FieldError("paid_on", future, code="future")])
    used = await aggregate_used(policy, excluding_claim=found.id)
    if used.minor + amount.minor > policy.aggregate_limit_minor:
        left = Money(found.currency, max(0, policy.aggregate_limit_minor - used.minor))
        raise Conflict(Msg("insurance_claim.aggregate_exhausted", {"amount": amount, "left": left}))
    product = await products.version(policy.product_version)
    paid_on, reference, expected = data.paid_on, data.reference, data.expected_version
    if insurance.four_eyes(product, amount.minor):
        pending = await _pending_payment(case.id, amount.minor)
        if pending is None:  # the maker's proposal: nothing paid yet
            await desk.propose(
                case_id=case.id,
                outcome="approve",
                actor=actor_of(principal),
                role="maker",
                amount=amount,
                snapshot={"paid_on": paid_on.isoformat(), "reference": reference, "aggregate_used_minor": used.minor},
                policy=insurance.approval_policy(product),
                expected_version=expected,
            )
            message = Msg("insurance_claim.notice.payment_proposed", {"reference": case.reference, "amount": amount})
            await _notify_org(found.insurer, found.id, f"payment-proposed-{case.version}", message)
            return await get(principal=principal, claim_id=claim_id)
        _, complete = await desk.approve(
            proposal_id=pending.id, actor=actor_of(principal), role="checker", expected_version=expected
        )
        if not complete:
            return await get(principal=principal, claim_id=claim_id)
        paid_on = date.fromisoformat(str(pending.snapshot["paid_on"]))
        reference = str(pending.snapshot["reference"])
        expected = (await _case(found)).version
    moved = await _move(found, "pay", expected, actor_of(principal))
    await repository.add_payment(
        {
            "claim": found.id,
            "policy": policy.id,
            "amount_minor": amount.minor,
            "currency": amount.currency,
            "paid_on": paid_on,
            "reference": reference,
            "recorded_by": principal.user_id,
        }
    )
    decision = await desk.decide(
        case_id=case.id,
        kind="payment",
        outcome="claim_paid",
        actor=actor_of(principal),
        role="insurer",
        snapshot={
            "amount_minor": amount.minor,
            "paid_on": paid_on.isoformat(),
            "reference": reference,
            "aggregate_used_before_minor": used.minor,
            "aggregate_limit_minor": policy.aggregate_limit_minor,
        },
        amount=amount,
    )
    await letters.render_letter(decision, moved)
    await record(
        actor=actor_of(principal),
        action="finance.insurance_claim_paid",
        entity_type="insurance_claim",
        entity_id=found.id,
        org_id=principal.org_id,
        after={"reference": case.reference, "amount_minor": amount.minor, "paid_on": paid_on.isoformat()},
    )
    return await get(principal=principal, claim_id=claim_id)


async def _pending_payment(case_id: int, amount_minor: int) -> DecisionRecord | None:
    """The payment proposal of this amount still waiting for its approvals (neither superseded nor complete); a
    proposal of another amount (the claim was reassessed since) is replaced by a new one."""
    for made in reversed(await desk.decisions(case_id)):
        if made.kind == "proposal":
            status = await desk.proposal_status(made.id)
            return made if status.pending and made.amount_minor == amount_minor else None
    return None


def denial_reasons_of(codes: Sequence[str]) -> list[Reason]:
    unknown = [c for c in codes if c not in rules.DENIAL_CODES]
    if unknown:
        bad = Msg("insurance_claim.denial_reason_unknown", {"code": ", ".join(unknown)})
        raise ValidationFailed(bad, errors=[FieldError("reasons", bad, code="unknown")])
    return [reason(code) for code in dict.fromkeys(codes)]


async def deny(*, principal: Principal, claim_id: int, data: DenialIn) -> ClaimOut:
    """Deny with coded reasons (each with its source) and a decision letter, which is also the insured's
    notification. A reason the assessment found carries its figures (dates, limits)."""
    org_service.require_approved(principal)
    found = await _of_insurer(principal, claim_id)
    chosen = denial_reasons_of(data.reasons)
    if rules.OTHER in {r.code for r in chosen} and not data.text:
        needed = Msg("insurance_claim.denial_text_needed")
        raise ValidationFailed(needed, errors=[FieldError("text", needed, code="required")])
    case = await _expect(found, data.expected_version, "notified", "in_review", "more_info", "assessed")
    policy = await _policy(found.policy)
    found_reasons: dict[str, Reason] = {}
    if policy is not None and _in_force_or_was(policy):
        found_reasons = {r.code: r for r in (await assessment_of(found, policy)).reasons}
    reasons = [found_reasons.get(r.code, r) for r in chosen]
    moved = await _move(found, "deny", data.expected_version, actor_of(principal))
    decision = await desk.decide(
        case_id=moved.id,
        kind="denial",
        outcome="claim_denied",
        actor=actor_of(principal),
        role="insurer",
        reasons=reasons,
        text=data.text,
        snapshot={"state_before": case.state, "assessed_minor": found.assessed_minor},
    )
    await repository.set_denial(found.id, [r.as_json() for r in reasons])
    letter = await letters.render_letter(
        decision, moved, what_to_fix=[Msg(f"insurance_claim.fix.{r.code.removeprefix('insurance_claim.')}")
                                      for r in reasons]
    )  # fmt: skip
    await record(
        actor=actor_of(principal),
        action="finance.insurance_claim_denied",
        entity_type="insurance_claim",
        entity_id=found.id,
        org_id=principal.org_id,
        after={"reference": case.reference, "reasons": [r.code for r in reasons], "letter": letter.sha256},
    )
    return await get(principal=principal, claim_id=claim_id)


def _in_force_or_was(policy: PolicyRecord) -> bool:
    return policy.starts_on is not None and policy.ends_on is not None


# ------------------------------------------------------------------------------------------------ guarantees


async def attach_guarantee(*, principal: Principal, policy_id: int, pledge_application_id: int) -> GuaranteeOut:
    """The SME's pledge_guarantee policy attached to its pledge-loan application: the policy schedule becomes one of
    the loan's documents (issued into the application's dossier, which the bank reads). Once each way (409)."""
    org_service.require_approved(principal)
    policy = await _policy(policy_id)
    if policy is None or policy.insured != principal.org_id:
        raise NotFound(Msg("insurance_claim.policy_not_found"))
    errors = []
    if policy.kind != "pledge_guarantee":
        errors.append(FieldError("policy_id", Msg("insurance_claim.not_a_guarantee"), code="kind"))
    elif not _in_force(policy):
        refused = reason(rules.NOT_IN_FORCE, field="policy_id")
        errors.append(FieldError("policy_id", refused.msg, code=refused.code, article=refused.source))
    if policy.pledge_application is not None and policy.pledge_application != pledge_application_id:
        errors.append(
            FieldError(
                "pledge_application_id",
                Msg("insurance_claim.guarantee_other_application", {"id": policy.pledge_application}),
                code="other_application",
            )
        )
    application = await pledges.application_by_id(pledge_application_id)
    if application is None or application.applicant != principal.org_id:
        missing = Msg("pledge.not_found")
        raise NotFound(missing, errors=[FieldError("pledge_application_id", missing, code="not_found")])
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    if await repository.guarantee_of_policy(policy.id) or await repository.guarantee_of_application(application.id):
        raise Conflict(Msg("insurance_claim.guarantee_attached"))
    assert application.case is not None
    name, schedule, _ = await policies.schedule_document(policy.id)
    stored = await dossiers.issue(
        case_id=application.case,
        requirement=GUARANTEE_POLICY,
        filename=name,
        content=schedule,
        actor=actor_of(principal),
    )
    await repository.attach(
        policy=policy.id, pledge_application=application.id, document=stored.id, by=principal.user_id
    )
    await record(
        actor=actor_of(principal),
        action="finance.insurance_guarantee_attached",
        entity_type="insurance_policy",
        entity_id=policy.id,
        org_id=principal.org_id,
        after={"pledge_application": application.id, "document": stored.id, "sha256": stored.sha256},
    )
    message = Msg("insurance_claim.notice.guarantee_attached", {"number": policy.number})
    await _notify_org(application.bank, policy.id, f"guarantee-{application.id}", message)
    return await guarantee(policy_id=policy.id)


async def guarantee(*, policy_id: int) -> GuaranteeOut:
    found = await repository.guarantee_of_policy(policy_id)
    if found is None:
        raise NotFound(Msg("insurance_claim.guarantee_not_found"))
    return GuaranteeOut(
        id=found.id,
        policy_id=found.policy,
        pledge_application_id=found.pledge_application,
        document_id=found.document,
        attached_at=found.attached_at,
    )


guarantee_of_application = repository.guarantee_of_application
guarantee_of_policy = repository.guarantee_of_policy


@dataclass(frozen=True)
class GuaranteeLoss:
    outstanding: Money
    loss_share_bp: int
    share: Money


def loss_share(outstanding: Money, loss_share_bp: int) -> GuaranteeLoss:
    """The insurer's share of the lender's loss: outstanding principal × the product's share, rounded down."""
    return GuaranteeLoss(
        outstanding, loss_share_bp, Money(outstanding.currency, outstanding.minor * loss_share_bp // 10_000)
    )


async def open_guarantee_claim(*, loan_id: int) -> ClaimRecord | None:
    """``servicing.defaulted``: the lender's claim on the guarantee policy attached to the loan's pledge
    application, for the outstanding principal × the product's loss share. Once per loan (the unique ``loan``)."""
    existing = await repository.for_loan(loan_id)
    if existing is not None:
        return existing
    loan = await servicing.loan_by_id(loan_id)
    if loan is None:
        return None
    registration = await registrations.registration_by_id(loan.registration)
    if registration is None:
        return None
    attached = await repository.guarantee_of_application(registration.application)
    if attached is None:
        return None
    policy = await _policy(attached.policy)
    if policy is None or policy.starts_on is None:
        return None
    product = await products.version(policy.product_version)
    outstanding = await servicing.outstanding(loan.id)
    assert outstanding is not None
    loss = loss_share(outstanding, product.loss_share_bp)
    defaulted = loan.defaulted_on or today()
    claim_id = await repository.create(
        {
            "policy": policy.id,
            "insured": loan.lender,
            "insurer": policy.insurer,
            "kind": policy.kind,
            "counterparty": "",
            "forum": "",
            "event_on": defaulted,
            "first_claim_on": defaulted,
            "description": "",
            "currency": loss.share.currency,
            "claimed_minor": loss.share.minor,
            "loan": loan.id,
            "pledge_application": registration.application,
        }
    )
    await repository.add_cost(
        {
            "claim": claim_id,
            "kind": "loan_loss",
            "amount_minor": loss.share.minor,
            "currency": loss.share.currency,
            "incurred_on": defaulted,
            "description": "",
            "invoice_number": registration.reference,
        }
    )
    case = await _open(claim_id, policy, applicant=loan.lender, actor=Actor.system(), amount_minor=loss.share.minor)
    await desk.decide(
        case_id=case.id,
        kind="guarantee_loss",
        outcome="computed",
        actor=Actor.system(),
        role="system",
        snapshot={
            "loan": loan.id,
            "registration": registration.id,
            "pledge_application": registration.application,
            "defaulted_on": defaulted.isoformat(),
            "outstanding_minor": loss.outstanding.minor,
            "loss_share_bp": loss.loss_share_bp,
            "share_minor": loss.share.minor,
            "product_version": policy.product_version,
        },
        amount=loss.share,
    )
    message = Msg("insurance_claim.notice.guarantee_opened", {"reference": case.reference, "amount": loss.share})
    await _notify_org(loan.lender, claim_id, "guarantee-opened", message)
    return await repository.get(claim_id)


# ------------------------------------------------------------------------------------------------ the book


async def claims_by_state(insurer_org: int) -> dict[str, int]:
    """The insurer's claims counted by state (every state, zero included), for its book."""
    found = await repository.for_insurer(insurer_org, limit=100_000)
    cases = {case.id: case for case in await desk.cases_by_id([c.case for c in found if c.case is not None])}
    counts = dict.fromkeys(STATES, 0)
    for c in found:
        case = cases.get(c.case) if c.case is not None else None
        if case is not None:
            counts[case.state] = counts.get(case.state, 0) + 1
    return counts


async def paid_total(insurer_org: int) -> Money:
    """What the insurer has paid on claims: the sum of its payment entries."""
    return Money("CNY", await repository.paid_by_insurer(insurer_org))


# ------------------------------------------------------------------------------------------------ reading


async def _notify_org(org_id: int, subject: int, event: str, message: Msg) -> None:
    await notify_members(
        org_id=org_id, kind="insurance_claim", message=message, dedupe_key=f"insurance_claim:{subject}:{event}"
    )


def reason_out(r: Reason) -> ReasonOut:
    return ReasonOut(
        code=r.code,
        source=r.source,
        field=r.field,
        message=MsgOut.of(r.msg),
        source_text=MsgOut.of(Msg(r.source)),
    )


def _reasons_json(items: Sequence[Mapping[str, Any]]) -> list[ReasonOut]:
    return [reason_out(Reason.from_json(r)) for r in items if str(r.get("code", "")) in REGISTRY]


def _decision_out(d: DecisionRecord) -> DecisionOut:
    return DecisionOut(
        id=d.id,
        kind=d.kind,
        outcome=d.outcome,
        role=d.role,
        decided_at=d.decided_at,
        reasons=[reason_out(r) for r in d.reasons],
        text=d.text,
        amount_minor=d.amount_minor,
    )


def _events(principal: Principal, found: ClaimRecord, state: str) -> list[str]:
    if principal.org_id == found.insurer:
        return list(INSURER_EVENTS.get(state, ()))
    if principal.org_id == found.insured:
        allowed = INSURED_EVENTS.get(state, ())
        if found.kind != "enforcement" or found.acceptance_number:
            allowed = tuple(e for e in allowed if e != "acceptance")
        if found.loan is not None:
            allowed = tuple(e for e in allowed if e in ("resubmit",))
        return list(allowed)
    return []


async def claim_out(principal: Principal, found: ClaimRecord, lang: str = "zh") -> ClaimOut:
    case = await _case(found)
    policy = await _policy(found.policy)
    costs = await repository.costs_of(found.id)
    payment = await repository.payment_of(found.id)
    insured = await org_service.org_by_id(found.insured)
    insurer = await org_service.org_by_id(found.insurer)
    patent = await patents.patent_by_id(found.patent) if found.patent is not None else None
    coverage: list[ReasonOut] = []
    per_cost: dict[int, list[ReasonOut]] = {}
    used = Money(found.currency, 0)
    if policy is not None and _in_force_or_was(policy):
        used = await aggregate_used(policy, excluding_claim=found.id)
        if case.state not in FINAL:
            live = await assessment_of(found, policy)
            coverage = [reason_out(r) for r in live.coverage]
            for line in live.lines:
                if line.cost_id is not None and line.reasons:
                    per_cost[line.cost_id] = [reason_out(r) for r in line.reasons]
    lines = [
        LineOut(
            key=str(line["key"]),
            label=MsgOut.of(_line_label(line)),
            amount_minor=int(line["amount"]["minor"]),
            cost_id=line.get("cost_id"),
            reasons=_reasons_json(line.get("reasons") or []),
        )
        for line in (found.assessment.get("lines") or [])
    ]
    found_letters = await letters.letters_of_case(case.id)
    return ClaimOut(
        id=found.id,
        case_id=found.case,
        reference=case.reference,
        state=case.state,
        version=case.version,
        policy_id=found.policy,
        policy_number=policy.number if policy else "",
        kind=found.kind,
        insured_org_id=found.insured,
        insured_name=insured.name if insured else "",
        insurer_org_id=found.insurer,
        insurer_name=insurer.name if insurer else "",
        patent_id=found.patent,
        patent_number=patent.number if patent else "",
        counterparty=found.counterparty,
        forum=found.forum,
        event_on=found.event_on,
        first_claim_on=found.first_claim_on,
        first_known_on=found.first_known_on,
        description=found.description,
        acceptance_number=found.acceptance_number,
        accepted_on=found.accepted_on,
        currency=found.currency,
        claimed_minor=found.claimed_minor,
        loan_id=found.loan,
        pledge_application_id=found.pledge_application,
        per_claim_limit_minor=policy.per_claim_limit_minor if policy else 0,
        aggregate_limit_minor=policy.aggregate_limit_minor if policy else 0,
        aggregate_used_minor=used.minor,
        deductible_minor=policy.deductible_minor if policy else 0,
        starts_on=policy.starts_on if policy else None,
        ends_on=policy.ends_on if policy else None,
        retroactive_date=policy.retroactive_date if policy else None,
        costs=[_cost_out(c, per_cost.get(c.id, [])) for c in costs],
        costs_total_minor=sum(c.amount_minor for c in costs),
        assessment=lines,
        assessed_minor=found.assessed_minor,
        paid_minor=payment.amount_minor if payment else None,
        paid_on=payment.paid_on if payment else None,
        payment_reference=payment.reference if payment else "",
        coverage=coverage,
        denial_reasons=_reasons_json(found.denial_reasons),
        events=_events(principal, found, case.state),
        decisions=[_decision_out(d) for d in await desk.decisions(case.id)],
        letters=[
            LetterOut(
                id=x.id,
                decision=x.decision,
                sha256=x.sha256,
                text=x.text(lang),
                url=f"/api/dossiers/documents/{x.document}/content",
            )
            for x in found_letters
        ],
        created_at=found.created_at,
        due_on=case.due_on,
    )


def _line_label(line: Mapping[str, Any]) -> Msg:
    """A stored assessment line's words again, from the code and typed parameters kept with it."""
    return message_from_json(str(line["label"]), line.get("params") or {})


def _cost_out(c: CostRecord, reasons: list[ReasonOut]) -> CostOut:
    return CostOut(
        id=c.id,
        kind=c.kind,
        kind_text=MsgOut.of(Msg(f"insurance_claim.cost_kind.{c.kind}")),
        amount_minor=c.amount_minor,
        currency=c.currency,
        incurred_on=c.incurred_on,
        invoice_number=c.invoice_number,
        description=c.description,
        document_id=c.document,
        sha256=c.sha256,
        invoice_url=f"/api/dossiers/documents/{c.document}/content" if c.document else None,
        pre_approved=c.pre_approved,
        pre_approved_at=c.pre_approved_at,
        reasons=reasons,
    )


async def get(*, principal: Principal, claim_id: int, lang: str = "zh") -> ClaimOut:
    return await claim_out(principal, await _visible(principal, claim_id), lang)


async def list_mine(*, principal: Principal, lang: str = "zh") -> list[ClaimOut]:
    """The insured's claims (a bank: its guarantee claims); an insurer's claims."""
    rows = await repository.for_insured(principal.org_id)
    if principal.org_kind.value == "insurer":
        rows = await repository.for_insurer(principal.org_id)
    return [await claim_out(principal, r, lang) for r in rows]


async def for_policy(*, principal: Principal, policy_id: int, lang: str = "zh") -> list[ClaimOut]:
    rows = [r for r in await repository.for_policy(policy_id) if principal.org_id in (r.insured, r.insurer)]
    return [await claim_out(principal, r, lang) for r in rows]
