"""Pledge-loan applications: the SME's draft, the checks before submission, the bank's review on the desk, the offer
and its acceptance.

- An SME applies with its own recorded patents (another organisation's patent is not there: 404) on a published
  product, at that product's version. The form is pre-filled from the patent records and the relief-from-royalty
  valuation (``finance.valuation``); an appraised (external) or agreed value may replace it.
- Before submission everything is checked and shown, each reason with its source: CNIPA's 12 refusal grounds, the
  product's floors, the licence conflicts (``finance.loan_products.rules``), the amount against loan-to-value ×
  value and the product's maximum (explained line by line), the product's document checklist (``finance.dossiers``).
  A blocking reason blocks; an acknowledge-reason needs the SME's recorded acknowledgement.
- Every state change is the desk's conditional transition (``finance.desk.service.transition``) with the version
  the caller read: a stale or forged one is a 409 and, the request being one transaction, nothing is written.
- Four eyes: a maker proposes, a different user approves (the desk refuses the maker; a committee above the
  product's threshold). Refusals carry coded reasons and a decision letter whose text is also the notification.
- Acceptance emits ``pledges.accepted`` (the contract and the registration follow in ``finance.registrations``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from finance.desk import service as desk
from finance.desk.reasons import Reason, reason
from finance.desk.records import CaseRecord, DecisionRecord
from finance.dossiers import service as dossiers
from finance.dossiers.checklist import Completeness, Requirement, custom_label
from finance.letters import service as letters
from finance.loan_products import rules
from finance.loan_products import service as products
from finance.loan_products.records import DocumentRequirement, ProductRecord
from finance.pledges import prechecks, repository
from finance.pledges.machine import FINAL, KIND, REFERENCE_PREFIX, PledgeMachine
from finance.pledges.records import PledgeApplicationRecord
from finance.pledges.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApprovalIn,
    DecisionOut,
    DocumentOut,
    DraftIn,
    FinanceOptionOut,
    MoreInfoIn,
    MoveIn,
    OfferIn,
    PatentLineOut,
    PrecheckOut,
    ProposalIn,
    ReasonOut,
    RefusalIn,
    RequirementOut,
    SubmitIn,
    ValuationDecisionIn,
)
from finance.valuation import service as valuation
from finance.valuation.records import Method
from finance.valuation.schemas import ValuationIn
from listings.patents import service as patents
from listings.patents.records import PatentRecord
from listings.universities import service as universities
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.money import Money
from market.kit.words import MsgOut
from market.notifications.service import notify_members
from market.orgs import service as org_service

SLA_WORKING_DAYS = 15  # the bank's review, in working days, unless the product says otherwise
ACCEPTED_EVENT = "pledges.accepted"

SME_EVENTS: Mapping[str, tuple[str, ...]] = {
    "draft": ("edit", "upload", "submit", "withdraw"),
    "submitted": ("upload", "withdraw"),
    "in_review": ("upload", "withdraw"),
    "more_info": ("upload", "resubmit", "withdraw"),
    "offered": ("accept", "withdraw"),
}
BANK_EVENTS: Mapping[str, tuple[str, ...]] = {
    "submitted": ("start_review", "request_info", "refuse"),
    "in_review": ("request_info", "valuation", "propose", "refuse"),
    "more_info": ("refuse",),
    "proposed": ("approve", "send_back"),
    "approved": ("offer",),
}

# What other modules read of applications (finance.registrations after ``pledges.accepted``): through this service.
application_by_id = repository.get
pledged_patents = repository.patents_of  # the application's patents (PledgePatentRecord: patent id, value)
applications_with_patent = repository.applications_with_patent


def today() -> date:
    return datetime.now(UTC).date()


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


# ------------------------------------------------------------------------------------------------ access


async def _of_applicant(principal: Principal, application_id: int) -> PledgeApplicationRecord:
    app = await repository.get(application_id)
    if app is None or app.applicant != principal.org_id:
        raise NotFound(Msg("pledge.not_found"))
    return app


async def _of_bank(principal: Principal, application_id: int) -> PledgeApplicationRecord:
    """The bank sees its own cases once submitted; a draft, or another bank's case, is not there."""
    app = await repository.get(application_id)
    if app is None or app.bank != principal.org_id or app.submitted_at is None:
        raise NotFound(Msg("pledge.not_found"))
    return app


async def _visible(principal: Principal, application_id: int) -> PledgeApplicationRecord:
    app = await repository.get(application_id)
    if app is not None and app.applicant == principal.org_id:
        return app
    return await _of_bank(principal, application_id)


async def _case(app: PledgeApplicationRecord) -> CaseRecord:
    case = await desk.case(app.case) if app.case is not None else None
    assert case is not None, "every application has its desk case"
    return case


async def _expect(app: PledgeApplicationRecord, expected_version: int, *states: str) -> CaseRecord:
    """For a decision that moves no state: the case must still be at the version (and in a state) the caller read."""
    case = await _case(app)
    if case.version != expected_version or (states and case.state not in states):
        raise Conflict(Msg("desk.stale"), state=case.state, version=case.version)
    return case


async def _move(app: PledgeApplicationRecord, event: str, expected_version: int, actor: Actor) -> CaseRecord:
    assert app.case is not None
    return await desk.transition(
        case_id=app.case, event=event, expected_version=expected_version, actor=actor, machine=PledgeMachine
    )


# ------------------------------------------------------------------------------------------------ products


async def _product(product_id: int, version: int | None = None) -> ProductRecord:
    product = await products.product(product_id, version)
    if product is None:
        raise NotFound(Msg("pledge.product_not_found"))
    return product


async def _published_product(product_id: int) -> ProductRecord:
    product = await products.product(product_id)
    if product is None or not product.published:
        missing = Msg("pledge.product_not_found")
        raise NotFound(missing, errors=[FieldError("product_id", missing, code="not_found")])
    return product


def requirement_of(r: DocumentRequirement) -> Requirement:
    """A line of the product's checklist as the dossiers take it (the bank's own label, in both languages)."""
    return Requirement(
        code=r.code,
        required=r.required,
        accepted_types=tuple(r.accepted_types),
        max_age_days=r.max_age_days,
        label=custom_label(r.label_zh, r.label_en),
    )


def _requirements(product: ProductRecord) -> list[Requirement]:
    return [requirement_of(r) for r in product.documents]


async def checklist_of_case(found: CaseRecord) -> list[Requirement]:
    """The checklist of a pledge case: its application's product, at the version applied for (the dossiers' generic
    upload and checklist pages read it through ``register_checklist``)."""
    app = await repository.get(found.subject)
    if app is None:
        return []
    product = await products.product(app.product, app.product_version)
    return _requirements(product) if product else []


dossiers.register_checklist(KIND, checklist_of_case)


def _policy(product: ProductRecord) -> desk.ApprovalPolicy:
    return desk.ApprovalPolicy(
        thresholds=tuple(product.approval.thresholds) or ((0, 1),),
        refusal_needs_second=product.approval.refusal_needs_second,
    )


# ------------------------------------------------------------------------------------------------ patents


async def _own_patents(principal: Principal, patent_ids: Sequence[int]) -> list[PatentRecord]:
    """The SME's own recorded patents, in the order asked; any other (another organisation's, or none) is a 404."""
    rows = {p.id: p for p in await patents.patents_by_ids(list(patent_ids))}
    out = []
    for patent_id in patent_ids:
        row = rows.get(patent_id)
        if row is None or row.organisation != principal.org_id:
            missing = Msg("pledge.patent_not_found", {"id": patent_id})
            raise NotFound(missing, errors=[FieldError("patent_ids", missing, code="not_found")])
        out.append(row)
    return out


@dataclass(frozen=True)
class Valued:
    method: str
    total: Money
    per_patent: Mapping[int, int]
    detail: Mapping[str, object]


DISCOUNT_RATE_BP = 1000  # the pricing module's default discount rate (10%, docs/pricing.md)


def value_of(row: PatentRecord, *, annual_net_sales: Money, method: str, on: date) -> tuple[int, dict[str, object]]:
    """The relief-from-royalty value of one patent (``finance.valuation``) and every input and year as a line; a
    patent without a term left, or not granted, is worth nothing here (the pre-check says why)."""
    if row.legal_status != "granted" or row.expiry_date is None or row.expiry_date <= on:
        return 0, {"number": row.number, "value_minor": 0, "lines": []}
    result = valuation.value_patent(
        row,
        ValuationIn(
            patent_id=row.id,
            projected_revenue_minor=[annual_net_sales.minor],
            currency=annual_net_sales.currency,
            discount_rate_bp=DISCOUNT_RATE_BP,
            method=Method(method),
        ),
        on,
    )
    return result.amount.minor, {
        "number": row.number,
        "value_minor": result.amount.minor,
        "royalty_rate_bp": result.royalty_rate_bp,
        "years": str(result.years),
        "lines": [{"key": f.key, "value": f.value, "source": f.source} for f in result.lines],
    }


async def _value(
    rows: Sequence[PatentRecord],
    *,
    method: str,
    appraised_minor: int | None,
    annual_net_sales_minor: int,
    currency: str,
) -> Valued:
    """Relief-from-royalty per patent, the annual net sales shared equally between the patents (every input
    kept); an appraised (external) or agreed total replaces the sum, shared in proportion to the computed values.
    Internal and agreed values only below the shared data's threshold (``finance.valuation.service.threshold``)."""
    on = today()
    share = Money(currency, annual_net_sales_minor // max(len(rows), 1))
    computed: dict[int, int] = {}
    per: dict[str, object] = {}
    for row in rows:
        computed[row.id], per[str(row.id)] = value_of(row, annual_net_sales=share, method=method, on=on)
    total = sum(computed.values())
    detail: dict[str, object] = {
        "method": method,
        "annual_net_sales_minor": annual_net_sales_minor,
        "computed_minor": total,
        "patents": per,
    }
    values: Mapping[int, int] = computed
    if method in ("external", "agreed"):
        if appraised_minor is None:
            needed = Msg("pledge.valuation.value_needed")
            raise ValidationFailed(needed, errors=[FieldError("appraised_value_minor", needed, code="required")])
        detail["appraised_minor"] = appraised_minor
        values, total = _shares(computed, appraised_minor), appraised_minor
    _require_external_above_threshold(method, Money(currency, total), "valuation_method")
    return Valued(method, Money(currency, total), values, detail)


def _require_external_above_threshold(method: str, value: Money, field: str) -> None:
    """Internal and agreed values only below the shared data's threshold; at or above it, an appraised (external)
    one. The SME's value and the bank's replacement alike."""
    limit = valuation.threshold()
    if method in ("internal", "agreed") and limit is not None and value.minor >= limit.minor:
        problem = Msg("pledge.valuation.external_required", {"value": value, "limit": limit})
        raise ValidationFailed(problem, errors=[FieldError(field, problem, code="external_required")])


def _shares(computed: Mapping[int, int], total: int) -> dict[int, int]:
    weight = sum(computed.values())
    ids = list(computed)
    out = {i: (total * computed[i] // weight if weight > 0 else total // len(ids)) for i in ids}
    out[ids[0]] += total - sum(out.values())  # the rounding to the first
    return out


# ------------------------------------------------------------------------------------------------ the draft


async def start(*, principal: Principal, data: ApplicationIn) -> ApplicationOut:
    """A new application (a draft, with its desk case) on a published product with the SME's own patents."""
    org_service.require_approved(principal)
    product = await _published_product(data.product_id)
    rows = await _own_patents(principal, data.patent_ids)
    valued = await _value(
        rows,
        method=data.valuation_method,
        appraised_minor=data.appraised_value_minor,
        annual_net_sales_minor=data.annual_net_sales_minor,
        currency=data.currency,
    )
    application_id = await repository.create(
        applicant=principal.org_id,
        bank=product.bank,
        product=product.id,
        product_version=product.version,
        amount_minor=data.amount_minor,
        currency=data.currency,
        term_months=data.term_months,
        purpose=data.purpose,
        pure_ip=data.pure_ip,
        valuation_method=valued.method,
        valuation_minor=valued.total.minor,
        valuation=valued.detail,
        created_by=principal.user_id,
    )
    await repository.set_patents(application_id, valued.per_patent)
    case = await desk.open_case(
        kind=KIND,
        subject=application_id,
        reviewer_org=product.bank,
        applicant_org=principal.org_id,
        amount=Money(data.currency, data.amount_minor),
        machine=PledgeMachine,
        reference_prefix=REFERENCE_PREFIX,
        sla_working_days=SLA_WORKING_DAYS,
        actor=actor_of(principal),
    )
    await repository.set_case(application_id, case.id)
    await record(
        actor=actor_of(principal),
        action="finance.pledge_started",
        entity_type="pledge_application",
        entity_id=application_id,
        after={
            "case": case.id,
            "reference": case.reference,
            "product": product.id,
            "product_version": product.version,
            "patents": list(data.patent_ids),
            "amount_minor": data.amount_minor,
            "valuation_minor": valued.total.minor,
            "valuation_method": valued.method,
        },
    )
    return await get(principal=principal, application_id=application_id)


async def edit(*, principal: Principal, application_id: int, data: DraftIn) -> ApplicationOut:
    app = await _of_applicant(principal, application_id)
    await _expect(app, data.expected_version, "draft")
    rows = await _own_patents(principal, data.patent_ids)
    valued = await _value(
        rows,
        method=data.valuation_method,
        appraised_minor=data.appraised_value_minor,
        annual_net_sales_minor=data.annual_net_sales_minor,
        currency=app.currency,
    )
    await repository.update_terms(
        application_id,
        amount_minor=data.amount_minor,
        term_months=data.term_months,
        purpose=data.purpose,
        pure_ip=data.pure_ip,
        valuation_method=valued.method,
        valuation_minor=valued.total.minor,
        valuation=valued.detail,
    )
    await repository.set_patents(application_id, valued.per_patent)
    await record(
        actor=actor_of(principal),
        action="finance.pledge_edited",
        entity_type="pledge_application",
        entity_id=application_id,
        before={"amount_minor": app.amount_minor, "term_months": app.term_months},
        after={"amount_minor": data.amount_minor, "term_months": data.term_months, "patents": data.patent_ids},
    )
    return await get(principal=principal, application_id=application_id)


# ------------------------------------------------------------------------------------------------ the pre-check


@dataclass(frozen=True)
class Checked:
    per_patent: Mapping[int, tuple[prechecks.AnyReason, ...]]
    loan: tuple[prechecks.AnyReason, ...]
    amount: prechecks.AmountCheck
    completeness: Completeness
    requirements: Sequence[Requirement]
    rows: Sequence[PatentRecord]
    values: Mapping[int, int]

    @property
    def all(self) -> list[Reason]:
        found = [*(r for rs in self.per_patent.values() for r in rs), *self.loan]
        return [*(prechecks.to_desk(r) for r in found), *self.completeness_reasons]

    @property
    def completeness_reasons(self) -> list[Reason]:
        return document_problems(self.completeness)


async def _check(app: PledgeApplicationRecord) -> Checked:
    product = await _product(app.product, app.product_version)
    pledged = await repository.patents_of(app.id)
    values = {p.patent: p.value_minor for p in pledged}
    rows = await patents.patents_by_ids(list(values))
    on = today()
    in_force = await patents.licences_in_force([r.id for r in rows], on)
    inputs = []
    for row in rows:
        mine = [lic for lic in in_force if lic.patent == row.id]
        inputs.append(
            rules.PatentInput(
                patent_id=row.id,
                facts=patents.facts(row, mine),
                valuation=Money(app.currency, values.get(row.id, 0)),
                open_licence=row.declaration_status == "published",
                licences=tuple(mine),
            )
        )
    org = await org_service.org_by_id(app.applicant)
    names = await universities.patentee_names(app.applicant)
    result = rules.check_application(
        patents=inputs,
        applicant_name=org.name if org else "",
        aliases=names,
        product=product,
        amount=Money(app.currency, app.amount_minor),
        term_months=app.term_months,
        today=on,
    )
    amount = prechecks.amount_check(
        patents=[
            prechecks.PatentValue(
                number=row.number,
                kind=row.kind,
                value=Money(app.currency, values.get(row.id, 0)),
                ltv_bp=product.ltv_bp.get(row.kind, 0),
            )
            for row in rows
        ],
        max_amount=product.max_amount,
        amount=Money(app.currency, app.amount_minor),
    )
    assert app.case is not None
    checklist = _requirements(product)
    completeness = await dossiers.completeness(app.case, checklist)
    return Checked(
        per_patent=result.per_patent,
        loan=tuple(result.loan),
        amount=amount,
        completeness=completeness,
        requirements=checklist,
        rows=rows,
        values=values,
    )


def document_problems(completeness: Completeness) -> list[Reason]:
    """What the checklist lacks: each missing, expired or rejected document, as a reason (its field: the code)."""
    return list(completeness.reasons)


def requirement_lines(
    checklist: Sequence[Requirement], completeness: Completeness
) -> list[RequirementOut]:
    problems = {r.field: r for r in document_problems(completeness)}
    return [
        RequirementOut(
            code=req.code,
            required=req.required,
            label=MsgOut.of(req.label),
            satisfied=req.code not in problems,
            problem=MsgOut.of(problems[req.code].msg) if req.code in problems else None,
        )
        for req in checklist
    ]


def reason_out(r: prechecks.AnyReason, patent_id: int | None = None) -> ReasonOut:
    return ReasonOut(
        code=r.code,
        source=r.source,
        severity=str(r.severity),
        field=r.field,
        patent_id=patent_id,
        params={k: prechecks.plain(v) for k, v in r.params.items()},
        message=MsgOut.of(Msg(f"reason.{r.code}", r.params)),
        source_text=MsgOut.of(Msg(r.source)),
    )


def _precheck_out(checked: Checked, acknowledged: Sequence[str] = ()) -> PrecheckOut:
    reasons = checked.all
    blocking = bool(prechecks.blocking(reasons))
    to_ack = sorted({r.code for r in prechecks.to_acknowledge(reasons)})
    return PrecheckOut(
        reasons=[
            *(reason_out(r, patent_id) for patent_id, rs in checked.per_patent.items() for r in rs),
            *(reason_out(r) for r in checked.loan),
            *(reason_out(r) for r in checked.completeness_reasons),
        ],
        patents=[_patent_line(row, checked.values, checked.per_patent.get(row.id, ())) for row in checked.rows],
        blocking=blocking,
        to_acknowledge=to_ack,
        amount_cap_minor=checked.amount.cap.minor,
        amount_lines=[MsgOut.of(m) for m in checked.amount.lines],
        requirements=requirement_lines(checked.requirements, checked.completeness),
        documents_complete=bool(checked.completeness.complete),
        may_submit=not blocking and not prechecks.unacknowledged(reasons, acknowledged),
    )


def _patent_line(row: PatentRecord, values: Mapping[int, int], reasons: Sequence[Any] = ()) -> PatentLineOut:
    return PatentLineOut(
        patent_id=row.id,
        number=row.number,
        title=row.title_zh or row.title_en,
        title_en=row.title_en or "",
        kind=row.kind,
        value_minor=values.get(row.id, 0),
        reasons=[reason_out(r, row.id) for r in reasons],
    )


async def precheck(*, principal: Principal, application_id: int) -> PrecheckOut:
    """Everything checked before submission, each reason with its source; what blocks; what to acknowledge."""
    app = await _visible(principal, application_id)
    return _precheck_out(await _check(app), app.acknowledged)


def _refusal_errors(reasons: Sequence[Reason]) -> list[FieldError]:
    return [
        FieldError(r.field or "application", Msg(f"reason.{r.code}", r.params), code=r.code, article=r.source)
        for r in reasons
    ]


async def submit(*, principal: Principal, application_id: int, data: SubmitIn) -> ApplicationOut:
    """Submit the draft to the bank: refused (nothing written) while a reason blocks, an acknowledge-reason is not
    acknowledged, or the checklist is incomplete. The pre-check as read is kept as a decision with its snapshot."""
    org_service.require_approved(principal)
    app = await repository.get_for_update(application_id)
    if app is None or app.applicant != principal.org_id:
        raise NotFound(Msg("pledge.not_found"))
    case = await _expect(app, data.expected_version, "draft")
    checked = await _check(app)
    reasons = checked.all
    blocking = prechecks.blocking(reasons)
    if blocking:
        raise ValidationFailed(Msg("pledge.submit_blocked"), errors=_refusal_errors(blocking))
    missing = prechecks.unacknowledged(reasons, data.acknowledged)
    if missing:
        raise ValidationFailed(Msg("pledge.acknowledgement_needed"), errors=_refusal_errors(missing))
    acknowledged = sorted({r.code for r in prechecks.to_acknowledge(reasons)})
    at = datetime.now(UTC)
    snapshot = await _snapshot(app, checked, acknowledged)
    await desk.decide(
        case_id=case.id,
        kind="precheck",
        outcome="passed",
        actor=actor_of(principal),
        role="applicant",
        reasons=reasons,
        snapshot=snapshot,
        amount=Money(app.currency, app.amount_minor),
    )
    await repository.mark_submitted(
        application_id, at=at, precheck=[prechecks.as_json(r) for r in reasons], acknowledged=acknowledged
    )
    await _move(app, "submit", data.expected_version, actor_of(principal))
    await record(
        actor=actor_of(principal),
        action="finance.pledge_submitted",
        entity_type="pledge_application",
        entity_id=application_id,
        after={"reference": case.reference, "acknowledged": acknowledged},
    )
    await _notify_org(app.bank, app, "submitted", Msg("pledge.notice.submitted", {"reference": case.reference}))
    return await get(principal=principal, application_id=application_id)


async def _snapshot(app: PledgeApplicationRecord, checked: Checked, acknowledged: Sequence[str]) -> dict[str, Any]:
    """What the decision knew: the patents as read, the valuation, the product version, the amount explained."""
    return {
        "application": app.id,
        "product": app.product,
        "product_version": app.product_version,
        "amount_minor": app.amount_minor,
        "currency": app.currency,
        "term_months": app.term_months,
        "valuation": {"method": app.valuation_method, "minor": app.valuation_minor, "detail": dict(app.valuation)},
        "patents": [
            {
                "id": row.id,
                "number": row.number,
                "kind": row.kind,
                "legal_status": row.legal_status,
                "expiry_date": row.expiry_date.isoformat() if row.expiry_date else None,
                "annual_fees_paid_through": (
                    row.annual_fees_paid_through.isoformat() if row.annual_fees_paid_through else None
                ),
                "patentees": list(row.patentees),
                "pledged": row.pledged,
                "declaration_status": row.declaration_status,
                "value_minor": checked.values.get(row.id, 0),
            }
            for row in checked.rows
        ],
        "amount_cap_minor": checked.amount.cap.minor,
        "acknowledged": list(acknowledged),
        "read_on": today().isoformat(),
    }


# ------------------------------------------------------------------------------------------------ documents


async def upload(
    *,
    principal: Principal,
    application_id: int,
    requirement: str,
    filename: str,
    content_type: str,
    content: bytes,
    issued_on: date | None,
) -> DocumentOut:
    """A document of the product's checklist (a new version of that requirement). The SME uploads while its
    application is open; the bank's own documents (an appraisal it commissioned) too."""
    app = await _visible(principal, application_id)
    case = await _case(app)
    if case.state in FINAL:
        raise Conflict(Msg("pledge.closed"))
    product = await _product(app.product, app.product_version)
    found = [r for r in product.documents if r.code == requirement]
    if not found:
        unknown = Msg("pledge.requirement_unknown", {"code": requirement})
        raise ValidationFailed(unknown, errors=[FieldError("requirement", unknown, code="unknown")])
    document = await dossiers.upload(
        case_id=case.id,
        requirement=requirement_of(found[0]),
        filename=filename,
        content_type=content_type,
        content=content,
        issued_on=issued_on,
        actor=actor_of(principal),
    )
    if principal.org_id == app.applicant and case.state == "more_info":
        message = Msg("pledge.notice.uploaded", {"reference": case.reference})
        await _notify_org(app.bank, app, f"uploaded-{document.id}", message)
    return DocumentOut.model_validate(document)


async def document_content(*, principal: Principal, application_id: int, document_id: int) -> tuple[Any, bytes]:
    app = await _visible(principal, application_id)
    assert app.case is not None
    for document in await dossiers.documents(app.case):
        if document.id == document_id:
            return document, await dossiers.content(document_id)
    raise NotFound(Msg("pledge.document_not_found"))


# ------------------------------------------------------------------------------------------------ SME moves


async def resubmit(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    """After a more-info request: the SME sends the application back to review (the SLA clock resumes)."""
    app = await _of_applicant(principal, application_id)
    case = await _expect(app, data.expected_version, "more_info")
    product = await _product(app.product, app.product_version)
    completeness = await dossiers.completeness(case.id, _requirements(product))
    problems = document_problems(completeness)
    if problems:
        raise ValidationFailed(Msg("pledge.documents_incomplete"), errors=_refusal_errors(problems))
    await _move(app, "resubmit", data.expected_version, actor_of(principal))
    await _notify_org(
        app.bank, app, f"resubmitted-{case.version}", Msg("pledge.notice.resubmitted", {"reference": case.reference})
    )
    return await get(principal=principal, application_id=application_id)


async def accept(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    """The SME accepts the bank's offer before it expires: ``pledges.accepted`` (the contract follows)."""
    org_service.require_approved(principal)
    app = await _of_applicant(principal, application_id)
    case = await _expect(app, data.expected_version, "offered")
    if app.offer_expires_on is not None and app.offer_expires_on < today():
        raise Conflict(Msg("pledge.offer_expired", {"expires_on": app.offer_expires_on}))
    at = datetime.now(UTC)
    await _move(app, "accept", data.expected_version, actor_of(principal))
    await repository.mark_accepted(application_id, at=at, by=principal.user_id)
    await desk.decide(
        case_id=case.id,
        kind="acceptance",
        outcome="accepted",
        actor=actor_of(principal),
        role="applicant",
        snapshot={
            "offer_amount_minor": app.offer_amount_minor,
            "offer_rate_bp": app.offer_rate_bp,
            "offer_term_months": app.offer_term_months,
            "offer_expires_on": app.offer_expires_on.isoformat() if app.offer_expires_on else None,
        },
        amount=Money(app.currency, app.offer_amount_minor or app.amount_minor),
    )
    await record(
        actor=actor_of(principal),
        action="finance.pledge_accepted",
        entity_type="pledge_application",
        entity_id=application_id,
        after={"reference": case.reference, "offer_amount_minor": app.offer_amount_minor},
    )
    await events.emit(ACCEPTED_EVENT, application_id=application_id)
    await _notify_org(app.bank, app, "accepted", Msg("pledge.notice.accepted", {"reference": case.reference}))
    return await get(principal=principal, application_id=application_id)


async def withdraw(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    app = await _of_applicant(principal, application_id)
    case = await _move(app, "withdraw", data.expected_version, actor_of(principal))
    await record(
        actor=actor_of(principal),
        action="finance.pledge_withdrawn",
        entity_type="pledge_application",
        entity_id=application_id,
        after={"reference": case.reference},
    )
    if app.submitted_at is not None:
        await _notify_org(app.bank, app, "withdrawn", Msg("pledge.notice.withdrawn", {"reference": case.reference}))
    return await get(principal=principal, application_id=application_id)


# ------------------------------------------------------------------------------------------------ bank moves


async def start_review(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    org_service.require_approved(principal)
    app = await _of_bank(principal, application_id)
    await _move(app, "start_review", data.expected_version, actor_of(principal))
    return await get(principal=principal, application_id=application_id)


async def request_info(*, principal: Principal, application_id: int, data: MoreInfoIn) -> ApplicationOut:
    """Ask the SME for more (documents of the checklist, an answer): the SLA clock pauses until it resubmits."""
    org_service.require_approved(principal)
    app = await _of_bank(principal, application_id)
    product = await _product(app.product, app.product_version)
    known = {r.code for r in product.documents}
    unknown = [code for code in data.requirements if code not in known]
    if unknown:
        bad = Msg("pledge.requirement_unknown", {"code": ", ".join(unknown)})
        raise ValidationFailed(bad, errors=[FieldError("requirements", bad, code="unknown")])
    case = await _move(app, "request_info", data.expected_version, actor_of(principal))
    await desk.decide(
        case_id=case.id,
        kind="more_info",
        outcome="requested",
        actor=actor_of(principal),
        role="reviewer",
        text=data.text,
        snapshot={"requirements": list(data.requirements)},
    )
    message = Msg("pledge.notice.more_info", {"reference": case.reference})
    body = Msg("pledge.notice.more_info_body", {"text": data.text, "requirements": tuple(data.requirements)})
    await _notify_org(app.applicant, app, f"more-info-{case.version}", message, body)
    return await get(principal=principal, application_id=application_id)


async def decide_valuation(*, principal: Principal, application_id: int, data: ValuationDecisionIn) -> ApplicationOut:
    """The bank accepts the valuation or replaces it with its own (a decision with both values in its snapshot; an
    internal or agreed replacement only below the threshold). The decision takes the case's next version."""
    org_service.require_approved(principal)
    app = await repository.get_for_update(application_id)
    if app is None or app.bank != principal.org_id or app.submitted_at is None:
        raise NotFound(Msg("pledge.not_found"))
    case = await _expect(app, data.expected_version, "submitted", "in_review")
    before = {"method": app.valuation_method, "minor": app.valuation_minor}
    after = before
    if data.outcome == "replaced":
        if data.value_minor is None:
            needed = Msg("pledge.valuation.value_needed")
            raise ValidationFailed(needed, errors=[FieldError("value_minor", needed, code="required")])
        method = data.method or "agreed"
        _require_external_above_threshold(method, Money(app.currency, data.value_minor), "method")
        after = {"method": method, "minor": data.value_minor}
        detail = {**dict(app.valuation), "replaced_by_bank": {"before": before, "after": after}}
        await repository.set_valuation(application_id, method=method, minor=data.value_minor, valuation=detail)
        pledged = await repository.patents_of(application_id)
        await repository.set_patents(
            application_id, _shares({p.patent: p.value_minor for p in pledged}, data.value_minor)
        )
    await desk.decide(
        case_id=case.id,
        kind="valuation",
        outcome=data.outcome,
        actor=actor_of(principal),
        role="reviewer",
        text=data.text,
        snapshot={"before": before, "after": after, "detail": dict(app.valuation)},
        amount=Money(app.currency, int(after["minor"])),  # type: ignore[call-overload]
        expected_version=data.expected_version,  # the decision takes the case's next version: a second on it, 409
    )
    return await get(principal=principal, application_id=application_id)


def _reasons_of(codes: Sequence[str]) -> list[Reason]:
    unknown = [c for c in codes if c not in prechecks.REFUSAL_CODES]
    if unknown:
        bad = Msg("pledge.refusal_reason_unknown", {"code": ", ".join(unknown)})
        raise ValidationFailed(bad, errors=[FieldError("reasons", bad, code="unknown")])
    return [reason(code) for code in codes]


async def propose(*, principal: Principal, application_id: int, data: ProposalIn) -> ApplicationOut:
    """A maker's credit proposal (approve with amount, rate and term; or refuse with coded reasons)."""
    org_service.require_approved(principal)
    app = await _of_bank(principal, application_id)
    product = await _product(app.product, app.product_version)
    reasons = _reasons_of(data.reasons)
    if data.outcome == "refuse" and not reasons:
        needed = Msg("pledge.refusal_reason_needed")
        raise ValidationFailed(needed, errors=[FieldError("reasons", needed, code="required")])
    amount = Money(app.currency, data.amount_minor or app.amount_minor)
    if data.outcome == "approve" and amount.minor > product.max_amount.minor:
        above = Msg("reason.pledge.floor.max_amount", {"amount": amount, "most": product.max_amount})
        raise ValidationFailed(above, errors=[FieldError("amount_minor", above, code="above_cap")])
    case = await _expect(app, data.expected_version, "in_review")
    await desk.propose(
        case_id=case.id,
        outcome=data.outcome,
        actor=actor_of(principal),
        role="maker",
        amount=amount,
        reasons=reasons,
        text=data.text,
        snapshot={
            "rate_bp": data.rate_bp,
            "term_months": data.term_months or app.term_months,
            "valuation_minor": app.valuation_minor,
            "product_version": app.product_version,
        },
        policy=_policy(product),
        expected_version=data.expected_version,
        machine=PledgeMachine,
        event="propose",
    )
    return await get(principal=principal, application_id=application_id)


async def approve(*, principal: Principal, application_id: int, data: ApprovalIn) -> ApplicationOut:
    """A checker approves the proposal: never its maker (the desk refuses, 403); once every approval the amount
    needs is in, the application is approved (or, a refusal proposal, refused with its letter)."""
    org_service.require_approved(principal)
    app = await _of_bank(principal, application_id)
    case = await _expect(app, data.expected_version, "proposed")
    proposal = await _proposal(case.id, data.proposal_id)
    _, complete = await desk.approve(
        proposal_id=proposal.id,
        actor=actor_of(principal),
        role="checker",
        text=data.text,
        expected_version=data.expected_version,
        machine=PledgeMachine,
        event="refuse" if proposal.outcome == "refuse" else "approve",
    )
    if complete and proposal.outcome == "refuse":
        moved = await _case(app)
        await _refused(app, moved, list(proposal.reasons), proposal.text, actor_of(principal), state_before=case.state)
    return await get(principal=principal, application_id=application_id)


async def _proposal(case_id: int, proposal_id: int) -> DecisionRecord:
    found = await desk.decision(proposal_id)
    if found is None or found.case != case_id or found.kind != "proposal":
        raise NotFound(Msg("pledge.proposal_not_found"))
    return found


async def send_back(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    app = await _of_bank(principal, application_id)
    await _move(app, "send_back", data.expected_version, actor_of(principal))
    return await get(principal=principal, application_id=application_id)


async def _term_past_expiry(app: PledgeApplicationRecord, term_months: int) -> list[FieldError]:
    """CNIPA ground 06 at the offer too: the offered term may not run past a pledged patent's expiry (the
    pre-check saw the term applied for; the offer may change it)."""
    out = []
    ends = rules.add_months(today(), term_months)
    for pledged in await repository.patents_of(app.id):
        row = await patents.patent_by_id(pledged.patent)
        if row is not None and row.expiry_date is not None and ends > row.expiry_date:
            refusal = rules.ground(6, debt_ends=ends, expiry=row.expiry_date)
            out.append(FieldError("term_months", refusal.msg, code=refusal.code, article=refusal.source))
    return out


async def offer(*, principal: Principal, application_id: int, data: OfferIn) -> ApplicationOut:
    """The offer to the SME: amount, rate and term, open until ``expires_on`` (a job expires it)."""
    org_service.require_approved(principal)
    app = await _of_bank(principal, application_id)
    product = await _product(app.product, app.product_version)
    errors = []
    if data.expires_on <= today():
        errors.append(FieldError("expires_on", Msg("pledge.offer_expiry_past"), code="past"))
    if data.amount_minor > product.max_amount.minor:
        errors.append(
            FieldError(
                "amount_minor",
                Msg("reason.pledge.floor.max_amount", {"amount": Money(app.currency, data.amount_minor),
                                                        "most": product.max_amount}),
                code="above_cap",
            )
        )
    if data.term_months > product.max_term_months:
        errors.append(
            FieldError(
                "term_months",
                Msg("reason.pledge.floor.max_term", {"months": data.term_months, "most": product.max_term_months}),
                code="above_cap",
            )
        )
    errors += await _term_past_expiry(app, data.term_months)
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    case = await _move(app, "offer", data.expected_version, actor_of(principal))
    await repository.set_offer(
        application_id,
        amount_minor=data.amount_minor,
        rate_bp=data.rate_bp,
        term_months=data.term_months,
        expires_on=data.expires_on,
    )
    await desk.decide(
        case_id=case.id,
        kind="offer",
        outcome="offered",
        actor=actor_of(principal),
        role="reviewer",
        snapshot={
            "amount_minor": data.amount_minor,
            "rate_bp": data.rate_bp,
            "term_months": data.term_months,
            "expires_on": data.expires_on.isoformat(),
        },
        amount=Money(app.currency, data.amount_minor),
    )
    message = Msg("pledge.notice.offered", {"reference": case.reference, "expires_on": data.expires_on})
    await _notify_org(app.applicant, app, "offered", message)
    return await get(principal=principal, application_id=application_id)


async def refuse(*, principal: Principal, application_id: int, data: RefusalIn) -> ApplicationOut:
    """Refuse with coded reasons. Where the product says a refusal needs a second approver, this makes a refusal
    proposal instead (a checker's approval refuses)."""
    org_service.require_approved(principal)
    app = await _of_bank(principal, application_id)
    product = await _product(app.product, app.product_version)
    reasons = _reasons_of(data.reasons)
    case = await _expect(app, data.expected_version, "submitted", "in_review", "more_info")
    if product.approval.refusal_needs_second:
        if case.state != "in_review":
            raise Conflict(Msg("pledge.refusal_needs_review"), state=case.state)
        return await propose(
            principal=principal,
            application_id=application_id,
            data=ProposalIn(
                expected_version=data.expected_version, outcome="refuse", reasons=data.reasons, text=data.text
            ),
        )
    moved = await _move(app, "refuse", data.expected_version, actor_of(principal))
    await _refused(app, moved, reasons, data.text, actor_of(principal), state_before=case.state)
    return await get(principal=principal, application_id=application_id)


async def _refused(
    app: PledgeApplicationRecord,
    case: CaseRecord,
    reasons: Sequence[Reason],
    text: str,
    actor: Actor,
    *,
    state_before: str,
) -> None:
    """The refusal recorded (the case has moved): a decision with its reasons and its letter, whose text is also
    the applicant's notification (``finance.letters``)."""
    decision = await desk.decide(
        case_id=case.id,
        kind="refusal",
        outcome="refused",
        actor=actor,
        role="reviewer",
        reasons=reasons,
        text=text,
        snapshot={
            "state_before": state_before,
            "amount_minor": app.amount_minor,
            "valuation_minor": app.valuation_minor,
        },
    )
    letter = await letters.render_letter(
        decision,
        case,
        what_to_fix=[Msg(f"pledge.fix.{r.code.removeprefix('pledge.refusal.')}") for r in reasons],
        how_to_reapply=Msg("pledge.how_to_reapply"),
    )
    # the applicant's members are told by finance.letters (its job on ``letters.issued``), in the letter's words
    await record(
        actor=actor,
        action="finance.pledge_refused",
        entity_type="pledge_application",
        entity_id=app.id,
        after={"reference": case.reference, "reasons": [r.code for r in reasons], "letter": letter.sha256},
    )


# ------------------------------------------------------------------------------------------------ jobs


async def expire_offers(*, on: date) -> int:
    """Offers past their expiry and not accepted become ``offer_expired`` (each once; safe to run twice)."""
    count = 0
    for app in await repository.offers_ending_before(on):
        case = await _case(app)
        if case.state != "offered":
            continue
        await _move(app, "expire", case.version, Actor.system())
        await _notify_org(
            app.applicant, app, "offer-expired", Msg("pledge.notice.offer_expired", {"reference": case.reference})
        )
        count += 1
    return count


# ------------------------------------------------------------------------------------------------ reading


async def _notify_org(
    org_id: int, app: PledgeApplicationRecord, event: str, message: Msg, body: Msg | None = None
) -> None:
    await notify_members(
        org_id=org_id, kind="pledge", message=message, body=body, dedupe_key=f"pledge:{app.id}:{event}"
    )


def _events(principal: Principal, app: PledgeApplicationRecord, state: str) -> list[str]:
    if principal.org_id == app.applicant:
        return list(SME_EVENTS.get(state, ()))
    if principal.org_id == app.bank:
        return list(BANK_EVENTS.get(state, ()))
    return []


def decision_out(d: DecisionRecord) -> DecisionOut:
    return DecisionOut(
        id=d.id,
        kind=d.kind,
        outcome=d.outcome,
        decided_by=d.decided_by,
        role=d.role,
        decided_at=d.decided_at,
        reasons=[reason_out(r) for r in d.reasons],
        text=d.text,
        amount_minor=d.amount_minor,
        proposal_id=d.proposal,
    )


async def application_out(principal: Principal, app: PledgeApplicationRecord) -> ApplicationOut:
    case = await _case(app)
    product = await _product(app.product, app.product_version)
    pledged = await repository.patents_of(app.id)
    values = {p.patent: p.value_minor for p in pledged}
    rows = {r.id: r for r in await patents.patents_by_ids(list(values))}
    applicant = await org_service.org_by_id(app.applicant)
    bank = await org_service.org_by_id(app.bank)
    return ApplicationOut(
        id=app.id,
        case_id=app.case,
        reference=case.reference,
        state=case.state,
        version=case.version,
        applicant_org_id=app.applicant,
        applicant_name=applicant.name if applicant else "",
        bank_org_id=app.bank,
        bank_name=bank.name if bank else "",
        product_id=app.product,
        product_version=app.product_version,
        product_name=product.name_zh,
        product_name_en=product.name_en or "",
        amount_minor=app.amount_minor,
        currency=app.currency,
        term_months=app.term_months,
        purpose=app.purpose,
        pure_ip=app.pure_ip,
        valuation_method=app.valuation_method,
        valuation_minor=app.valuation_minor,
        valuation=dict(app.valuation),
        patents=[_patent_line(rows[p.patent], values) for p in pledged if p.patent in rows],
        acknowledged=list(app.acknowledged),
        offer_amount_minor=app.offer_amount_minor,
        offer_rate_bp=app.offer_rate_bp,
        offer_term_months=app.offer_term_months,
        offer_expires_on=app.offer_expires_on,
        submitted_at=app.submitted_at,
        accepted_at=app.accepted_at,
        created_at=app.created_at,
        due_on=case.due_on,
        events=_events(principal, app, case.state),
        decisions=[decision_out(d) for d in await desk.decisions(case.id)],
        documents=[DocumentOut.model_validate(d) for d in await dossiers.documents(case.id)],
    )


async def get(*, principal: Principal, application_id: int) -> ApplicationOut:
    return await application_out(principal, await _visible(principal, application_id))


async def list_mine(*, principal: Principal) -> list[ApplicationOut]:
    """An SME's applications; a bank's submitted cases, open and closed (its working queue is the desk's)."""
    if principal.org_kind.value == "bank":
        page = await desk.queue(reviewer_org=principal.org_id, kind=KIND, open_only=False, limit=200, offset=0)
        apps = await repository.by_ids([c.subject for c in page.items])
        submitted = [apps[c.subject] for c in page.items if c.subject in apps and apps[c.subject].submitted_at]
        return [await application_out(principal, a) for a in submitted]
    return [await application_out(principal, a) for a in await repository.for_applicant(principal.org_id)]


async def finance_options(principal: Principal) -> list[FinanceOptionOut]:
    """For each of the SME's recorded patents, every published product it may (or may not) support, with the
    reasons and the most the product lends (``finance.loan_products.service.eligible_products``)."""
    out = []
    on = today()
    listed = await patents.list_patents(principal=principal, per_page=200)
    for row in await patents.patents_by_ids([p.id for p in listed.items]):
        for option in await products.eligible_products(row, on):
            out.append(
                FinanceOptionOut(
                    patent_id=row.id,
                    product_id=option.product.id,
                    product_name=option.product.name_zh,
                    product_name_en=option.product.name_en or "",
                    bank_name=option.product.bank_name,
                    eligible=option.eligible,
                    max_amount_minor=option.max_amount.minor if option.max_amount else None,
                    reasons=[reason_out(r, row.id) for r in option.reasons],
                )
            )
    return out
