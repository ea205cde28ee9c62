"""Voucher claims: filing with the four documents, the reimbursed mode, and the issuer's review on the desk (kind
``voucher_claim``): approval captures the hold, refusal releases it.

- **Filing.** The provider files (provider-redeems programmes) once the licence's remainder is paid (its contract
  and the proof of co-pay attached by the platform; the invoice and the deliverable uploaded) or the service was
  accepted (the deliverable from delivery; contract, invoice and proof of co-pay uploaded). Every document is checked
  by its bytes before anything is written; one missing is a 422 naming each. The redemption moves to ``claimed`` and
  a desk case opens (SLA in working days, reviewer: the programme's issuer).
- **Reimbursed mode (通用).** The SME paid the provider in full and files itself: the same checks as a hold, the
  hold, and the claim with its four documents in one request; approval pays the SME (the payee in the settlement).
- **Review.** More information pauses the SLA; approval re-runs the integrity checks (the provider still listed
  today, related parties, the voucher's programme, the entitlement not revoked: an expiry after the hold does not
  void a use made in time), then captures the hold (all, or less: the rest released) and the caps; above the
  programme's four-eyes threshold it is a maker's proposal another member approves. Refusal carries coded reasons
  and a decision letter, and releases the hold. A licence whose voucher share is refused stays active (it was
  paid for and granted); the licensee owes the university that share directly, and both are told so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from finance.contracts import service as contracts
from finance.desk import service as desk
from finance.desk.reasons import Reason, reason
from finance.desk.records import CaseRecord, DecisionRecord
from finance.dossiers import service as dossiers
from finance.dossiers.checklist import Requirement
from finance.letters import service as letters
from finance.licences import service as licences
from finance.payments import service as payments
from finance.voucher_entitlements import service as entitlements
from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.records import ProgrammeTerms
from finance.voucher_redemptions import repository, rules, service
from finance.voucher_redemptions.machine import KIND, REFERENCE_PREFIX, ClaimMachine
from finance.voucher_redemptions.records import RedemptionRecord, Upload
from finance.voucher_redemptions.schemas import (
    ApproveIn,
    CheckIn,
    DecisionOut,
    DocumentOut,
    MoneyOut,
    MoreInfoIn,
    RedemptionOut,
    RefuseIn,
    ReimburseIn,
    RequirementOut,
    VersionIn,
)
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.integrations.pdf import render_document_in_thread
from market.kit.message_json import params_from_json
from market.kit.money import Money
from market.kit.words import MsgOut
from market.notifications.service import notify_members
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

SLA_WORKING_DAYS = 20
COPAY_PROOF = Path(__file__).resolve().parents[1] / "documents" / "voucher_copay_proof"

CLAIMANT_EVENTS = {"more_info": ("resubmit",)}
ISSUER_EVENTS = {
    "submitted": ("start_review", "request_info", "refuse"),
    "in_review": ("request_info", "approve", "refuse"),
    "more_info": ("refuse",),
    "proposed": ("check", "send_back"),
}


async def automatic_codes(found: RedemptionRecord) -> tuple[str, ...]:
    """The documents the platform attaches itself: a licence's contract (once rendered) and proof of co-pay; a
    service's deliverable stored at delivery."""
    if found.source == "licence":
        stored = found.licence is not None and await contracts.stored_contract(found.licence) is not None
        return (service.CONTRACT, service.COPAY) if stored else (service.COPAY,)
    if found.source == "service" and await repository.deliverable_of(found.id) is not None:
        return (service.DELIVERABLE,)
    return ()


async def _checklist_of_case(found: CaseRecord) -> list[Requirement]:
    redemption = await repository.by_case(found.id)
    if redemption is None:
        return service.checklist()
    return service.checklist(await _documents_required(redemption))


async def _documents_required(found: RedemptionRecord) -> tuple[str, ...]:
    terms = await programmes.version(found.programme, found.programme_version)
    return tuple(terms.documents) or service.DOCUMENT_CODES


dossiers.register_checklist(KIND, _checklist_of_case)
desk.register_case_page(KIND, "/issuer/voucher-claims/{subject}")


def _check_uploads(required: Sequence[Requirement], given: Mapping[str, Upload | None]) -> None:
    """Every required upload present and of an accepted type (read from the bytes): else a 422 naming each
    document, before anything is written."""
    errors: list[FieldError] = []
    for req in required:
        doc = given.get(req.code)
        if doc is None or not doc.content:
            missing = Msg("voucher_redemption.document_missing", {"document": req.label})
            errors.append(FieldError(req.code, missing, code="voucher_redemption.document_missing",
                                     article=rules.DOCUMENTS))  # fmt: skip
            continue
        try:
            dossiers.check_document(req, doc.content, doc.issued_on, on=service.today(), limit=dossiers.max_bytes())
        except ValidationFailed as exc:
            errors.extend(FieldError(req.code, e.message, code=e.code, article=e.article) for e in exc.errors)
    if errors:
        raise ValidationFailed(Msg("voucher_redemption.documents_incomplete", {"count": len(errors)}), errors=errors)


async def _copay_proof(found: RedemptionRecord) -> dict[str, Any]:
    """The succeeded payment of the licence's remainder, as ``finance.payments`` recorded it (or a 409: not paid)."""
    assert found.licence is not None
    licence = await licences.licence_by_id(found.licence)
    paid = [p for p in await payments.payments_of_licence(found.licence)
            if p.purpose == "initial" and p.status == "succeeded"]  # fmt: skip
    if licence is None or licence.status != "active" or not paid:
        raise Conflict(Msg("voucher_redemption.licence_not_paid"))
    p = paid[0]
    return {"payment_id": p.id, "amount_minor": p.amount_minor, "currency": p.currency, "method": p.method,
            "reference": p.reference or p.provider_id, "succeeded_at": p.succeeded_at.isoformat() if p.succeeded_at
            else "", "licence_number": licence.number, "amount_due_minor": licence.amount_due_minor,
            "voucher_cover_minor": licence.voucher_cover_minor}  # fmt: skip


async def copay_context(found: RedemptionRecord, proof: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values for the proof of co-payment document."""
    sme = await org_service.org_by_id(found.sme)
    provider = await org_service.org_by_id(found.provider)
    cur = str(proof["currency"])
    return {"proof": {
        "licence_number": str(proof["licence_number"]), "payer": sme.name if sme else "",
        "payee": provider.name if provider else "",
        "amount_due": {"minor": int(proof["amount_due_minor"]), "currency": cur},
        "voucher": {"minor": int(proof["voucher_cover_minor"]), "currency": cur},
        "paid": {"minor": int(proof["amount_minor"]), "currency": cur}, "method": str(proof["method"]),
        "reference": str(proof["reference"]), "paid_at": str(proof["succeeded_at"])[:16].replace("T", " ") + " UTC",
        "payment_id": int(proof["payment_id"]),
    }}  # fmt: skip


async def file_claim(
    *, principal: Principal, redemption_id: int, expected_version: int | None, documents: Mapping[str, Upload | None]
) -> RedemptionRecord:
    """The provider files the claim of a licence whose remainder is paid, or of an accepted service."""
    found = await service.of_provider(principal, redemption_id)
    service.expect_version(found, expected_version)
    if found.source == "licence":
        if found.status != "held":
            raise Conflict(Msg("voucher_redemption.not_claimable"))
        copay = await _copay_proof(found)
    elif found.source == "service":
        if found.status != "accepted":
            raise Conflict(Msg("voucher_redemption.not_claimable"))
        copay = {}
    else:
        raise Conflict(Msg("voucher_redemption.not_claimable"))
    return await _file(found, principal, documents, copay=copay)


async def _file(
    found: RedemptionRecord, principal: Principal, documents: Mapping[str, Upload | None], *, copay: dict[str, Any]
) -> RedemptionRecord:
    actor = service.actor_of(principal)
    wanted = service.checklist(await _documents_required(found))
    automatic = await automatic_codes(found)
    _check_uploads([r for r in wanted if r.code not in automatic], documents)
    case = await desk.open_case(
        kind=KIND, subject=found.id, reviewer_org=found.issuer, applicant_org=principal.org_id, amount=found.voucher,
        machine=ClaimMachine, reference_prefix=REFERENCE_PREFIX, sla_working_days=SLA_WORKING_DAYS, actor=actor,
    )  # fmt: skip
    claimed = await service.move(found, "file", actor, case=case.id, reference=case.reference,
                                 claimed_at=service.now(), copay=copay)
    for req in wanted:
        doc = documents.get(req.code)
        if req.code in automatic:
            await _attach(claimed, req, case.id, actor, copay)
        elif doc is not None:
            await dossiers.upload(case_id=case.id, requirement=req, filename=doc.filename,
                                  content_type=doc.content_type, content=doc.content, issued_on=doc.issued_on,
                                  actor=actor)  # fmt: skip
    await desk.decide(case_id=case.id, kind="filing", outcome="filed", actor=actor, role="applicant",
                      snapshot=_snapshot(claimed), amount=claimed.voucher)  # fmt: skip
    await _emit("filed", claimed, case)
    await _notify(claimed.issuer, claimed, "filed", Msg("voucher_redemption.notice.filed",
                                                        {"reference": case.reference}))  # fmt: skip
    return claimed


async def _attach(
    found: RedemptionRecord, req: Requirement, case_id: int, actor: Actor, copay: Mapping[str, Any]
) -> None:
    if req.code == service.CONTRACT and found.licence is not None:
        stored = await contracts.stored_contract(found.licence)
        if stored is not None:
            await dossiers.issue(case_id=case_id, requirement=req, filename=stored[0], content=stored[1], actor=actor)
    elif req.code == service.COPAY:
        rendered = await render_document_in_thread(COPAY_PROOF, await copay_context(found, copay))
        await dossiers.issue(case_id=case_id, requirement=req, filename=f"copay-{found.id}.pdf", content=rendered.pdf,
                             actor=actor)  # fmt: skip
    elif req.code == service.DELIVERABLE:
        stored_file = await repository.deliverable_content(found.id)
        if stored_file is not None:
            await dossiers.upload(case_id=case_id, requirement=req, filename=stored_file.record.filename,
                                  content_type=stored_file.record.content_type, content=stored_file.content,
                                  issued_on=None, actor=actor)  # fmt: skip


def _snapshot(found: RedemptionRecord) -> dict[str, Any]:
    return {"redemption": found.id, "source": found.source, "programme": found.programme,
            "programme_version": found.programme_version, "entitlement": found.entitlement, "hold": found.hold,
            "provider": found.provider, "sme": found.sme, "payee": found.payee, "category": found.category,
            "price_minor": found.price_minor, "voucher_minor": found.voucher_minor, "share_bp": found.share_bp,
            "licence": found.licence, "service": found.service, "lines": list(found.lines),
            "copay": dict(found.copay), "period_key": found.period_key}  # fmt: skip


async def claim_reimbursement(
    *, principal: Principal, data: ReimburseIn, documents: Mapping[str, Upload | None]
) -> RedemptionRecord:
    """The SME's own claim in an enterprise-reimbursed programme (通用): it paid the listed provider's catalogued
    service in full; the voucher's part is held and claimed at once, with the four documents."""
    org_service.require_approved(principal)
    if principal.org_kind is not OrgKind.sme:
        raise Forbidden(Msg("voucher_redemption.sme_only"))
    item = await service.catalogued(data.service_id)
    price = Money(item.currency, item.price_minor * data.quantity)
    spend = await service.check_spend(sme=principal.org_id, entitlement_id=data.entitlement_id,
                                      programme_id=item.programme, provider=item.org, category=item.category,
                                      price=price, amount_minor=data.amount_minor, mode=service.REIMBURSED,
                                      at=service.now())  # fmt: skip
    terms = spend.terms
    _check_uploads(service.checklist(tuple(terms.documents) or service.DOCUMENT_CODES), documents)
    title = item.title_zh if data.quantity == 1 else f"{item.title_zh} × {data.quantity}"
    redemption_id = await repository.insert(service.new_values(
        spend, source="reimbursed", status="held", payee=principal.org_id, hold_ref="", title=title,
        created_by=principal.user_id, service=item.id,
    ))  # fmt: skip
    made = await repository.get(redemption_id)
    assert made is not None
    if not await repository.set_fields(redemption_id, version=made.version,
                                       values={"hold_ref": f"reimbursed:{redemption_id}"}, at=service.now()):
        raise Conflict(Msg("voucher_redemption.changed_meanwhile"))
    made = await repository.get(redemption_id)
    assert made is not None
    held = await service.place_hold(made, spend, service.actor_of(principal))
    return await _file(held, principal, documents, copay={"paid_in_full": True, "price_minor": price.minor})


# ------------------------------------------------------------------------------------------------ the desk


async def _of_issuer(principal: Principal, redemption_id: int) -> RedemptionRecord:
    if principal.org_kind is not OrgKind.voucher_issuer:
        raise Forbidden(Msg("voucher_redemption.issuer_only"))
    found = await repository.get(redemption_id)
    if found is None or found.issuer != principal.org_id or found.case is None:
        raise service.not_found()
    return found


async def case_of(found: RedemptionRecord) -> CaseRecord:
    assert found.case is not None
    case = await desk.case(found.case)
    assert case is not None, "a claimed redemption has its desk case"
    return case


async def _case_at(found: RedemptionRecord, expected_version: int, *states: str) -> CaseRecord:
    case = await case_of(found)
    if case.version != expected_version or (states and case.state not in states):
        raise Conflict(Msg("desk.stale", {"reference": case.reference}), state=case.state, version=case.version)
    return case


async def _move(found: RedemptionRecord, event: str, expected_version: int, actor: Actor) -> CaseRecord:
    assert found.case is not None
    return await desk.transition(case_id=found.case, event=event, expected_version=expected_version, actor=actor,
                                 machine=ClaimMachine)  # fmt: skip


async def _notify(org_id: int, found: RedemptionRecord, event: str, message: Msg, body: Msg | None = None) -> None:
    await notify_members(org_id=org_id, kind="voucher", message=message, body=body,
                         dedupe_key=f"voucher-claim:{found.id}:{event}")  # fmt: skip


async def _emit(name: str, found: RedemptionRecord, case: CaseRecord, **more: Any) -> None:
    """``voucher.claim_<name>`` with the claim's ids (settlements' webhooks and reports listen)."""
    await events.emit(
        f"voucher.claim_{name}", claim_id=found.id, reference=case.reference, programme_id=found.programme,
        entitlement_id=found.entitlement, hold_id=found.hold, sme_org=found.sme, provider_org=found.provider,
        payee_org=found.payee, issuer_org=found.issuer, source=found.source, category=found.category,
        currency=found.currency, licence_id=found.licence, **more,
    )  # fmt: skip


async def start_review(*, principal: Principal, redemption_id: int, data: VersionIn) -> RedemptionRecord:
    found = await _of_issuer(principal, redemption_id)
    await _move(found, "start_review", data.expected_version, service.actor_of(principal))
    return found


async def request_info(*, principal: Principal, redemption_id: int, data: MoreInfoIn) -> RedemptionRecord:
    found = await _of_issuer(principal, redemption_id)
    case = await _move(found, "request_info", data.expected_version, service.actor_of(principal))
    await desk.decide(case_id=case.id, kind="more_info", outcome="requested", actor=service.actor_of(principal),
                      role="reviewer", text=data.text, snapshot={"text": data.text})  # fmt: skip
    await _notify(case.applicant_org, found, f"more-info-{case.version}",
                  Msg("voucher_redemption.notice.more_info", {"reference": case.reference}),
                  Msg("voucher_redemption.notice.more_info_body", {"text": data.text}))  # fmt: skip
    return found


async def resubmit(*, principal: Principal, redemption_id: int, data: VersionIn) -> RedemptionRecord:
    """The claimant answers a request for more information (new versions of documents through the dossier)."""
    found = await service.visible(principal, redemption_id)
    case = await _case_at(found, data.expected_version, "more_info")
    if principal.org_id != case.applicant_org:
        raise service.not_found()
    completeness = await dossiers.completeness(case.id, await _checklist_of_case(case))
    if completeness.reasons:
        errors = [FieldError(r.field or "file", r.msg, code=r.code) for r in completeness.reasons]
        raise ValidationFailed(Msg("voucher_redemption.documents_incomplete", {"count": len(errors)}), errors=errors)
    await _move(found, "resubmit", data.expected_version, service.actor_of(principal))
    await _notify(found.issuer, found, f"resubmitted-{case.version}",
                  Msg("voucher_redemption.notice.resubmitted", {"reference": case.reference}))  # fmt: skip
    return found


async def recheck(found: RedemptionRecord) -> list[Reason]:
    """The integrity checks again at approval: the voucher's programme, the provider listed today, related parties,
    the entitlement not revoked (an expiry after the hold leaves a use made in time standing)."""
    ent = await entitlements.entitlement(found.entitlement)
    mode = service.REIMBURSED if found.source == "reimbursed" else service.PROVIDER_REDEEMS
    _, reasons = await service.integrity(entitlement=ent, programme_id=found.programme, provider=found.provider,
                                         category=found.category, mode=mode, on=service.today())  # fmt: skip
    if ent.revoked:
        reasons.append(reason(rules.ENTITLEMENT_UNUSABLE, field="entitlement_id"))
    return reasons


def _approval_policy(terms: ProgrammeTerms) -> desk.ApprovalPolicy:
    return desk.ApprovalPolicy(thresholds=tuple(terms.approval_thresholds) or ((0, 1),),
                               refusal_needs_second=terms.refusal_needs_second)  # fmt: skip


async def approve(*, principal: Principal, redemption_id: int, data: ApproveIn) -> RedemptionRecord:
    """Approve the claim: the integrity checks again, then the capture (all of the hold, or ``amount_minor`` of it;
    the rest released). Above the programme's four-eyes threshold this is the maker's proposal."""
    found = await _of_issuer(principal, redemption_id)
    case = await _case_at(found, data.expected_version, "in_review")
    amount = found.voucher_minor if data.amount_minor is None else data.amount_minor
    if amount <= 0 or amount > found.voucher_minor:
        raise service.field_problem("amount_minor", Msg("voucher_redemption.above_held",
                                                        {"amount": Money(found.currency, amount),
                                                         "held": found.voucher}))  # fmt: skip
    reasons = await recheck(found)
    if reasons:
        raise service.refused(reasons)
    terms = await programmes.version(found.programme, found.programme_version)
    actor = service.actor_of(principal)
    money = Money(found.currency, amount)
    snapshot = {**_snapshot(found), "approved_minor": amount}
    if any(amount > above for above, _ in terms.approval_thresholds):
        await desk.propose(case_id=case.id, outcome="approve", actor=actor, role="maker", amount=money,
                           text=data.text, snapshot=snapshot, policy=_approval_policy(terms),
                           expected_version=data.expected_version, machine=ClaimMachine, event="propose")  # fmt: skip
        await _notify(found.issuer, found, f"proposed-{case.version}",
                      Msg("voucher_redemption.notice.proposed", {"reference": case.reference}))  # fmt: skip
        return found
    await _move(found, "approve", data.expected_version, actor)
    await desk.decide(case_id=case.id, kind="voucher", outcome="approved", actor=actor, role="reviewer",
                      text=data.text, snapshot=snapshot, amount=money)  # fmt: skip
    return await _capture(found, amount, actor)


async def _capture(found: RedemptionRecord, amount: int, actor: Actor) -> RedemptionRecord:
    assert found.hold is not None
    await entitlements.capture(hold_id=found.hold, amount_minor=amount, actor=actor)
    await service.capture_caps(found, amount)
    captured = await service.move(found, "capture", actor, captured_minor=amount, captured_at=service.now())
    case = await case_of(captured)
    await _emit("captured", captured, case, amount_minor=amount)
    message = Msg("voucher_redemption.notice.captured", {"reference": case.reference,
                                                         "amount": Money(found.currency, amount)})  # fmt: skip
    for org in dict.fromkeys((found.payee, found.provider, found.sme)):
        await _notify(org, captured, "captured", message)
    await service.check_share(captured)
    return captured


async def check(*, principal: Principal, redemption_id: int, data: CheckIn) -> RedemptionRecord:
    """A checker's approval of the maker's proposal (never the maker's own: 403). Complete: captured (after the
    integrity checks again), or refused with its letter."""
    found = await _of_issuer(principal, redemption_id)
    case = await _case_at(found, data.expected_version, "proposed")
    proposal = await desk.decision(data.proposal_id)
    if proposal is None or proposal.case != case.id or proposal.kind != "proposal":
        missing = Msg("voucher_redemption.proposal_not_found")
        raise NotFound(missing, errors=[FieldError("proposal_id", missing, code=missing.code)])
    event = "refuse" if proposal.outcome == "refuse" else "approve"
    if event == "approve":
        reasons = await recheck(found)
        if reasons:
            raise service.refused(reasons)
    actor = service.actor_of(principal)
    _, complete = await desk.approve(proposal_id=proposal.id, actor=actor, role="checker", text=data.text,
                                     expected_version=data.expected_version, machine=ClaimMachine,
                                     event=event)  # fmt: skip
    if complete and event == "approve":
        return await _capture(found, proposal.amount_minor or found.voucher_minor, actor)
    if complete:
        return await _refuse(found, await case_of(found), list(proposal.reasons), proposal.text, actor)
    return found


async def send_back(*, principal: Principal, redemption_id: int, data: VersionIn) -> RedemptionRecord:
    found = await _of_issuer(principal, redemption_id)
    await _move(found, "send_back", data.expected_version, service.actor_of(principal))
    return found


def _reasons_of(codes: Sequence[str]) -> list[Reason]:
    unknown = [c for c in codes if c not in rules.REFUSAL_CODES]
    if unknown:
        raise service.field_problem("reasons", Msg("voucher_redemption.refusal_reason_unknown",
                                                   {"code": ", ".join(unknown)}), "unknown")  # fmt: skip
    return [reason(c) for c in codes]


async def refuse(*, principal: Principal, redemption_id: int, data: RefuseIn) -> RedemptionRecord:
    """Refuse with coded reasons and a decision letter; the hold released. Where the programme says a refusal needs
    a second member, a refusal proposal (from review) another member's approval completes."""
    found = await _of_issuer(principal, redemption_id)
    reasons = _reasons_of(data.reasons)
    case = await _case_at(found, data.expected_version, "submitted", "in_review", "more_info")
    terms = await programmes.version(found.programme, found.programme_version)
    actor = service.actor_of(principal)
    if terms.refusal_needs_second:
        if case.state != "in_review":
            raise Conflict(Msg("voucher_redemption.refusal_needs_review"), state=case.state)
        await desk.propose(case_id=case.id, outcome="refuse", actor=actor, role="maker", amount=found.voucher,
                           reasons=reasons, text=data.text, snapshot={"reasons": list(data.reasons)},
                           policy=_approval_policy(terms), expected_version=data.expected_version,
                           machine=ClaimMachine, event="propose")  # fmt: skip
        return found
    moved = await _move(found, "refuse", data.expected_version, actor)
    return await _refuse(found, moved, reasons, data.text, actor)


async def _refuse(
    found: RedemptionRecord, case: CaseRecord, reasons: Sequence[Reason], text: str, actor: Actor
) -> RedemptionRecord:
    decision = await desk.decide(case_id=case.id, kind="refusal", outcome="refused", actor=actor, role="reviewer",
                                 reasons=reasons, text=text, snapshot=_snapshot(found))  # fmt: skip
    letter = await letters.render_letter(
        decision, case,
        what_to_fix=[Msg(f"voucher_redemption.fix.{r.code.rsplit('.', 1)[-1]}") for r in reasons],
        how_to_reapply=Msg("voucher_redemption.how_to_reapply"),
    )  # fmt: skip
    await service.release_hold(found, actor)
    refused = await service.move(found, "refuse", actor, refusal=[r.code for r in reasons])
    await record(actor=actor, action="finance.voucher_claim_refused", entity_type="voucher_redemption",
                 entity_id=found.id, org_id=found.issuer,
                 after={"reference": case.reference, "reasons": [r.code for r in reasons], "letter": letter.sha256})
    await _emit("refused", refused, case, reasons=[r.code for r in reasons])
    notice = "voucher_redemption.notice.refused_licence" if found.source == "licence" else (
        "voucher_redemption.notice.refused")  # fmt: skip
    message = Msg(notice, {"reference": case.reference, "amount": found.voucher, "title": found.title})
    for org in dict.fromkeys((found.provider, found.sme)):
        await _notify(org, refused, "refused", message)
    return refused


# ------------------------------------------------------------------------------------------------ reading


def claim_events(principal: Principal, found: RedemptionRecord, case: CaseRecord | None) -> list[str]:
    """What the principal may do now: on the order (confirm, deliver, accept, file, cancel) or on the claim."""
    if case is not None:
        if principal.org_id == found.issuer:
            return list(ISSUER_EVENTS.get(case.state, ()))
        if principal.org_id == case.applicant_org:
            return list(CLAIMANT_EVENTS.get(case.state, ()))
        return []
    out: list[str] = []
    provider, sme = principal.org_id == found.provider, principal.org_id == found.sme
    if found.status == "ordered":
        out += ["confirm", "decline"] if provider else []
        out += ["cancel"] if sme else []
    elif found.status == "held":
        if found.source == "service":
            out += ["deliver", "cancel"] if provider else ["cancel"] if sme else []
        elif found.source == "licence" and provider:
            out.append("file")
    elif found.status == "delivered":
        out += ["accept", "cancel"] if sme else ["cancel"] if provider else []
    elif found.status == "accepted" and provider:
        out.append("file")
    return out



def _money(value: Money) -> MoneyOut:
    return MoneyOut(minor=value.minor, currency=value.currency)


def _decision_out(d: DecisionRecord) -> DecisionOut:
    return DecisionOut(id=d.id, kind=d.kind, outcome=d.outcome, decided_by=d.decided_by, role=d.role,
                       decided_at=d.decided_at, reasons=[MsgOut.of(r.msg) for r in d.reasons], text=d.text,
                       amount_minor=d.amount_minor, proposal_id=d.proposal)  # fmt: skip


async def redemption_out(principal: Principal, found: RedemptionRecord) -> RedemptionOut:
    """A redemption as its SME, provider or issuer sees it, with its claim on the desk once filed."""
    case = await case_of(found) if found.case is not None else None
    prog = await programmes.programme(found.programme)
    names = {o: (org.name if org else "") for o in (found.sme, found.provider)
             for org in [await org_service.org_by_id(o)]}  # fmt: skip
    deliverable = await repository.deliverable_of(found.id)
    required = await _documents_required(found)
    automatic = await automatic_codes(found)
    made = await desk.decisions(case.id) if case is not None else []
    pending = None
    if case is not None and case.state == "proposed":
        proposals = [d for d in made if d.kind == "proposal"]
        pending = proposals[-1].id if proposals else None
    cur = found.currency
    return RedemptionOut(
        id=found.id, source=found.source, status=found.status, version=found.version, programme_id=found.programme,
        programme_version=found.programme_version, programme_name=prog.name_zh, entitlement_id=found.entitlement,
        programme_name_en=prog.name_en or "",
        hold_id=found.hold, hold_ref=found.hold_ref, sme_org_id=found.sme, sme_name=names[found.sme],
        provider_org_id=found.provider, provider_name=names[found.provider], payee_org_id=found.payee,
        issuer_org_id=found.issuer, category=found.category, licence_id=found.licence, service_id=found.service,
        title=found.title, price=_money(found.price), share_bp=found.share_bp, voucher=_money(found.voucher),
        copay=_money(Money(cur, found.copay_minor)),
        captured=_money(Money(cur, found.captured_minor)) if found.captured_minor is not None else None,
        lines=[MsgOut.of(m) for m in _lines_of(found.lines)], period_key=found.period_key,
        deliverable_sha256=deliverable.sha256 if deliverable else None, copay_proof=dict(found.copay),
        case_id=found.case, reference=case.reference if case else None, claim_state=case.state if case else None,
        claim_version=case.version if case else None, due_on=case.due_on if case else None,
        events=claim_events(principal, found, case),
        requirements=[RequirementOut(code=r.code, label=MsgOut.of(r.label), required=r.required,
                                     automatic=r.code in automatic) for r in service.checklist(required)],
        documents=[DocumentOut.model_validate(d) for d in await dossiers.documents(case.id)] if case else [],
        decisions=[_decision_out(d) for d in made], pending_proposal_id=pending, settled_batch=found.settled_batch,
        created_at=found.created_at, held_at=found.held_at, claimed_at=found.claimed_at,
        captured_at=found.captured_at,
    )  # fmt: skip


def _lines_of(stored: Sequence[Any]) -> list[Msg]:
    return [Msg(str(m["code"]), params_from_json(m.get("params") or {})) for m in stored]


async def get(*, principal: Principal, redemption_id: int) -> RedemptionOut:
    return await redemption_out(principal, await service.visible(principal, redemption_id))


async def listed(*, principal: Principal, claims_only: bool = False) -> list[RedemptionOut]:
    rows = await service.of_org(principal=principal)
    if claims_only:
        rows = [r for r in rows if r.case is not None]
    return [await redemption_out(principal, r) for r in rows]


async def document_content(*, principal: Principal, redemption_id: int, document_id: int) -> tuple[Any, bytes]:
    found = await service.visible(principal, redemption_id)
    if found.case is not None:
        for document in await dossiers.documents(found.case):
            if document.id == document_id:
                return document, await dossiers.content(document_id)
    raise NotFound(Msg("voucher_redemption.document_not_found"))
