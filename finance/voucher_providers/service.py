"""A voucher programme's catalogue: providers' applications and listings, objections, catalogued services.

- An organisation of kind ``service_provider`` or ``university`` applies to an open programme with its evidence
  (a desk case of kind "voucher_provider" reviewed by the programme's issuer; dossier checklist: qualification
  evidence such as the business licence, and a service capability statement). The issuer approves: the **public
  notice** starts (the programme's ``notice_days``, 7 by default: Shanghai's) and anyone signed in may object
  (words, audited). When the notice ends with no objection open or upheld, the provider is listed (the daily job
  moves the case; ``listed_provider`` already counts it listed from that day, at the moment of use). An upheld
  objection refuses the application. The issuer may suspend, reinstate and delist with coded reasons (collusion or
  a fabricated contract: delisted, the record kept and the organisation cannot apply to the programme again).
- ``listed_provider(programme, org, on=day)`` says whether the organisation is listed that day (suspended,
  delisted, in notice or refused: None): what redemption checks at hold and at approval.
- Catalogued services: a listed provider publishes services in the programme's categories with a price. A service
  is never edited: a change writes a new row that supersedes it, so an order keeps the service and the price it
  read (``service(id)``). A listed university's open licences (published declarations in ``listings``) are
  catalogued automatically in ``tech_results`` at the licence's lump sum or entry fee, kept in step when a
  declaration changes (the ``declaration.changed`` event) and by the daily job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from finance.desk import service as desk
from finance.desk.reasons import Reason, ReasonCode, Severity, reason, register
from finance.desk.records import CaseRecord
from finance.dossiers import service as dossiers
from finance.dossiers.checklist import JPEG, OFD, PDF, PNG, Requirement
from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.records import ProgrammeRecord
from finance.voucher_providers import repository
from finance.voucher_providers.machine import FINAL, KIND, REFERENCE_PREFIX, VoucherProviderMachine
from finance.voucher_providers.records import ObjectionRecord, ProviderRecord, ServiceRecord, Upload
from finance.voucher_providers.schemas import (
    ApplyIn,
    DecisionOut,
    DocumentOut,
    MoneyOut,
    MoreInfoIn,
    MoveIn,
    ObjectionDecisionIn,
    ObjectionIn,
    ObjectionOut,
    ProviderOut,
    ReasonedIn,
    ServiceIn,
    ServiceOut,
    ServiceReviseIn,
)
from listings.declarations import service as declarations
from listings.patents import service as patents
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.money import Money
from market.kit.words import MsgOut
from market.notifications.service import notify_members
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

PROVIDER_KINDS = (OrgKind.service_provider, OrgKind.university)
PUBLIC_STATES = ("notice", "listed", "suspended")  # on public notice or on the catalogue: anyone signed in sees it
SLA_WORKING_DAYS = 15
EVIDENCE = "qualification_evidence"
STATEMENT = "capability_statement"
EVIDENCE_TYPES = (PDF, PNG, JPEG, OFD)
TERMS = programmes.TERMS
NOTICE = "law.voucher_programme.public_notice"
COLLUSION = "law.voucher_programme.collusion"

REFUSAL_CODES = (
    "voucher_provider.refusal.evidence_insufficient",
    "voucher_provider.refusal.not_qualified",
    "voucher_provider.refusal.category_not_offered",
)
SUSPENSION_CODES = (
    "voucher_provider.suspension.complaints",
    "voucher_provider.suspension.evidence_expired",
    "voucher_provider.suspension.under_investigation",
)
DELISTING_CODES = (
    "voucher_provider.delisting.collusion",
    "voucher_provider.delisting.fabricated_contract",
    "voucher_provider.delisting.provider_request",
    "voucher_provider.delisting.no_longer_qualified",
)
REINSTATEMENT_CODES = ("voucher_provider.reinstatement.resolved",)
register(
    ReasonCode("voucher_provider.refusal.evidence_insufficient", TERMS, Severity.block),
    ReasonCode("voucher_provider.refusal.not_qualified", TERMS, Severity.block),
    ReasonCode("voucher_provider.refusal.category_not_offered", TERMS, Severity.block),
    ReasonCode("voucher_provider.refusal.objection_upheld", NOTICE, Severity.block),
    ReasonCode("voucher_provider.suspension.complaints", TERMS, Severity.block),
    ReasonCode("voucher_provider.suspension.evidence_expired", TERMS, Severity.block),
    ReasonCode("voucher_provider.suspension.under_investigation", COLLUSION, Severity.block),
    ReasonCode("voucher_provider.delisting.collusion", COLLUSION, Severity.block),
    ReasonCode("voucher_provider.delisting.fabricated_contract", COLLUSION, Severity.block),
    ReasonCode("voucher_provider.delisting.provider_request", TERMS, Severity.block),
    ReasonCode("voucher_provider.delisting.no_longer_qualified", TERMS, Severity.block),
    ReasonCode("voucher_provider.reinstatement.resolved", TERMS, Severity.warn),
    ReasonCode("voucher_provider.not_listed", TERMS, Severity.block),
)

ISSUER_EVENTS = {
    "applied": ("start_review", "request_info", "refuse"),
    "in_review": ("request_info", "approve", "refuse"),
    "more_info": ("refuse",),
    "notice": (),
    "listed": ("suspend", "delist"),
    "suspended": ("reinstate", "delist"),
}
PROVIDER_EVENTS = {"applied": ("upload",), "in_review": ("upload",), "more_info": ("upload", "resubmit")}


def now() -> datetime:
    return desk.current_time()


def today() -> date:
    return desk.today()


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


def checklist() -> list[Requirement]:
    """What an application carries: the qualification evidence (the business licence, a certificate) and the
    service capability statement."""
    return [
        Requirement(code=EVIDENCE, required=True, accepted_types=EVIDENCE_TYPES,
                    label=Msg("voucher_provider.requirement.qualification_evidence"), source=TERMS),
        Requirement(code=STATEMENT, required=True, accepted_types=(PDF,),
                    label=Msg("voucher_provider.requirement.capability_statement"), source=TERMS),
    ]  # fmt: skip


async def checklist_of_case(found: CaseRecord) -> list[Requirement]:
    return checklist()


dossiers.register_checklist(KIND, checklist_of_case)
desk.register_case_page(KIND, "/issuer/voucher-providers/{subject}")


def _requirement(code: str) -> Requirement:
    for r in checklist():
        if r.code == code:
            return r
    unknown = Msg("voucher_provider.requirement_unknown", {"code": code})
    raise ValidationFailed(unknown, errors=[FieldError("requirement", unknown, code="unknown")])


def _field_problem(field: str, message: Msg, code: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message, code=code)])


# ------------------------------------------------------------------------------------------ the interface


async def _with_case(row: ProviderRecord) -> ProviderRecord:
    case = await desk.case(row.case) if row.case is not None else None
    org = await org_service.org_by_id(row.org)
    return replace(row, state=case.state if case else "", reference=case.reference if case else "",
                   case_version=case.version if case else 0, org_name=org.name if org else "")  # fmt: skip


def _objections_clear(objections: Sequence[ObjectionRecord]) -> bool:
    return all(o.status == "dismissed" for o in objections)


def listed_on_day(row: ProviderRecord, objections: Sequence[ObjectionRecord], *, on: date) -> bool:
    """Pure: listed on ``on``? Listed (or its notice ended by then with every objection dismissed) from the day the
    notice ended, and not suspended by then; suspended from its day until reinstated; delisted or refused: never."""
    if row.state in FINAL or row.notice_ends_on is None or on < row.notice_ends_on:
        return False
    if row.state == "notice":
        return _objections_clear(objections)
    if row.state == "listed":
        return True
    if row.state == "suspended":
        return row.suspended_on is not None and on < row.suspended_on
    return False


async def listed_provider(programme_id: int, org_id: int, *, on: date) -> ProviderRecord | None:
    """The organisation's listing in the programme if it is listed on ``on`` (None: not listed that day: not
    applied, in review, in notice, suspended, delisted, refused). Read inside the caller's transaction; a notice
    that ended with no objection open or upheld counts as listed even before the daily job moves the case."""
    row = await repository.live(programme_id, org_id)
    if row is None:
        return None
    row = await _with_case(row)
    objections = await repository.objections(row.id) if row.state == "notice" else []
    return row if listed_on_day(row, objections, on=on) else None


async def service(service_id: int) -> ServiceRecord:
    """A catalogued service as published (any status: an order keeps the one it read). None such: 404."""
    found = await repository.service(service_id)
    if found is None:
        raise NotFound(Msg("voucher_provider.service_not_found"))
    return found


async def provider(provider_id: int) -> ProviderRecord:
    found = await repository.provider(provider_id)
    if found is None:
        raise NotFound(Msg("voucher_provider.not_found"))
    return await _with_case(found)


async def providers_of(*, programme_id: int | None = None, org_id: int | None = None) -> list[ProviderRecord]:
    return [await _with_case(r) for r in await repository.providers(programme=programme_id, org=org_id)]


async def catalogue(programme_id: int, *, on: date | None = None) -> list[tuple[ProviderRecord, list[ServiceRecord]]]:
    """The public catalogue: each provider listed on ``on`` (today) with its active services."""
    day = on or today()
    out: list[tuple[ProviderRecord, list[ServiceRecord]]] = []
    for row in await repository.providers(programme=programme_id):
        listed = await listed_provider(programme_id, row.org, on=day)
        if listed is not None and listed.id == row.id:
            out.append((listed, await repository.services(provider=row.id)))
    return out


async def services_of(programme_id: int, *, org_id: int | None = None, category: str | None = None,
                      on: date | None = None) -> list[ServiceRecord]:  # fmt: skip
    """Active services of providers listed on ``on`` (today), optionally of one organisation or category."""
    out: list[ServiceRecord] = []
    for row, rows in await catalogue(programme_id, on=on):
        if org_id is not None and row.org != org_id:
            continue
        out.extend(s for s in rows if category is None or s.category == category)
    return out


async def licence_service(programme_id: int, *, org_id: int, declaration_id: int) -> ServiceRecord | None:
    """The active ``tech_results`` service cataloguing one open licence of a university listed today."""
    for s in await services_of(programme_id, org_id=org_id, category="tech_results"):
        if s.declaration == declaration_id:
            return s
    return None


# --------------------------------------------------------------------------------------------- applying


def _require_provider_kind(principal: Principal) -> None:
    if principal.org_kind not in PROVIDER_KINDS:
        raise Forbidden(Msg("voucher_provider.provider_only"))
    org_service.require_approved(principal)


async def _open_programme(programme_id: int) -> ProgrammeRecord:
    try:
        prog = await programmes.programme(programme_id)
    except NotFound:
        prog = None
    if prog is None or prog.status == "draft":
        missing = Msg("voucher_programme.not_found")
        raise NotFound(missing, errors=[FieldError("programme_id", missing, code="not_found")])
    if not prog.open:
        raise _field_problem("programme_id", Msg("voucher_provider.programme_not_open", {"name": prog.name_zh}),
                             "not_open")  # fmt: skip
    return prog


async def apply(
    *, principal: Principal, data: ApplyIn, evidence: Upload | None = None,
    statement: Upload | None = None,
) -> ProviderOut:
    """The organisation's application to an open programme's catalogue. Documents given are checked (by their
    bytes) before anything is written. A live application or listing in the programme already: 409 (a unique key,
    also when two are filed at once); delisted from it: 409 (the record stays)."""
    _require_provider_kind(principal)
    prog = await _open_programme(data.programme_id)
    existing = await repository.live(prog.id, principal.org_id)
    if existing is not None:
        taken = Msg("voucher_provider.already_applied", {"name": prog.name_zh})
        raise Conflict(taken, errors=[FieldError("programme_id", taken, code="already_applied")])
    uploads = [(r, u) for r, u in ((_requirement(EVIDENCE), evidence), (_requirement(STATEMENT), statement)) if u]
    for requirement, upload in uploads:
        dossiers.check_document(requirement, upload.content, upload.issued_on, on=dossiers.today(),
                                limit=dossiers.max_bytes())  # fmt: skip
    at = now()
    provider_id = await repository.insert_provider({
        "programme": prog.id, "programme_version": prog.version, "org": principal.org_id, "issuer": prog.issuer,
        "org_kind": principal.org_kind.value, "statement": data.statement, "notice_days": prog.terms.notice_days,
        "created_by": principal.user_id, "created_at": at, "updated_at": at,
    })  # fmt: skip
    case = await desk.open_case(
        kind=KIND, subject=provider_id, reviewer_org=prog.issuer, applicant_org=principal.org_id,
        amount=Money(prog.currency, 0), machine=VoucherProviderMachine, reference_prefix=REFERENCE_PREFIX,
        sla_working_days=SLA_WORKING_DAYS, actor=actor_of(principal),
    )  # fmt: skip
    await repository.set_case(provider_id, case.id)
    for requirement, upload in uploads:
        await dossiers.upload(case_id=case.id, requirement=requirement, filename=upload.filename,
                              content_type=upload.content_type, content=upload.content, issued_on=upload.issued_on,
                              actor=actor_of(principal))  # fmt: skip
    await desk.decide(case_id=case.id, kind="filing", outcome="filed", actor=actor_of(principal), role="applicant",
                      snapshot={"programme": prog.id, "programme_version": prog.version,
                                "org_kind": principal.org_kind.value, "statement": data.statement,
                                "categories": list(data.categories)})  # fmt: skip
    await record(actor=actor_of(principal), action="finance.voucher_provider_applied", entity_type="voucher_provider",
                 entity_id=provider_id, org_id=principal.org_id,
                 after={"reference": case.reference, "programme": prog.id, "programme_version": prog.version})
    made = await provider(provider_id)
    await _emit("applied", made)
    await _notify(prog.issuer, made, "applied", Msg("voucher_provider.notice.applied", {"reference": case.reference,
                                                                                        "name": made.org_name}))
    return await provider_out(principal, made)


async def upload(*, principal: Principal, provider_id: int, requirement: str, document: Upload) -> ProviderOut:
    """Another document (or a new version of one) while the application is under review."""
    found = await _visible(principal, provider_id)
    if found.state not in ("applied", "in_review", "more_info"):
        raise Conflict(Msg("voucher_provider.application_closed"))
    assert found.case is not None
    await dossiers.upload(case_id=found.case, requirement=_requirement(requirement), filename=document.filename,
                          content_type=document.content_type, content=document.content,
                          issued_on=document.issued_on, actor=actor_of(principal))  # fmt: skip
    return await provider_out(principal, await provider(provider_id))


async def resubmit(*, principal: Principal, provider_id: int, data: MoveIn) -> ProviderOut:
    found = await _of_org(principal, provider_id)
    case = await _expect(found, data.expected_version, "more_info")
    completeness = await dossiers.completeness(case.id, checklist())
    if completeness.reasons:
        errors = [FieldError(r.field or "file", r.msg, code=r.code) for r in completeness.reasons]
        raise ValidationFailed(Msg("voucher_provider.documents_incomplete"), errors=errors)
    await _move(found, "resubmit", data.expected_version, actor_of(principal))
    await _notify(found.issuer, found, f"resubmitted-{case.version}",
                  Msg("voucher_provider.notice.resubmitted", {"reference": case.reference}))  # fmt: skip
    return await provider_out(principal, await provider(provider_id))


# ------------------------------------------------------------------------------------------ the issuer's desk


async def _of_org(principal: Principal, provider_id: int) -> ProviderRecord:
    found = await repository.provider(provider_id)
    if found is None or found.org != principal.org_id:
        raise NotFound(Msg("voucher_provider.not_found"))
    return await _with_case(found)


async def _of_issuer(principal: Principal, provider_id: int) -> ProviderRecord:
    programmes.require_issuer(principal)
    found = await repository.provider(provider_id)
    if found is None or found.issuer != principal.org_id:
        raise NotFound(Msg("voucher_provider.not_found"))
    return await _with_case(found)


async def _visible(principal: Principal, provider_id: int) -> ProviderRecord:
    """The applicant's and the issuer's view (documents, decisions)."""
    found = await repository.provider(provider_id)
    if found is None or principal.org_id not in (found.org, found.issuer):
        raise NotFound(Msg("voucher_provider.not_found"))
    return await _with_case(found)


async def _case(found: ProviderRecord) -> CaseRecord:
    case = await desk.case(found.case) if found.case is not None else None
    assert case is not None, "every provider application has its desk case"
    return case


async def _expect(found: ProviderRecord, expected_version: int, *states: str) -> CaseRecord:
    case = await _case(found)
    if case.version != expected_version or (states and case.state not in states):
        raise Conflict(Msg("desk.stale", {"reference": case.reference}), state=case.state, version=case.version)
    return case


async def _move(found: ProviderRecord, event: str, expected_version: int, actor: Actor) -> CaseRecord:
    assert found.case is not None
    return await desk.transition(case_id=found.case, event=event, expected_version=expected_version, actor=actor,
                                 machine=VoucherProviderMachine)  # fmt: skip


async def _notify(org_id: int, found: ProviderRecord, event: str, message: Msg, body: Msg | None = None) -> None:
    await notify_members(org_id=org_id, kind="voucher", message=message, body=body,
                         dedupe_key=f"voucher_provider:{found.id}:{event}")  # fmt: skip


async def _emit(name: str, found: ProviderRecord, **more: Any) -> None:
    """``voucher.provider_<what>`` with the provider's ids (webhooks of the provider and the issuer hear it)."""
    await events.emit(
        f"voucher.provider_{name}", provider_id=found.id, programme_id=found.programme, provider_org=found.org,
        issuer_org=found.issuer, reference=found.reference, state=found.state, **more,
    )  # fmt: skip


async def start_review(*, principal: Principal, provider_id: int, data: MoveIn) -> ProviderOut:
    found = await _of_issuer(principal, provider_id)
    await _move(found, "start_review", data.expected_version, actor_of(principal))
    return await provider_out(principal, await provider(provider_id))


async def request_info(*, principal: Principal, provider_id: int, data: MoreInfoIn) -> ProviderOut:
    found = await _of_issuer(principal, provider_id)
    case = await _move(found, "request_info", data.expected_version, actor_of(principal))
    await desk.decide(case_id=case.id, kind="more_info", outcome="requested", actor=actor_of(principal),
                      role="reviewer", text=data.text, snapshot={"text": data.text})  # fmt: skip
    await _notify(found.org, found, f"more-info-{case.version}",
                  Msg("voucher_provider.notice.more_info", {"reference": case.reference}),
                  Msg("voucher_provider.notice.more_info_body", {"text": data.text}))  # fmt: skip
    return await provider_out(principal, await provider(provider_id))


async def approve(*, principal: Principal, provider_id: int, data: MoveIn) -> ProviderOut:
    """The issuer approves the application (its documents complete): the public notice starts today and ends after
    the programme's notice days (the version the application was filed under); listed from that day."""
    found = await _of_issuer(principal, provider_id)
    case = await _expect(found, data.expected_version, "in_review")
    completeness = await dossiers.completeness(case.id, checklist())
    if completeness.reasons:
        errors = [FieldError(r.field or "file", r.msg, code=r.code) for r in completeness.reasons]
        raise ValidationFailed(Msg("voucher_provider.documents_incomplete"), errors=errors)
    terms = await programmes.version(found.programme, found.programme_version)
    day = today()
    ends = day + timedelta(days=terms.notice_days)
    moved = await _move(found, "approve", data.expected_version, actor_of(principal))
    await repository.set_days(found.id, {"notice_from": day, "notice_ends_on": ends, "notice_days": terms.notice_days},
                              at=now())  # fmt: skip
    await desk.decide(case_id=moved.id, kind="notice", outcome="approved", actor=actor_of(principal),
                      role="reviewer", text=data.text,
                      snapshot={"programme_version": found.programme_version, "notice_from": day.isoformat(),
                                "notice_ends_on": ends.isoformat(), "notice_days": terms.notice_days})  # fmt: skip
    await record(actor=actor_of(principal), action="finance.voucher_provider_notice", entity_type="voucher_provider",
                 entity_id=found.id, org_id=found.issuer,
                 after={"notice_from": day.isoformat(), "notice_ends_on": ends.isoformat()})  # fmt: skip
    made = await provider(provider_id)
    await _emit("in_notice", made, notice_ends_on=ends.isoformat())
    await _notify(found.org, found, "notice", Msg("voucher_provider.notice.in_notice",
                                                  {"reference": made.reference, "ends": ends}))  # fmt: skip
    if terms.notice_days == 0:
        await list_if_due(provider_id, on=day)
        made = await provider(provider_id)
    return await provider_out(principal, made)


def _reasons_of(codes: Sequence[str], allowed: Sequence[str]) -> list[Reason]:
    unknown = [c for c in codes if c not in allowed]
    if unknown:
        raise _field_problem("reasons", Msg("voucher_provider.reason_unknown", {"code": ", ".join(unknown)}),
                             "unknown")  # fmt: skip
    return [reason(c) for c in codes]


async def refuse(*, principal: Principal, provider_id: int, data: ReasonedIn) -> ProviderOut:
    """Refuse an application under review with coded reasons (the organisation may apply again)."""
    found = await _of_issuer(principal, provider_id)
    reasons = _reasons_of(data.reasons, REFUSAL_CODES)
    case = await _expect(found, data.expected_version, "applied", "in_review", "more_info")
    moved = await _move(found, "refuse", data.expected_version, actor_of(principal))
    await _refused(found, moved, reasons, data.text, actor_of(principal), state_before=case.state)
    return await provider_out(principal, await provider(provider_id))


async def _refused(
    found: ProviderRecord, case: CaseRecord, reasons: Sequence[Reason], text: str, actor: Actor, *, state_before: str
) -> None:
    await desk.decide(case_id=case.id, kind="refusal", outcome="refused", actor=actor, role="reviewer",
                      reasons=reasons, text=text, snapshot={"state_before": state_before})  # fmt: skip
    await repository.free_key(found.id, at=now())
    await record(actor=actor, action="finance.voucher_provider_refused", entity_type="voucher_provider",
                 entity_id=found.id, org_id=found.issuer,
                 after={"reference": case.reference, "reasons": [r.code for r in reasons]})  # fmt: skip
    made = await provider(found.id)
    await _emit("refused", made, reasons=[r.code for r in reasons])
    await _notify(found.org, found, "refused", Msg("voucher_provider.notice.refused", {"reference": case.reference}))


async def _standing_change(
    principal: Principal, provider_id: int, data: ReasonedIn, *, event: str, codes: Sequence[str],
    states: Sequence[str], column: str | None, clear: Sequence[str] = (),
) -> ProviderOut:
    found = await _of_issuer(principal, provider_id)
    reasons = _reasons_of(data.reasons, codes)
    case = await _expect(found, data.expected_version, *states)
    day = today()
    moved = await _move(found, event, data.expected_version, actor_of(principal))
    values: dict[str, Any] = {c: None for c in clear}
    if column is not None:
        values[column] = day
    await repository.set_days(found.id, values, at=now())
    await desk.decide(case_id=moved.id, kind=event, outcome=moved.state, actor=actor_of(principal), role="reviewer",
                      reasons=reasons, text=data.text, snapshot={"state_before": case.state, "on": day.isoformat()})
    await record(actor=actor_of(principal), action=f"finance.voucher_provider_{moved.state}",
                 entity_type="voucher_provider", entity_id=found.id, org_id=found.issuer,
                 before={"state": case.state},
                 after={"state": moved.state, "reasons": [r.code for r in reasons], "on": day.isoformat()})
    made = await provider(provider_id)
    await _emit(moved.state, made, reasons=[r.code for r in reasons])
    await _notify(found.org, found, f"{moved.state}-{moved.version}",
                  Msg(f"voucher_provider.notice.{moved.state}", {"reference": made.reference}))  # fmt: skip
    return await provider_out(principal, made)


async def suspend(*, principal: Principal, provider_id: int, data: ReasonedIn) -> ProviderOut:
    """Suspend a listed provider (not listed from today until reinstated)."""
    return await _standing_change(principal, provider_id, data, event="suspend", codes=SUSPENSION_CODES,
                                  states=("listed",), column="suspended_on")  # fmt: skip


async def reinstate(*, principal: Principal, provider_id: int, data: ReasonedIn) -> ProviderOut:
    return await _standing_change(principal, provider_id, data, event="reinstate", codes=REINSTATEMENT_CODES,
                                  states=("suspended",), column=None, clear=("suspended_on",))  # fmt: skip


async def delist(*, principal: Principal, provider_id: int, data: ReasonedIn) -> ProviderOut:
    """Delist (collusion, a fabricated contract, ...): never listed again in the programme; the record is kept and
    its services are withdrawn."""
    out = await _standing_change(principal, provider_id, data, event="delist", codes=DELISTING_CODES,
                                 states=("listed", "suspended"), column="delisted_on")  # fmt: skip
    at = now()
    for s in await repository.services(provider=provider_id):
        await repository.set_service_status(s.id, from_status="active", to="withdrawn", at=at)
    return out


# ------------------------------------------------------------------------------------------ notice, objections


async def lodge_objection(*, principal: Principal, provider_id: int, data: ObjectionIn) -> ObjectionOut:
    """Anyone signed in objects to a provider during its public notice (words, audited). After the notice: 409."""
    found = await provider(provider_id)
    if principal.org_id not in (found.org, found.issuer) and found.state not in PUBLIC_STATES:
        raise NotFound(Msg("voucher_provider.not_found"))  # an application under review is not public
    if found.state != "notice" or found.notice_ends_on is None or today() >= found.notice_ends_on:
        raise Conflict(Msg("voucher_provider.not_in_notice"))
    objection_id = await repository.insert_objection(provider_id=found.id, by=principal.user_id,
                                                     by_org=principal.org_id, text=data.text, at=now())
    await record(actor=actor_of(principal), action="finance.voucher_provider_objection", entity_type="voucher_provider",
                 entity_id=found.id, org_id=found.issuer, after={"objection": objection_id, "text": data.text})
    await _notify(found.issuer, found, f"objection-{objection_id}",
                  Msg("voucher_provider.notice.objection", {"reference": found.reference}))  # fmt: skip
    made = await repository.objection(objection_id)
    assert made is not None
    return objection_out(made, show_author=False)


async def decide_objection(
    *, principal: Principal, provider_id: int, objection_id: int, data: ObjectionDecisionIn
) -> ProviderOut:
    """The issuer upholds an objection (the application is refused) or dismisses it (with its words). Once."""
    found = await _of_issuer(principal, provider_id)
    objection = await repository.objection(objection_id)
    if objection is None or objection.provider != found.id:
        raise NotFound(Msg("voucher_provider.objection_not_found"))
    if found.state != "notice":
        raise Conflict(Msg("voucher_provider.not_in_notice"))
    status = "upheld" if data.uphold else "dismissed"
    if not await repository.decide_objection(objection_id, status=status, by=principal.user_id, text=data.text,
                                             at=now()):  # fmt: skip
        raise Conflict(Msg("voucher_provider.objection_decided"))
    await record(actor=actor_of(principal), action=f"finance.voucher_objection_{status}",
                 entity_type="voucher_provider", entity_id=found.id, org_id=found.issuer,
                 after={"objection": objection_id, "status": status, "text": data.text})  # fmt: skip
    if data.uphold:
        case = await _case(found)
        moved = await _move(found, "uphold", case.version, actor_of(principal))
        upheld = [reason("voucher_provider.refusal.objection_upheld")]
        await _refused(found, moved, upheld, data.text, actor_of(principal), state_before="notice")
    return await provider_out(principal, await provider(provider_id))


async def list_if_due(provider_id: int, *, on: date | None = None) -> bool:
    """Move a provider whose notice ended (with every objection dismissed) to listed; True when this call did it.
    Safe to run twice (the case's version and ``listed_on`` decide)."""
    day = on or today()
    found = await provider(provider_id)
    objections = await repository.objections(found.id)
    if found.state != "notice" or not listed_on_day(found, objections, on=day):
        return False
    assert found.notice_ends_on is not None
    if not await repository.mark_listed(found.id, on=found.notice_ends_on, at=now()):
        return False
    await _move(found, "list_provider", found.case_version, Actor.system())
    made = await provider(provider_id)
    await record(actor=Actor.system(), action="finance.voucher_provider_listed", entity_type="voucher_provider",
                 entity_id=found.id, org_id=found.issuer, after={"listed_on": found.notice_ends_on.isoformat()})
    await _emit("listed", made, listed_on=found.notice_ends_on.isoformat())
    await _notify(found.org, found, "listed", Msg("voucher_provider.notice.listed", {"reference": made.reference}))
    if made.university:
        await sync_open_licences(made.id)
    return True


async def list_due(*, on: date | None = None) -> int:
    """The daily job: every provider whose notice ended without an objection open or upheld is listed."""
    day = on or today()
    listed = 0
    for row in await repository.notice_ended(on=day):
        listed += await list_if_due(row.id, on=day)
    return listed


# --------------------------------------------------------------------------------------------- services


async def _listed_own(principal: Principal, provider_id: int) -> ProviderRecord:
    found = await _of_org(principal, provider_id)
    if await listed_provider(found.programme, found.org, on=today()) is None:
        raise Conflict(Msg("reason.voucher_provider.not_listed"))
    return found


async def _check_category(found: ProviderRecord, category: str) -> ProgrammeRecord:
    prog = await programmes.programme(found.programme)
    if prog.terms.category(category) is None:
        raise _field_problem("category", Msg("voucher_provider.category_not_in_programme",
                                             {"category": Msg(f"voucher.category.{category}")}), "not_covered")
    if category == "tech_results" and found.university:
        # a university's open licences are catalogued from its declarations, at their published price
        raise _field_problem("category", Msg("voucher_provider.licences_automatic"), "automatic")
    return prog


def _service_values(found: ProviderRecord, data: ServiceIn, currency: str, by: int, at: datetime) -> dict[str, Any]:
    return {
        "provider": found.id, "programme": found.programme, "org": found.org, "category": data.category,
        "title_zh": data.title_zh, "title_en": data.title_en, "description_zh": data.description_zh,
        "description_en": data.description_en, "unit": data.unit, "price_minor": data.price_minor,
        "currency": currency, "status": "active", "created_by": by, "created_at": at, "updated_at": at,
    }  # fmt: skip


async def publish_service(*, principal: Principal, provider_id: int, data: ServiceIn) -> ServiceOut:
    """A listed provider publishes a service in one of the programme's categories, with its price."""
    found = await _listed_own(principal, provider_id)
    prog = await _check_category(found, data.category)
    at = now()
    service_id = await repository.insert_service(_service_values(found, data, prog.currency, principal.user_id, at))
    await record(actor=actor_of(principal), action="finance.voucher_service_published", entity_type="voucher_service",
                 entity_id=service_id, org_id=found.org,
                 after={"category": data.category, "price_minor": data.price_minor, "title_zh": data.title_zh})
    return service_out(await service(service_id))


async def revise_service(*, principal: Principal, service_id: int, data: ServiceReviseIn) -> ServiceOut:
    """A change is a new service superseding the old (the old row stays as it was: orders keep what they read).
    The one revised must still be active: else 409."""
    old = await service(service_id)
    if old.org != principal.org_id:
        raise NotFound(Msg("voucher_provider.service_not_found"))
    if old.open_licence:
        raise _field_problem("category", Msg("voucher_provider.licences_automatic"), "automatic")
    found = await _listed_own(principal, old.provider)
    prog = await _check_category(found, data.category)
    at = now()
    if not await repository.set_service_status(service_id, from_status="active", to="superseded", at=at):
        raise Conflict(Msg("voucher_provider.service_changed_meanwhile"))
    values = {**_service_values(found, data, prog.currency, principal.user_id, at), "supersedes": old.id}
    new_id = await repository.insert_service(values)
    await record(actor=actor_of(principal), action="finance.voucher_service_revised", entity_type="voucher_service",
                 entity_id=new_id, org_id=found.org,
                 before={"id": old.id, "price_minor": old.price_minor},
                 after={"supersedes": old.id, "price_minor": data.price_minor, "category": data.category})
    return service_out(await service(new_id))


async def withdraw_service(*, principal: Principal, service_id: int) -> ServiceOut:
    old = await service(service_id)
    if old.org != principal.org_id:
        raise NotFound(Msg("voucher_provider.service_not_found"))
    if not await repository.set_service_status(service_id, from_status="active", to="withdrawn", at=now()):
        raise Conflict(Msg("voucher_provider.service_changed_meanwhile"))
    await record(actor=actor_of(principal), action="finance.voucher_service_withdrawn", entity_type="voucher_service",
                 entity_id=service_id, org_id=old.org, before={"status": old.status}, after={"status": "withdrawn"})
    return service_out(await service(service_id))


async def sync_open_licences(provider_id: int) -> dict[str, int]:
    """Catalogue a listed university's open licences in ``tech_results``: each published declaration at its lump sum
    or entry fee (the current version); a revised declaration supersedes the old service, a withdrawn one (or one
    with neither price) withdraws it. Idempotent (one service per provider, declaration and version)."""
    found = await provider(provider_id)
    added = withdrawn = 0
    prog = await programmes.programme(found.programme)
    if not found.university or found.state not in ("listed", "notice", "suspended") \
            or prog.terms.category("tech_results") is None:  # fmt: skip
        return {"added": 0, "withdrawn": 0}
    at = now()
    current: dict[int, ServiceRecord] = {
        s.declaration: s for s in await repository.services(provider=found.id, category="tech_results")
        if s.declaration is not None
    }
    live: set[tuple[int, int]] = set()
    rows, _ = await declarations.of_org(found.org, status="published", limit=10_000, offset=0)
    versions = await declarations.versions_of([r.id for r in rows])
    titles = {p.id: p for p in await patents.patents_by_ids([r.patent for r in rows])}
    for row in rows:
        version = next((v for v in versions.get(row.id, []) if v.version == row.current_version), None)
        price = None if version is None else (version.lump_sum_minor or version.entry_fee_minor)
        if version is None or not price:
            continue
        live.add((row.id, version.version))
        old = current.get(row.id)
        if old is not None and old.declaration_version == version.version:
            continue
        if old is not None:
            await repository.set_service_status(old.id, from_status="active", to="superseded", at=at)
        made = await repository.insert_licence_service({
            "provider": found.id, "programme": found.programme, "org": found.org, "category": "tech_results",
            "title_zh": titles[row.patent].title_zh if row.patent in titles else "",
            "title_en": titles[row.patent].title_en if row.patent in titles else "",
            "description_zh": titles[row.patent].number if row.patent in titles else "", "description_en": "",
            "unit": "licence", "price_minor": int(price), "currency": version.currency,
            "status": "active", "supersedes": old.id if old else None, "declaration": row.id,
            "declaration_version": version.version, "created_by": None, "created_at": at, "updated_at": at,
            "natural_key": f"licence:{found.id}:{row.id}:{version.version}",
        })  # fmt: skip
        added += made is not None
    for declaration_id, s in current.items():
        if (declaration_id, s.declaration_version) not in live and s.declaration_version is not None:
            withdrawn += await repository.set_service_status(s.id, from_status="active", to="withdrawn", at=at)
    return {"added": added, "withdrawn": withdrawn}


async def declaration_changed(declaration_id: int) -> int:
    """A declaration changed (published, revised, withdrawn): its university's listings are brought in step."""
    found = await declarations.declaration_by_id(declaration_id)
    if found is None:
        return 0
    done = 0
    for row in await repository.providers(org=found.organisation):
        await sync_open_licences(row.id)
        done += 1
    return done


async def sync_all() -> int:
    """The daily job's second half: every university provider's open licences in step."""
    done = 0
    for row in await repository.providers():
        if row.org_kind == "university":
            await sync_open_licences(row.id)
            done += 1
    return done


# ------------------------------------------------------------------------------------------------ output


def _money(minor: int, currency: str) -> MoneyOut:
    return MoneyOut(minor=minor, currency=currency)


def service_out(s: ServiceRecord) -> ServiceOut:
    return ServiceOut(
        id=s.id, provider_id=s.provider, programme_id=s.programme, org_id=s.org, category=s.category,
        category_name=MsgOut.of(Msg(f"voucher.category.{s.category}")), title_zh=s.title_zh, title_en=s.title_en,
        description_zh=s.description_zh, description_en=s.description_en, unit=s.unit,
        price=_money(s.price_minor, s.currency), status=s.status, supersedes=s.supersedes,
        declaration_id=s.declaration, declaration_version=s.declaration_version, created_at=s.created_at,
    )  # fmt: skip


def objection_out(o: ObjectionRecord, *, show_author: bool) -> ObjectionOut:
    return ObjectionOut(id=o.id, text=o.text, status=o.status, lodged_at=o.lodged_at,
                        lodged_by_org=o.lodged_by_org if show_author else None, decided_at=o.decided_at,
                        decision_text=o.decision_text)  # fmt: skip


def _events(principal: Principal, found: ProviderRecord) -> list[str]:
    if principal.org_id == found.issuer:
        return list(ISSUER_EVENTS.get(found.state, ()))
    if principal.org_id == found.org:
        return list(PROVIDER_EVENTS.get(found.state, ()))
    return []


async def provider_out(principal: Principal | None, found: ProviderRecord) -> ProviderOut:
    """The application and listing as its parties see it (documents, decisions, objections with their authors for
    the issuer); anyone else sees the public facts and the objections' words."""
    party = principal is not None and principal.org_id in (found.org, found.issuer)
    issuer = principal is not None and principal.org_id == found.issuer
    prog = await programmes.programme(found.programme)
    decisions = []
    documents = []
    if party and found.case is not None:
        decisions = [DecisionOut(id=d.id, kind=d.kind, outcome=d.outcome, decided_at=d.decided_at, text=d.text,
                                 reasons=[MsgOut.of(r.msg) for r in d.reasons])
                     for d in await desk.decisions(found.case)]  # fmt: skip
        documents = [DocumentOut.model_validate(d) for d in await dossiers.documents(found.case)]
    listed = await listed_provider(found.programme, found.org, on=today())
    return ProviderOut(
        id=found.id, case_id=found.case if party else None, reference=found.reference, state=found.state,
        version=found.case_version, listed_today=listed is not None and listed.id == found.id,
        programme_id=found.programme, programme_version=found.programme_version, programme_name=prog.name_zh,
        issuer_org_id=found.issuer, org_id=found.org, org_name=found.org_name, org_kind=found.org_kind,
        statement=found.statement, notice_days=found.notice_days, notice_from=found.notice_from,
        notice_ends_on=found.notice_ends_on, listed_on=found.listed_on, suspended_on=found.suspended_on,
        delisted_on=found.delisted_on, events=_events(principal, found) if principal else [],
        objections=[objection_out(o, show_author=issuer) for o in await repository.objections(found.id)],
        decisions=decisions, documents=documents,
        services=[service_out(s) for s in await repository.services(provider=found.id)],
        created_at=found.created_at,
    )  # fmt: skip


async def get_provider(*, principal: Principal, provider_id: int) -> ProviderOut:
    found = await provider(provider_id)
    if principal.org_id not in (found.org, found.issuer) and found.state not in PUBLIC_STATES:
        raise NotFound(Msg("voucher_provider.not_found"))
    return await provider_out(principal, found)


async def providers_for(*, principal: Principal, programme_id: int | None = None) -> list[ProviderOut]:
    """An issuer's applications and listings (all its programmes, or one); an organisation's own."""
    if principal.org_kind is OrgKind.voucher_issuer:
        rows = await repository.providers(issuer=principal.org_id, programme=programme_id)
    else:
        rows = await repository.providers(org=principal.org_id, programme=programme_id)
    return [await provider_out(principal, await _with_case(r)) for r in rows]


async def require_party(*, principal: Principal, provider_id: int) -> None:
    """The applicant's or the issuer's (anyone else: 404)."""
    await _visible(principal, provider_id)


async def service_for(*, principal: Principal, service_id: int) -> ServiceOut:
    """An active service of a provider listed today: anyone; otherwise its provider and the programme's issuer."""
    found = await service(service_id)
    row = await repository.provider(found.provider)
    assert row is not None
    if principal.org_id not in (row.org, row.issuer):
        listed = await listed_provider(row.programme, row.org, on=today())
        if not found.active or listed is None or listed.id != row.id:
            raise NotFound(Msg("voucher_provider.service_not_found"))
    return service_out(found)


async def document_content(*, principal: Principal, provider_id: int, document_id: int) -> tuple[Any, bytes]:
    found = await _visible(principal, provider_id)
    assert found.case is not None
    for document in await dossiers.documents(found.case):
        if document.id == document_id:
            return document, await dossiers.content(document_id)
    raise NotFound(Msg("voucher_provider.document_not_found"))


def reasons_for(codes: Sequence[str]) -> list[MsgOut]:
    return [MsgOut.of(Msg(f"reason.{c}")) for c in codes]


# ------------------------------------------------------------------------------------------------ demo seed

DEMO_SERVICES = (  # the demo provider's catalogue: prices are the demo's, not from a source
    {"category": "novelty_search", "title_zh": "科技查新报告（国内）",  # words: data
     "title_en": "Novelty search report (domestic)", "unit": "report", "price_minor": 300_000},  # words: data
    {"category": "ip_services", "title_zh": "发明专利申请代理", "title_en": "Invention patent filing",  # words: data
     "unit": "case", "price_minor": 800_000},
)


async def _seed_listed(prog: ProgrammeRecord, org_id: int, org_kind: str, statement: str) -> int | None:
    """A provider listed in ``prog`` the way the desk would have done it (applied, reviewed, approved by the system
    actor), its public notice dated so that it ended today: the demo starts with a catalogue. None: there already."""
    if await repository.live(prog.id, org_id) is not None:
        return None
    at, day = now(), today()
    provider_id = await repository.insert_provider({
        "programme": prog.id, "programme_version": prog.version, "org": org_id, "issuer": prog.issuer,
        "org_kind": org_kind, "statement": statement, "notice_days": prog.terms.notice_days, "created_by": None,
        "created_at": at, "updated_at": at,
    })  # fmt: skip
    system = Actor.system()
    case = await desk.open_case(kind=KIND, subject=provider_id, reviewer_org=prog.issuer, applicant_org=org_id,
                                amount=Money(prog.currency, 0), machine=VoucherProviderMachine,
                                reference_prefix=REFERENCE_PREFIX, sla_working_days=SLA_WORKING_DAYS, actor=system)
    await repository.set_case(provider_id, case.id)
    moved = await desk.transition(case_id=case.id, event="start_review", expected_version=case.version, actor=system,
                                  machine=VoucherProviderMachine)  # fmt: skip
    await desk.transition(case_id=case.id, event="approve", expected_version=moved.version, actor=system,
                          machine=VoucherProviderMachine)  # fmt: skip
    await desk.decide(case_id=case.id, kind="notice", outcome="approved", actor=system, role="reviewer",
                      snapshot={"demo": True, "programme_version": prog.version})  # fmt: skip
    start = day - timedelta(days=prog.terms.notice_days)
    await repository.set_days(provider_id, {"notice_from": start, "notice_ends_on": day}, at=at)
    await list_if_due(provider_id, on=day)
    return provider_id


async def seed_demo(*, issuer_name: str, university_name: str, provider_name: str,
                    programme_code: str = "zhejiang-innovation") -> dict[str, int]:  # fmt: skip
    """The demo university and the demo service provider listed in the demo issuer's provider-redeems programme (the
    university's open licences catalogued from its declarations; the provider with two services). Once each."""
    prog = await programmes.demo_programme(issuer_name, programme_code)
    university = await org_service.find_org(university_name)
    seller = await org_service.find_org(provider_name)
    if prog is None or university is None or seller is None:
        return {"providers": 0, "services": 0}
    made = services_made = 0
    if await _seed_listed(prog, university.id, OrgKind.university.value,
                          "开放许可的专利技术（科技成果购买）") is not None:  # fmt: skip  # words: data
        made += 1
    seller_id = await _seed_listed(prog, seller.id, OrgKind.service_provider.value,
                                   "科技查新、专利申请代理与知识产权托管")  # words: data
    if seller_id is not None:
        made += 1
        at = now()
        for values in DEMO_SERVICES:
            await repository.insert_service({
                **values, "provider": seller_id, "programme": prog.id, "org": seller.id, "description_zh": "",
                "description_en": "", "currency": prog.currency, "status": "active", "created_by": None,
                "created_at": at, "updated_at": at,
            })  # fmt: skip
            services_made += 1
    return {"providers": made, "services": services_made}
