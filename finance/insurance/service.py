"""IP insurance applications: eligibility from the record, the licensee's consent request, the SME's application
(questionnaire answered once and frozen with its version and the Art 16 acknowledgement, the quote frozen) and the
insurer's underwriting on the review desk.

- Eligibility (``eligibility``) runs before anything is asked, per patent, each rule a reason code with its source
  (``finance.insurance.eligibility``); a blocking reason refuses the application (422, one error per patent).
- A licensee insures a patent licensed on this platform only with the patentee's recorded consent: one click asks
  the university (``request_consent``); only a member of the patentee organisation grants or refuses it.
- The answers are written once (a conditional update): the questions as they were, their version, the duty of
  disclosure acknowledged (who, when) and the quote (``finance.insurance_products.quote.compute_quote``) with its
  validity. Answering again is a 409 and writes nothing; a later change of the product's questionnaire changes
  nothing here.
- The desk case (kind "insurance") opens with the quote (its amount: the aggregate limit). One underwriter accepts
  or declines at or below the product version's four-eyes threshold; above it a maker proposes and a different
  member approves (the desk refuses the maker). Declining, and accepting with conditions, writes the coded reasons
  and a bilingual decision letter (``finance.letters``). Acceptance emits ``insurance.accepted``; the policy is bound
  by ``finance.policies`` (``mark_bound``) before the quote's validity ends, or the application lapses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from finance.desk import service as desk
from finance.desk.reasons import Reason, reason
from finance.desk.records import CaseRecord, DecisionRecord
from finance.dossiers import service as dossiers
from finance.dossiers.checklist import PDF, Completeness, Requirement
from finance.insurance import eligibility as rules
from finance.insurance import repository
from finance.insurance.machine import FINAL, KIND, REFERENCE_PREFIX, InsuranceMachine
from finance.insurance.records import (
    ApplicationLine,
    ApplicationRecord,
    ApplicationRow,
    ConsentRecord,
    EligibilityResult,
)
from finance.insurance.schemas import (
    AnswersIn,
    ApplicationIn,
    ApplicationOut,
    ApplicationSummaryOut,
    ApprovalIn,
    ConsentDecisionIn,
    ConsentOut,
    DecisionIn,
    DecisionOut,
    DocumentOut,
    EligibilityOut,
    MoreInfoIn,
    MoveIn,
    PatentLineOut,
    QuestionOut,
    QuoteLineOut,
    QuoteOut,
    ReasonOut,
    RequirementOut,
)
from finance.insurance_products import service as products
from finance.insurance_products.quote import Quote
from finance.insurance_products.records import InsuranceProductVersionRecord
from finance.letters import service as letters
from finance.licences import service as licences
from listings.patents import service as patents
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.message_json import message_from_json, params_to_json
from market.kit.money import Money
from market.kit.words import MsgOut
from market.notifications.service import notify_members
from market.orgs import service as org_service

SLA_WORKING_DAYS = 10  # the insurer's review, in working days
ACCEPTED_EVENT = "insurance.accepted"
DECLINED_EVENT = "insurance.declined"
SUBMITTED_EVENT = "insurance.submitted"
BOUND_EVENT = "insurance.bound"
LAPSED_EVENT = "insurance.lapsed"
MORE_INFO_EVENT = "insurance.more_info"
FIRM_TIERS = ("sme", "champion")

SME_EVENTS: Mapping[str, tuple[str, ...]] = {
    "draft": ("answer", "upload", "submit", "withdraw"),
    "submitted": ("upload", "withdraw"),
    "in_review": ("upload", "withdraw"),
    "more_info": ("upload", "resubmit", "withdraw"),
}
INSURER_EVENTS: Mapping[str, tuple[str, ...]] = {
    "submitted": ("start_review", "request_info", "decline"),
    "in_review": ("request_info", "accept", "decline"),
    "more_info": ("decline",),
    "proposed": ("approve", "send_back"),
}

CO_OWNER_REQUIREMENT = Requirement(
    code=rules.CO_OWNER_CONSENT,
    required=True,
    accepted_types=(PDF,),
    label=Msg("insurance.requirement.co_owner_consent"),
)


def today() -> date:
    return datetime.now(UTC).date()


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


def _not_found() -> NotFound:
    return NotFound(Msg("insurance.not_found"))


# ------------------------------------------------------------------------------------------------ access


async def _of_applicant(principal: Principal, application_id: int) -> ApplicationRow:
    app = await repository.get(application_id)
    if app is None or app.applicant != principal.org_id:
        raise _not_found()
    return app


async def _of_insurer(principal: Principal, application_id: int) -> ApplicationRow:
    """The insurer sees its own applications once submitted; a draft, or another insurer's, is not there."""
    app = await repository.get(application_id)
    if app is None or app.insurer != principal.org_id or app.submitted_at is None:
        raise _not_found()
    return app


async def _visible(principal: Principal, application_id: int) -> ApplicationRow:
    app = await repository.get(application_id)
    if app is not None and app.applicant == principal.org_id:
        return app
    return await _of_insurer(principal, application_id)


async def _locked(application_id: int) -> ApplicationRow:
    app = await repository.get_for_update(application_id)
    if app is None:
        raise _not_found()
    return app


async def _case(app: ApplicationRow) -> CaseRecord | None:
    return await desk.case(app.case) if app.case is not None else None


async def _require_case(app: ApplicationRow) -> CaseRecord:
    case = await _case(app)
    if case is None:  # not answered yet: the case opens with the quote
        raise Conflict(Msg("insurance.answers_needed"), state="draft")
    return case


async def _expect(app: ApplicationRow, expected_version: int, *states: str) -> CaseRecord:
    """For a decision that moves no state: the case must still be at the version (and in a state) the caller read."""
    case = await _require_case(app)
    if case.version != expected_version or (states and case.state not in states):
        raise Conflict(Msg("desk.stale"), state=case.state, version=case.version)
    return case


async def _move(app: ApplicationRow, event: str, expected_version: int, actor: Actor) -> CaseRecord:
    case = await _require_case(app)
    return await desk.transition(
        case_id=case.id, event=event, expected_version=expected_version, actor=actor, machine=InsuranceMachine
    )


# ------------------------------------------------------------------------------------------------ products


async def _version(version_id: int) -> InsuranceProductVersionRecord:
    try:
        return await products.version(version_id)
    except NotFound:
        missing = Msg("insurance.product_not_found")
        raise NotFound(missing, errors=[FieldError("product_version_id", missing, code="not_found")]) from None


async def _published(version_id: int) -> InsuranceProductVersionRecord:
    product = await _version(version_id)
    if product.status != "published":
        missing = Msg("insurance.product_not_found")
        raise NotFound(missing, errors=[FieldError("product_version_id", missing, code="not_found")])
    return product


def approval_policy(product: InsuranceProductVersionRecord) -> desk.ApprovalPolicy:
    """The desk's policy for a proposal: a version's threshold says how many underwriters in all decide above it
    (the maker is one of them), the desk counts the approvals besides the maker's proposal: two underwriters are the
    maker and one checker."""
    return desk.ApprovalPolicy(
        thresholds=tuple((above, max(1, n - 1)) for above, n in product.approval_thresholds) or ((0, 1),),
        refusal_needs_second=product.refusal_needs_second,
    )


def four_eyes(product: InsuranceProductVersionRecord, aggregate_limit_minor: int) -> bool:
    """Above the product version's four-eyes threshold (the lowest limit its approval thresholds ask two or more
    approvers for) a second member approves; at or below it one underwriter decides."""
    above = product.four_eyes_above_minor
    return above is not None and aggregate_limit_minor > above


def requirements(product: InsuranceProductVersionRecord, *, co_owned: bool) -> list[Requirement]:
    """The product version's checklist, and the co-owners' written consent where a patent is co-owned."""
    out = list(product.documents)
    if co_owned and all(r.code != rules.CO_OWNER_CONSENT for r in out):
        out.append(CO_OWNER_REQUIREMENT)
    return out


def _co_owned(app: ApplicationRow) -> bool:
    return any(r.get("code") == rules.CO_OWNED for r in app.eligibility)


async def checklist_of_case(found: CaseRecord) -> list[Requirement]:
    """The checklist of an insurance case (the dossiers' generic upload and checklist pages read it)."""
    app = await repository.get(found.subject)
    if app is None:
        return []
    return requirements(await products.version(app.product_version), co_owned=_co_owned(app))


dossiers.register_checklist(KIND, checklist_of_case)
desk.register_case_page(KIND, "/insurer/applications/{subject}")


# ------------------------------------------------------------------------------------------------ firm tier


async def firm_tier(org_id: int) -> str:
    """"sme" or "champion" (Beijing's 专精特新/领军 distinction) from the firm's recorded qualifications. The platform
    records no qualifications yet, so every firm is "sme" (the application page says so)."""
    return "sme"


# ------------------------------------------------------------------------------------------------ eligibility


def _in_force(lic: Any, on: date) -> bool:
    return bool(lic.status == "active" and (lic.ends_on is None or lic.ends_on >= on))


async def _holdings(org_id: int, patent_ids: Sequence[int]) -> list[rules.Holding]:
    rows = {p.id: p for p in await patents.patents_by_ids(list(patent_ids))}
    on = today()
    licensed: dict[int, int] = {}
    for lic in await licences.licences_of_org(org_id, side="licensee"):
        if _in_force(lic, on):
            licensed.setdefault(lic.patent, lic.id)
    out = []
    for patent_id in patent_ids:
        row = rows.get(patent_id)
        owned = row is not None and row.organisation == org_id
        licence_id = licensed.get(patent_id) if row is not None and not owned else None
        if row is None or (not owned and licence_id is None):
            # neither the SME's nor licensed to it: nothing of the record is read or shown (no number, no facts)
            out.append(
                rules.Holding(
                    patent_id=patent_id, number=f"#{patent_id}", kind="", jurisdiction="", legal_status="",
                    expiry_date=None, patentees=(), suspension="", infringement_dispute="", owned=False,
                )
            )  # fmt: skip
            continue
        consent = licence_id is not None and await repository.granted_consent(org_id, patent_id) is not None
        out.append(
            rules.Holding(
                patent_id=row.id,
                number=row.number,
                kind=row.kind,
                jurisdiction=row.jurisdiction,
                legal_status=row.legal_status,
                expiry_date=row.expiry_date,
                patentees=tuple(row.patentees or ()),
                suspension=row.suspension,
                infringement_dispute=row.infringement_dispute,
                owned=owned,
                licence_id=licence_id,
                consent=consent,
            )
        )
    return out


def _check_all(
    holdings: Sequence[rules.Holding], product: InsuranceProductVersionRecord, on: date
) -> list[EligibilityResult]:
    out = []
    for h in holdings:
        if not h.owned and h.licence_id is None:
            found = reason(rules.NOT_HOLDER, field=f"patent_ids.{h.patent_id}", number=h.number)
            out.append(EligibilityResult(patent_id=h.patent_id, reasons=(found,), ok=False, number=h.number))
            continue
        out.append(rules.check(
                h, min_remaining_years=product.min_remaining_years, kinds=product.patent_kinds, today=on
            ))
    return out


async def eligibility_of(
    *, org_id: int, product_version_id: int, patent_ids: Sequence[int]
) -> list[EligibilityResult]:
    product = await _version(product_version_id)
    return _check_all(await _holdings(org_id, patent_ids), product, today())


def _refuse_not_held(results: Sequence[EligibilityResult]) -> None:
    """A patent the SME neither holds nor has licensed here is another's record (or none): 404, each such patent a
    field error with the rule's code and source, and nothing of the record said."""
    errors = [
        FieldError(r.field, r.msg, code=r.code, article=r.source)
        for result in results
        for r in result.reasons
        if r.code == rules.NOT_HOLDER
    ]
    if errors:
        raise NotFound(Msg("insurance.patents_not_held"), errors=errors)


async def eligibility(
    *, principal: Principal, product_version_id: int, patent_ids: Sequence[int]
) -> list[EligibilityResult]:
    """Per patent, every rule's reason (nothing written), on any version of a product (an endorsement reads the
    policy's own). A patent the SME neither holds nor has licensed is one reason
    (``insurance.eligibility.not_patentee_or_licensee``), nothing else of its record read."""
    return await eligibility_of(
        org_id=principal.org_id, product_version_id=product_version_id, patent_ids=patent_ids
    )


async def check_eligibility(
    *, principal: Principal, product_version_id: int, patent_ids: Sequence[int]
) -> list[EligibilityResult]:
    """What the API and the pages show before an application: a published product version only; a patent the SME
    neither holds nor has licensed here is another's record (or none): refused (404) with the rule's code."""
    product = await _published(product_version_id)
    results = _check_all(await _holdings(principal.org_id, patent_ids), product, today())
    _refuse_not_held(results)
    return results


def reason_out(r: Reason, patent_id: int | None = None) -> ReasonOut:
    return ReasonOut(
        code=r.code,
        source=r.source,
        severity=r.severity.value,
        field=r.field,
        patent_id=patent_id,
        params=params_to_json(r.params),
        message=MsgOut.of(r.msg),
        source_text=MsgOut.of(Msg(r.source)),
    )


def eligibility_out(result: EligibilityResult) -> EligibilityOut:
    return EligibilityOut(
        patent_id=result.patent_id,
        number=result.number,
        ok=result.ok,
        role=result.role,
        licence_id=result.licence_id,
        reasons=[reason_out(r, result.patent_id) for r in result.reasons],
    )


def _blocking_errors(results: Sequence[EligibilityResult]) -> list[FieldError]:
    return [
        FieldError(r.field or "patent_ids", r.msg, code=r.code, article=r.source)
        for result in results
        for r in result.reasons
        if r.blocks
    ]


def _stored(results: Sequence[EligibilityResult]) -> list[dict[str, Any]]:
    return [{**r.as_json(), "patent_id": result.patent_id} for result in results for r in result.reasons]


async def eligible_patents(principal: Principal) -> list[tuple[int, str, str]]:
    """The SME's own recorded patents and those licensed to it here: (patent id, number, title), for the pages."""
    listed = await patents.list_patents(principal=principal, per_page=200)
    out = [(p.id, p.number, p.title_zh or p.title_en) for p in listed.items]
    seen = {p[0] for p in out}
    on = today()
    licensed = [
        lic.patent
        for lic in await licences.licences_of_org(principal.org_id, side="licensee")
        if _in_force(lic, on) and lic.patent not in seen
    ]
    for row in await patents.patents_by_ids(list(dict.fromkeys(licensed))):
        out.append((row.id, row.number, row.title_zh or row.title_en))
    return out


# ------------------------------------------------------------------------------------------------ consents


async def _consent_out(row: ConsentRecord) -> ConsentOut:
    patent = await patents.patent_by_id(row.patent)
    licensee = await org_service.org_by_id(row.licensee)
    patentee = await org_service.org_by_id(row.patentee)
    return ConsentOut(
        id=row.id,
        licence_id=row.licence,
        patent_id=row.patent,
        patent_number=patent.number if patent else "",
        licensee_org_id=row.licensee,
        licensee_name=licensee.name if licensee else "",
        patentee_org_id=row.patentee,
        patentee_name=patentee.name if patentee else "",
        state=row.state,
        version=row.version,
        note=row.note,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
    )


async def _notify_members(org_id: int, kind: str, key: str, message: Msg, body: Msg | None = None) -> None:
    await notify_members(org_id=org_id, kind=kind, message=message, body=body, dedupe_key=key)


async def request_consent(*, principal: Principal, licence_id: int) -> ConsentOut:
    """One click from the licence or the insurance page: the licensee asks the patentee (the licensor on the
    platform) to consent to insuring the licensed patent; the patentee's members are told. Asking again while a
    request is open (or granted) changes nothing; a refused one may be asked again."""
    org_service.require_approved(principal)
    lic = await licences.licence_by_id(licence_id)
    if lic is None or lic.licensee != principal.org_id:
        raise NotFound(Msg("insurance.licence_not_found"))
    if lic.status != "active":
        inactive = Msg("insurance.licence_not_active")
        raise Conflict(inactive, errors=[FieldError("licence_id", inactive, code="not_active")])
    patent = await patents.patent_by_id(lic.patent)
    patentee = patent.organisation if patent is not None else lic.licensor
    found = await repository.consent_of_licence(licence_id)
    if found is None:
        consent_id = await repository.insert_consent(
            licence=licence_id, patent=lic.patent, licensee=principal.org_id, patentee=patentee, by=principal.user_id
        )
    else:
        consent_id = found.id
        if found.state == "refused" and not await repository.ask_again(
            found.id, version=found.version, by=principal.user_id
        ):
            raise Conflict(Msg("insurance.consent_stale"))
        if found.state != "refused":
            return await _consent_out(found)
    row = await repository.consent(consent_id)
    assert row is not None
    await record(
        actor=actor_of(principal),
        action="finance.insurance_consent_requested",
        entity_type="insurance_consent",
        entity_id=consent_id,
        after={"licence": licence_id, "patent": lic.patent, "patentee": patentee, "version": row.version},
    )
    number = patent.number if patent else ""
    await _notify_members(
        patentee,
        "insurance_consent",
        f"insurance-consent:{consent_id}:{row.version}",
        Msg("insurance.notice.consent_requested", {"licensee": principal.org_name, "number": number}),
    )
    return await _consent_out(row)


async def decide_consent(*, principal: Principal, consent_id: int, data: ConsentDecisionIn) -> ConsentOut:
    """The patentee's answer: only a member of the patentee organisation grants or refuses (anyone else: 403,
    ``insurance.consent_not_patentee``); once per request (a stale version or a decided request: 409)."""
    found = await repository.consent(consent_id)
    if found is None:
        raise NotFound(Msg("insurance.consent_not_found"))
    members = {m.user_id for m in await org_service.members_of_org(found.patentee)}
    if principal.org_id != found.patentee or principal.user_id not in members:
        raise Forbidden(Msg("insurance.consent_not_patentee"))
    org_service.require_approved(principal)
    state = "granted" if data.outcome == "grant" else "refused"
    if found.state != "requested" or not await repository.decide_consent(
        consent_id, state=state, version=data.expected_version, by=principal.user_id, note=data.note
    ):
        raise Conflict(Msg("insurance.consent_decided"), state=found.state, version=found.version)
    await record(
        actor=actor_of(principal),
        action=f"finance.insurance_consent_{state}",
        entity_type="insurance_consent",
        entity_id=consent_id,
        before={"state": found.state, "version": found.version},
        after={"state": state, "note": data.note},
    )
    row = await repository.consent(consent_id)
    assert row is not None
    patent = await patents.patent_by_id(row.patent)
    await _notify_members(
        row.licensee,
        "insurance_consent",
        f"insurance-consent:{consent_id}:{row.version}",
        Msg(f"insurance.notice.consent_{state}", {"number": patent.number if patent else ""}),
    )
    return await _consent_out(row)


async def grant_consent(*, principal: Principal, consent_id: int) -> ConsentOut:
    found = await repository.consent(consent_id)
    if found is None:
        raise NotFound(Msg("insurance.consent_not_found"))
    return await decide_consent(
        principal=principal,
        consent_id=consent_id,
        data=ConsentDecisionIn(expected_version=found.version, outcome="grant"),
    )


async def consent_for(org_id: int, patent_id: int) -> ConsentRecord | None:
    """The patentee's consent on record for ``org_id`` (a licensee) to insure ``patent_id``, if granted."""
    return await repository.granted_consent(org_id, patent_id)


async def consents_for(*, principal: Principal) -> list[ConsentOut]:
    """A university's requests to decide (and decided); an SME's own requests."""
    if principal.org_kind.value == "sme":
        rows = await repository.consents_for_licensee(principal.org_id)
    else:
        rows = await repository.consents_for_patentee(principal.org_id)
    return [await _consent_out(r) for r in rows]


async def consent_of_licence(*, principal: Principal, licence_id: int) -> ConsentOut | None:
    """The consent request of one of the caller's licences (licensee or licensor), if any."""
    lic = await licences.licence_by_id(licence_id)
    if lic is None or principal.org_id not in (lic.licensee, lic.licensor):
        return None
    found = await repository.consent_of_licence(licence_id)
    return await _consent_out(found) if found else None


# ------------------------------------------------------------------------------------------------ the application


async def create_application(*, principal: Principal, data: ApplicationIn) -> ApplicationOut:
    """A new application on a published product version with the patents to cover. Eligibility runs first: any
    blocking reason refuses it (422, one error per patent and reason; nothing written)."""
    org_service.require_approved(principal)
    product = await _published(data.product_version_id)
    results = _check_all(await _holdings(principal.org_id, data.patent_ids), product, today())
    _refuse_not_held(results)
    errors = _blocking_errors(results)
    if errors:
        raise ValidationFailed(Msg("insurance.ineligible"), errors=errors)
    tier = await firm_tier(principal.org_id)
    application_id = await repository.create(
        applicant=principal.org_id,
        insurer=product.insurer,
        product=product.product,
        product_version=product.id,
        kind=product.kind,
        firm_tier=tier,
        currency=product.currency,
        eligibility=_stored(results),
        pledge_application=data.pledge_application_id,
        created_by=principal.user_id,
    )
    await repository.set_patents(application_id, [(r.patent_id, r.role, r.licence_id) for r in results])
    await record(
        actor=actor_of(principal),
        action="finance.insurance_application_created",
        entity_type="insurance_application",
        entity_id=application_id,
        after={
            "product_version": product.id,
            "patents": list(data.patent_ids),
            "eligibility": [r.code for result in results for r in result.reasons],
            "firm_tier": tier,
        },
    )
    return await get(principal=principal, application_id=application_id)


def _questions(product: InsuranceProductVersionRecord) -> dict[str, Any]:
    """The questionnaire as it is now, as stored with the answers (labels as catalogue codes and parameters)."""
    return {
        "version": product.questionnaire.version,
        "questions": [
            {
                "key": q.key,
                "kind": q.kind,
                "label": {"code": q.label.code, "params": params_to_json(q.label.params)},
                "material": bool(q.material),
            }
            for q in product.questionnaire.questions
        ],
    }


def _answers(
    questions: Sequence[Mapping[str, Any]], given: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FieldError]]:
    """Every question answered in its kind; nothing else."""
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    keys = {str(q["key"]) for q in questions}
    for key in given:
        if key not in keys:
            unknown = Msg("insurance.answer_unknown", {"key": key})
            errors.append(FieldError(f"answers.{key}", unknown, code="unknown"))
    for q in questions:
        key, kind = str(q["key"]), str(q["kind"])
        value = given.get(key)
        field = f"answers.{key}"
        if value is None or (isinstance(value, str) and not value.strip()):
            errors.append(FieldError(field, Msg("insurance.answer_needed"), code="required"))
        elif kind == "yes_no" and not isinstance(value, bool):
            errors.append(FieldError(field, Msg("insurance.answer_yes_no"), code="yes_no"))
        elif kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
            errors.append(FieldError(field, Msg("insurance.answer_number"), code="number"))
        elif kind == "text" and (not isinstance(value, str) or len(value) > 2000):
            errors.append(FieldError(field, Msg("insurance.answer_text"), code="text"))
        else:
            out[key] = value.strip() if isinstance(value, str) else value
    return out, errors


def _quote_json(quote: Quote, *, patents_count: int, tier: str, valid_until: date) -> dict[str, Any]:
    return {
        "premium_minor": quote.premium.minor,
        "per_claim_limit_minor": quote.per_claim_limit.minor,
        "aggregate_limit_minor": quote.aggregate_limit.minor,
        "deductible_minor": quote.deductible.minor,
        "currency": quote.premium.currency,
        "lines": [
            {
                "label": {"code": line.label.code, "params": params_to_json(line.label.params)},
                "amount_minor": line.amount.minor,
                "currency": line.amount.currency,
            }
            for line in quote.lines
        ],
        "table": dict(quote.table),
        "patents": patents_count,
        "firm_tier": tier,
        "valid_until": valid_until.isoformat(),
    }


async def answer(*, principal: Principal, application_id: int, data: AnswersIn) -> ApplicationOut:
    """The questionnaire answered once, with the duty of disclosure (Insurance Law Art 16) acknowledged: the
    answers, the questions as they are now with their version, who acknowledged and when, and the quote with its
    validity are frozen together; the desk case opens (its amount: the aggregate limit). A second answer, or a
    change to the answers, is a 409 (``insurance.answers_frozen``) and writes nothing."""
    org_service.require_approved(principal)
    app = await _locked(application_id)
    if app.applicant != principal.org_id:
        raise _not_found()
    if app.answered_at is not None:
        raise Conflict(Msg("insurance.answers_frozen"), questionnaire_version=app.questionnaire_version)
    product = await _version(app.product_version)
    if not data.acknowledge_disclosure:
        needed = Msg("insurance.disclosure_ack_needed")
        raise ValidationFailed(needed, errors=[FieldError("acknowledge_disclosure", needed, code="required")])
    frozen = _questions(product)
    if data.questionnaire_version != frozen["version"]:
        changed = Msg("insurance.questionnaire_changed", {"version": frozen["version"]})
        raise Conflict(changed, errors=[FieldError("questionnaire_version", changed, code="changed")])
    answers, errors = _answers(frozen["questions"], data.answers)
    if errors:
        raise ValidationFailed(Msg("insurance.answers_invalid"), errors=errors)
    held = await repository.patents_of(application_id)
    quote = products.quote(product, patents=len(held), firm_tier=app.firm_tier)
    valid_until = today() + timedelta(days=int(product.quote_valid_days))
    quote_json = _quote_json(quote, patents_count=len(held), tier=app.firm_tier, valid_until=valid_until)
    at = datetime.now(UTC)
    if not await repository.freeze_answers(
        application_id,
        questionnaire_version=int(frozen["version"]),
        questionnaire=frozen,
        answers=answers,
        at=at,
        by=principal.user_id,
        quote=quote_json,
        premium_minor=quote.premium.minor,
        aggregate_limit_minor=quote.aggregate_limit.minor,
        valid_until=valid_until,
    ):
        raise Conflict(Msg("insurance.answers_frozen"))
    case = await desk.open_case(
        kind=KIND,
        subject=application_id,
        reviewer_org=app.insurer,
        applicant_org=app.applicant,
        amount=quote.aggregate_limit,
        machine=InsuranceMachine,
        reference_prefix=REFERENCE_PREFIX,
        sla_working_days=SLA_WORKING_DAYS,
        actor=actor_of(principal),
    )
    await repository.set_case(application_id, case.id)
    await record(
        actor=actor_of(principal),
        action="finance.insurance_answered",
        entity_type="insurance_application",
        entity_id=application_id,
        after={
            "questionnaire_version": frozen["version"],
            "answers": answers,
            "disclosure_ack_at": at.isoformat(),
            "disclosure_ack_by": principal.user_id,
            "premium_minor": quote.premium.minor,
            "aggregate_limit_minor": quote.aggregate_limit.minor,
            "valid_until": valid_until.isoformat(),
            "case": case.id,
            "reference": case.reference,
        },
    )
    return await get(principal=principal, application_id=application_id)


async def _completeness(app: ApplicationRow, case: CaseRecord) -> tuple[list[Requirement], Completeness]:
    product = await _version(app.product_version)
    checklist = requirements(product, co_owned=_co_owned(app))
    return checklist, await dossiers.completeness(case.id, checklist)


def _errors_of(reasons: Sequence[Reason]) -> list[FieldError]:
    return [
        FieldError(r.field or "application", r.msg, code=r.code, article=r.source) for r in reasons
    ]


async def submit(*, principal: Principal, application_id: int, version: int) -> ApplicationOut:
    """Submit to the insurer: answered, the quote still valid, eligibility still passing (read again now: a dispute
    recorded since blocks), the checklist complete. The application as submitted is a decision with its snapshot."""
    org_service.require_approved(principal)
    app = await _locked(application_id)
    if app.applicant != principal.org_id:
        raise _not_found()
    if app.answered_at is None:
        needed = Msg("insurance.answers_needed")
        raise ValidationFailed(needed, errors=[FieldError("answers", needed, code="required")])
    case = await _expect(app, version, "draft")
    if app.quote_valid_until is not None and app.quote_valid_until < today():
        raise Conflict(Msg("insurance.quote_expired", {"valid_until": app.quote_valid_until}))
    held = await repository.patents_of(application_id)
    product = await _version(app.product_version)
    results = _check_all(await _holdings(app.applicant, [p.patent for p in held]), product, today())
    errors = _blocking_errors(results)
    if errors:
        raise ValidationFailed(Msg("insurance.ineligible"), errors=errors)
    _, completeness = await _completeness(app, case)
    if completeness.reasons:
        raise ValidationFailed(Msg("insurance.documents_incomplete"), errors=_errors_of(completeness.reasons))
    at = datetime.now(UTC)
    await desk.decide(
        case_id=case.id,
        kind="submission",
        outcome="submitted",
        actor=actor_of(principal),
        role="applicant",
        reasons=[r for result in results for r in result.reasons],
        snapshot=_snapshot(app, held),
        amount=Money(app.currency, app.aggregate_limit_minor or 0),
    )
    await repository.mark_submitted(application_id, at=at)
    await _move(app, "submit", version, actor_of(principal))
    await record(
        actor=actor_of(principal),
        action="finance.insurance_submitted",
        entity_type="insurance_application",
        entity_id=application_id,
        after={"reference": case.reference},
    )
    await events.emit(SUBMITTED_EVENT, **_event_payload(app, case))
    await _notify_members(
        app.insurer,
        "insurance",
        f"insurance:{app.id}:submitted",
        Msg("insurance.notice.submitted", {"reference": case.reference}),
    )
    return await get(principal=principal, application_id=application_id)


def _snapshot(app: ApplicationRow, held: Sequence[Any]) -> dict[str, Any]:
    return {
        "application": app.id,
        "product_version": app.product_version,
        "patents": [{"id": p.patent, "role": p.role, "licence": p.licence} for p in held],
        "questionnaire_version": app.questionnaire_version,
        "answers": dict(app.answers),
        "disclosure_ack_at": app.disclosure_ack_at.isoformat() if app.disclosure_ack_at else None,
        "disclosure_ack_by": app.disclosure_ack_by,
        "quote": dict(app.quote),
        "firm_tier": app.firm_tier,
        "read_on": today().isoformat(),
    }


def _event_payload(app: ApplicationRow, case: CaseRecord) -> dict[str, Any]:
    return {
        "application_id": app.id,
        "reference": case.reference,
        "insurer_org": app.insurer,
        "applicant_org": app.applicant,
        "kind": app.kind,
        "aggregate_limit_minor": app.aggregate_limit_minor,
        "premium_minor": app.premium_minor,
        "currency": app.currency,
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
    """A document of the checklist (a new version of that requirement), while the application is open."""
    app = await _visible(principal, application_id)
    case = await _require_case(app)
    if case.state in FINAL or case.state == "accepted":
        raise Conflict(Msg("insurance.closed"))
    checklist, _ = await _completeness(app, case)
    found = [r for r in checklist if r.code == requirement]
    if not found:
        unknown = Msg("insurance.requirement_unknown", {"code": requirement})
        raise ValidationFailed(unknown, errors=[FieldError("requirement", unknown, code="unknown")])
    document = await dossiers.upload(
        case_id=case.id,
        requirement=found[0],
        filename=filename,
        content_type=content_type,
        content=content,
        issued_on=issued_on,
        actor=actor_of(principal),
    )
    if principal.org_id == app.applicant and case.state == "more_info":
        await _notify_members(
            app.insurer,
            "insurance",
            f"insurance:{app.id}:uploaded-{document.id}",
            Msg("insurance.notice.uploaded", {"reference": case.reference}),
        )
    return DocumentOut.model_validate(document)


# ------------------------------------------------------------------------------------------------ SME moves


async def resubmit(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    """After a more-info request: back to review (the SLA clock resumes), the checklist complete."""
    app = await _of_applicant(principal, application_id)
    case = await _expect(app, data.expected_version, "more_info")
    _, completeness = await _completeness(app, case)
    if completeness.reasons:
        raise ValidationFailed(Msg("insurance.documents_incomplete"), errors=_errors_of(completeness.reasons))
    await _move(app, "resubmit", data.expected_version, actor_of(principal))
    await _notify_members(
        app.insurer,
        "insurance",
        f"insurance:{app.id}:resubmitted-{case.version}",
        Msg("insurance.notice.resubmitted", {"reference": case.reference}),
    )
    return await get(principal=principal, application_id=application_id)


async def withdraw(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    app = await _of_applicant(principal, application_id)
    case = await _move(app, "withdraw", data.expected_version, actor_of(principal))
    await record(
        actor=actor_of(principal),
        action="finance.insurance_withdrawn",
        entity_type="insurance_application",
        entity_id=application_id,
        after={"reference": case.reference},
    )
    if app.submitted_at is not None:
        await _notify_members(
            app.insurer,
            "insurance",
            f"insurance:{app.id}:withdrawn",
            Msg("insurance.notice.withdrawn", {"reference": case.reference}),
        )
    return await get(principal=principal, application_id=application_id)


# ------------------------------------------------------------------------------------------------ insurer moves


async def _insurer_locked(principal: Principal, application_id: int) -> ApplicationRow:
    org_service.require_approved(principal)
    app = await repository.get_for_update(application_id)
    if app is None or app.insurer != principal.org_id or app.submitted_at is None:
        raise _not_found()
    return app


async def start_review(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    app = await _insurer_locked(principal, application_id)
    await _move(app, "start_review", data.expected_version, actor_of(principal))
    return await get(principal=principal, application_id=application_id)


async def request_info(*, principal: Principal, application_id: int, data: MoreInfoIn) -> ApplicationOut:
    """Ask the SME for more (documents of the checklist, an answer): the SLA clock pauses until it resubmits."""
    app = await _insurer_locked(principal, application_id)
    case = await _require_case(app)
    checklist, _ = await _completeness(app, case)
    known = {r.code for r in checklist}
    unknown = [code for code in data.requirements if code not in known]
    if unknown:
        bad = Msg("insurance.requirement_unknown", {"code": ", ".join(unknown)})
        raise ValidationFailed(bad, errors=[FieldError("requirements", bad, code="unknown")])
    moved = await _move(app, "request_info", data.expected_version, actor_of(principal))
    await desk.decide(
        case_id=moved.id,
        kind="more_info",
        outcome="requested",
        actor=actor_of(principal),
        role="reviewer",
        text=data.text,
        snapshot={"requirements": list(data.requirements)},
    )
    await events.emit(MORE_INFO_EVENT, **_event_payload(app, moved))
    await _notify_members(
        app.applicant,
        "insurance",
        f"insurance:{app.id}:more-info-{moved.version}",
        Msg("insurance.notice.more_info", {"reference": moved.reference}),
        Msg("insurance.notice.more_info_body", {"text": data.text, "requirements": tuple(data.requirements)}),
    )
    return await get(principal=principal, application_id=application_id)


def _coded(codes: Sequence[str], allowed: Sequence[str], field: str) -> list[Reason]:
    unknown = [c for c in codes if c not in allowed]
    if unknown:
        bad = Msg("insurance.reason_unknown", {"code": ", ".join(unknown)})
        raise ValidationFailed(bad, errors=[FieldError(field, bad, code="unknown")])
    return [reason(code) for code in dict.fromkeys(codes)]


async def decide(*, principal: Principal, application_id: int, data: DecisionIn) -> ApplicationOut:
    """The underwriter's decision. Accept: at or below the product version's four-eyes threshold the application is
    accepted now (conditions and coded reasons kept; with conditions, a letter); above it this is the maker's
    proposal (state ``proposed``), which a different member approves. Decline: coded reasons (at least one) and a
    letter; a product whose refusals need a second member makes it a proposal too."""
    app = await _insurer_locked(principal, application_id)
    product = await _version(app.product_version)
    aggregate = app.aggregate_limit_minor or 0
    if data.outcome == "accept":
        reasons = _coded(data.reasons, rules.CONDITION_CODES, "reasons")
        case = await _expect(app, data.expected_version, "in_review")
        if four_eyes(product, aggregate):
            await _propose(app, product, case, "approve", reasons, data, principal)
        else:
            moved = await _move(app, "accept", data.expected_version, actor_of(principal))
            await _accepted(app, moved, reasons, list(data.conditions), data.text, actor_of(principal), case.state)
        return await get(principal=principal, application_id=application_id)
    reasons = _coded(data.reasons, rules.DECLINE_CODES, "reasons")
    if not reasons:
        needed = Msg("insurance.decline_reason_needed")
        raise ValidationFailed(needed, errors=[FieldError("reasons", needed, code="required")])
    case = await _expect(app, data.expected_version, "submitted", "in_review", "more_info")
    if product.refusal_needs_second:
        if case.state != "in_review":
            raise Conflict(Msg("insurance.decline_needs_review"), state=case.state)
        await _propose(app, product, case, "refuse", reasons, data, principal)
        return await get(principal=principal, application_id=application_id)
    moved = await _move(app, "decline", data.expected_version, actor_of(principal))
    await _declined(app, moved, reasons, data.text, actor_of(principal), case.state)
    return await get(principal=principal, application_id=application_id)


async def _propose(
    app: ApplicationRow,
    product: InsuranceProductVersionRecord,
    case: CaseRecord,
    outcome: str,
    reasons: Sequence[Reason],
    data: DecisionIn,
    principal: Principal,
) -> None:
    await desk.propose(
        case_id=case.id,
        outcome="approve" if outcome == "approve" else "refuse",
        actor=actor_of(principal),
        role="maker",
        amount=Money(app.currency, app.aggregate_limit_minor or 0),
        reasons=reasons,
        text=data.text,
        snapshot={
            "conditions": list(data.conditions),
            "quote": dict(app.quote),
            "product_version": app.product_version,
            "questionnaire_version": app.questionnaire_version,
        },
        policy=approval_policy(product),
        expected_version=data.expected_version,
        machine=InsuranceMachine,
        event="propose",
    )


async def approve(*, principal: Principal, application_id: int, data: ApprovalIn) -> ApplicationOut:
    """A different member approves the maker's proposal (the desk refuses the maker: 403 ``desk.four_eyes``); once
    every approval is in, the application is accepted (or, a decline proposal, declined with its letter)."""
    app = await _insurer_locked(principal, application_id)
    case = await _expect(app, data.expected_version, "proposed")
    proposal = await desk.decision(data.proposal_id)
    if proposal is None or proposal.case != case.id or proposal.kind != "proposal":
        raise NotFound(Msg("insurance.proposal_not_found"))
    _, complete = await desk.approve(
        proposal_id=proposal.id,
        actor=actor_of(principal),
        role="checker",
        text=data.text,
        expected_version=data.expected_version,
        machine=InsuranceMachine,
        event="decline" if proposal.outcome == "refuse" else "accept",
    )
    if complete:
        moved = await _require_case(app)
        if proposal.outcome == "refuse":
            await _declined(app, moved, list(proposal.reasons), proposal.text, actor_of(principal), "proposed")
        else:
            conditions = [str(c) for c in proposal.snapshot.get("conditions", [])]
            await _accepted(
                app, moved, list(proposal.reasons), conditions, proposal.text, actor_of(principal), "proposed"
            )
    return await get(principal=principal, application_id=application_id)


async def send_back(*, principal: Principal, application_id: int, data: MoveIn) -> ApplicationOut:
    app = await _insurer_locked(principal, application_id)
    await _move(app, "send_back", data.expected_version, actor_of(principal))
    return await get(principal=principal, application_id=application_id)


def _conditions_text(conditions: Sequence[str], text: str) -> str:
    lines = [f"{n}. {c}" for n, c in enumerate(conditions, 1)]
    return "\n".join([*lines, text] if text else lines)


async def _accepted(
    app: ApplicationRow,
    case: CaseRecord,
    reasons: Sequence[Reason],
    conditions: Sequence[str],
    text: str,
    actor: Actor,
    state_before: str,
) -> None:
    """The acceptance recorded (the case has moved): a decision with the conditions and the frozen quote in its
    snapshot; with conditions, a decision letter; ``insurance.accepted`` emitted; the SME told."""
    at = datetime.now(UTC)
    decision = await desk.decide(
        case_id=case.id,
        kind="underwriting",
        outcome="accepted",
        actor=actor,
        role="reviewer",
        reasons=reasons,
        text=_conditions_text(conditions, text),
        snapshot={
            "state_before": state_before,
            "conditions": list(conditions),
            "quote": dict(app.quote),
            "questionnaire_version": app.questionnaire_version,
            "valid_until": app.quote_valid_until.isoformat() if app.quote_valid_until else None,
        },
        amount=Money(app.currency, app.aggregate_limit_minor or 0),
    )
    await repository.mark_decided(app.id, at=at, conditions=conditions)
    letter_sha = ""
    if conditions or reasons:
        letter = await letters.render_letter(
            decision, case, what_to_fix=[], how_to_reapply=Msg("insurance.letter.how_to_bind")
        )
        letter_sha = letter.sha256
    await record(
        actor=actor,
        action="finance.insurance_accepted",
        entity_type="insurance_application",
        entity_id=app.id,
        after={"reference": case.reference, "conditions": list(conditions), "letter": letter_sha},
    )
    await events.emit(ACCEPTED_EVENT, **_event_payload(app, case))
    await _notify_members(
        app.applicant,
        "insurance",
        f"insurance:{app.id}:accepted",
        Msg("insurance.notice.accepted", {"reference": case.reference}),
    )


async def _declined(
    app: ApplicationRow, case: CaseRecord, reasons: Sequence[Reason], text: str, actor: Actor, state_before: str
) -> None:
    """The decline recorded (the case has moved): a decision with its coded reasons and the bilingual letter,
    whose text is also the SME's notification (``finance.letters``)."""
    at = datetime.now(UTC)
    decision = await desk.decide(
        case_id=case.id,
        kind="underwriting",
        outcome="declined",
        actor=actor,
        role="reviewer",
        reasons=reasons,
        text=text,
        snapshot={"state_before": state_before, "quote": dict(app.quote), "answers": dict(app.answers)},
    )
    await repository.mark_decided(app.id, at=at, conditions=())
    letter = await letters.render_letter(
        decision,
        case,
        what_to_fix=[Msg(f"insurance.fix.{r.code.removeprefix('insurance.decline.')}") for r in reasons],
        how_to_reapply=Msg("insurance.how_to_reapply"),
    )
    await record(
        actor=actor,
        action="finance.insurance_declined",
        entity_type="insurance_application",
        entity_id=app.id,
        after={"reference": case.reference, "reasons": [r.code for r in reasons], "letter": letter.sha256},
    )
    await events.emit(DECLINED_EVENT, **_event_payload(app, case), reasons=[r.code for r in reasons])


# ------------------------------------------------------------------------------------------------ after acceptance


async def mark_bound(application_id: int, *, policy_id: int, actor: Actor) -> None:
    """``finance.policies`` binds the accepted terms: the case moves ``accepted → bound`` (once: a second bind or a
    stale one is a 409); after the quote's validity it is refused (``insurance.quote_expired``)."""
    app = await _locked(application_id)
    case = await _require_case(app)
    if case.state != "accepted":
        raise Conflict(Msg("insurance.not_accepted"), state=case.state)
    if app.quote_valid_until is not None and app.quote_valid_until < today():
        raise Conflict(Msg("insurance.quote_expired", {"valid_until": app.quote_valid_until}))
    await desk.transition(
        case_id=case.id, event="bind", expected_version=case.version, actor=actor, machine=InsuranceMachine
    )
    if not await repository.mark_bound(application_id, policy_id=policy_id, at=datetime.now(UTC)):
        raise Conflict(Msg("insurance.already_bound"))
    await record(
        actor=actor,
        action="finance.insurance_bound",
        entity_type="insurance_application",
        entity_id=application_id,
        after={"reference": case.reference, "policy": policy_id},
    )
    await events.emit(BOUND_EVENT, **_event_payload(app, case), policy_id=policy_id)


async def lapse_unbound(*, on: date) -> int:
    """Accepted applications whose quote ended before ``on`` and were never bound lapse (each once)."""
    count = 0
    for app in await repository.accepted_valid_before(on):
        case = await _case(app)
        if case is None or case.state != "accepted":
            continue
        await desk.transition(
            case_id=case.id, event="lapse", expected_version=case.version, actor=Actor.system(),
            machine=InsuranceMachine,
        )  # fmt: skip
        await events.emit(LAPSED_EVENT, **_event_payload(app, case))
        await _notify_members(
            app.applicant,
            "insurance",
            f"insurance:{app.id}:lapsed",
            Msg("insurance.notice.lapsed", {"reference": case.reference}),
        )
        count += 1
    return count


# ------------------------------------------------------------------------------------------------ reading


async def application(application_id: int) -> ApplicationRecord:
    """One application as other modules read it (policies, subsidies, claims): NotFound if there is none."""
    app = await repository.get(application_id)
    if app is None:
        raise _not_found()
    case = await _case(app)
    held = await repository.patents_of(application_id)
    return ApplicationRecord(
        id=app.id,
        case=app.case,
        reference=case.reference if case else "",
        applicant=app.applicant,
        insurer=app.insurer,
        product=app.product,
        product_version=app.product_version,
        kind=app.kind,
        patent_ids=tuple(p.patent for p in held),
        answers=dict(app.answers),
        questionnaire_version=app.questionnaire_version,
        disclosure_ack_at=app.disclosure_ack_at,
        disclosure_ack_by=app.disclosure_ack_by,
        quote=dict(app.quote),
        quote_valid_until=app.quote_valid_until,
        conditions=tuple(app.conditions),
        state=case.state if case else "draft",
        version=case.version if case else 0,
        pledge_application=app.pledge_application,
        policy=app.policy,
        firm_tier=app.firm_tier,
        currency=app.currency,
        submitted_at=app.submitted_at,
        decided_at=app.decided_at,
    )


def _events(principal: Principal, app: ApplicationRow, state: str) -> list[str]:
    if principal.org_id == app.applicant:
        if app.case is None:  # not answered yet: the case (and with it uploads, submission) opens with the quote
            return ["answer"]
        return [m for m in SME_EVENTS.get(state, ()) if m != "answer"]
    if principal.org_id == app.insurer:
        return list(INSURER_EVENTS.get(state, ()))
    return []


def decision_out(d: DecisionRecord) -> DecisionOut:
    conditions = d.snapshot.get("conditions") if isinstance(d.snapshot, Mapping) else None
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
        conditions=[str(c) for c in conditions] if isinstance(conditions, list) else [],
    )


def quote_out(quote: Mapping[str, Any]) -> QuoteOut | None:
    if not quote:
        return None
    return QuoteOut(
        premium_minor=int(quote["premium_minor"]),
        per_claim_limit_minor=int(quote["per_claim_limit_minor"]),
        aggregate_limit_minor=int(quote["aggregate_limit_minor"]),
        deductible_minor=int(quote["deductible_minor"]),
        currency=str(quote["currency"]),
        lines=[
            QuoteLineOut(
                label=MsgOut.of(message_from_json(line["label"]["code"], line["label"].get("params"))),
                amount_minor=int(line["amount_minor"]),
                currency=str(line.get("currency", quote["currency"])),
            )
            for line in quote.get("lines", [])
        ],
        valid_until=date.fromisoformat(str(quote["valid_until"])),
        patents=int(quote.get("patents", 0)),
        firm_tier=str(quote.get("firm_tier", "sme")),
    )


def _question_outs(questionnaire: Mapping[str, Any]) -> list[QuestionOut]:
    return [
        QuestionOut(
            key=str(q["key"]),
            kind=str(q["kind"]),
            label=MsgOut.of(message_from_json(q["label"]["code"], q["label"].get("params"))),
            material=bool(q.get("material", False)),
        )
        for q in questionnaire.get("questions", [])
    ]


def _eligibility_outs(app: ApplicationRow, numbers: Mapping[int, str]) -> list[EligibilityOut]:
    by_patent: dict[int, list[Reason]] = {}
    for stored in app.eligibility:
        by_patent.setdefault(int(stored["patent_id"]), []).append(Reason.from_json(stored))
    return [
        EligibilityOut(
            patent_id=pid,
            number=numbers.get(pid, ""),
            ok=not any(r.blocks for r in rs),
            role="",
            reasons=[reason_out(r, pid) for r in rs],
        )
        for pid, rs in by_patent.items()
    ]


def requirement_lines(checklist: Sequence[Requirement], completeness: Completeness) -> list[RequirementOut]:
    problems = {r.field: r for r in completeness.reasons}
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


async def application_out(principal: Principal, app: ApplicationRow) -> ApplicationOut:
    case = await _case(app)
    product = await _version(app.product_version)
    held = await repository.patents_of(app.id)
    rows = {r.id: r for r in await patents.patents_by_ids([p.patent for p in held])}
    applicant = await org_service.org_by_id(app.applicant)
    insurer = await org_service.org_by_id(app.insurer)
    questionnaire = app.questionnaire if app.answered_at is not None else _questions(product)
    checklist = requirements(product, co_owned=_co_owned(app))
    pending: int | None = None
    decisions: list[DecisionOut] = []
    documents: list[DocumentOut] = []
    lines: list[RequirementOut] = []
    if case is not None:
        made = await desk.decisions(case.id)
        decisions = [decision_out(d) for d in made]
        if case.state == "proposed":
            proposals = [d for d in made if d.kind == "proposal"]
            pending = proposals[-1].id if proposals else None
        documents = [DocumentOut.model_validate(d) for d in await dossiers.documents(case.id)]
        lines = requirement_lines(checklist, await dossiers.completeness(case.id, checklist))
    else:
        lines = [
            RequirementOut(code=r.code, required=r.required, label=MsgOut.of(r.label), satisfied=not r.required)
            for r in checklist
        ]
    state = case.state if case else "draft"
    return ApplicationOut(
        id=app.id,
        case_id=app.case,
        reference=case.reference if case else "",
        state=state,
        version=case.version if case else 0,
        applicant_org_id=app.applicant,
        applicant_name=applicant.name if applicant else "",
        insurer_org_id=app.insurer,
        insurer_name=insurer.name if insurer else "",
        product_id=app.product,
        product_version_id=app.product_version,
        product_name=product.name_zh,
        product_name_en=product.name_en or "",
        kind=app.kind,
        firm_tier=app.firm_tier,
        currency=app.currency,
        patents=[
            PatentLineOut(
                patent_id=p.patent,
                number=rows[p.patent].number,
                title=rows[p.patent].title_zh or rows[p.patent].title_en,
                title_en=rows[p.patent].title_en or "",
                kind=rows[p.patent].kind,
                role=p.role,
                licence_id=p.licence,
            )
            for p in held
            if p.patent in rows
        ],
        eligibility=_eligibility_outs(app, {pid: r.number for pid, r in rows.items()}),
        questionnaire_version=app.questionnaire_version or int(questionnaire.get("version", 0)) or None,
        questions=_question_outs(questionnaire),
        answers=dict(app.answers),
        answered=app.answered_at is not None,
        disclosure_ack_at=app.disclosure_ack_at,
        disclosure_ack_by=app.disclosure_ack_by,
        quote=quote_out(app.quote),
        conditions=list(app.conditions),
        four_eyes=four_eyes(product, app.aggregate_limit_minor or 0),
        pending_proposal_id=pending,
        pledge_application_id=app.pledge_application,
        policy_id=app.policy,
        submitted_at=app.submitted_at,
        decided_at=app.decided_at,
        created_at=app.created_at,
        due_on=case.due_on if case else None,
        events=_events(principal, app, state),
        decisions=decisions,
        documents=documents,
        requirements=lines,
    )


async def get(*, principal: Principal, application_id: int) -> ApplicationOut:
    return await application_out(principal, await _visible(principal, application_id))


async def _summaries(rows: Sequence[ApplicationLine], cases: Mapping[int, CaseRecord]) -> list[ApplicationSummaryOut]:
    names = {
        o.id: o.name
        for o in await org_service.public_orgs(sorted({r.applicant for r in rows} | {r.insurer for r in rows}))
    }
    out = []
    for r in rows:
        case = cases.get(r.case) if r.case is not None else None
        out.append(
            ApplicationSummaryOut(
                id=r.id,
                reference=case.reference if case else "",
                state=case.state if case else "draft",
                version=case.version if case else 0,
                applicant_org_id=r.applicant,
                applicant_name=names.get(r.applicant, ""),
                insurer_org_id=r.insurer,
                insurer_name=names.get(r.insurer, ""),
                product_version_id=r.product_version,
                kind=r.kind,
                currency=r.currency,
                premium_minor=r.premium_minor,
                aggregate_limit_minor=r.aggregate_limit_minor,
                quote_valid_until=r.quote_valid_until,
                due_on=case.due_on if case else None,
                breached=bool(case and case.breached_at is not None),
                submitted_at=r.submitted_at,
                created_at=r.created_at,
            )
        )
    return out


async def list_mine(
    *,
    principal: Principal,
    states: Sequence[str] = (),
    q: str = "",
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[ApplicationSummaryOut]:
    """An SME's applications, newest first; an insurer's submitted ones in its desk order (soonest due first; the
    desk's filters: states, a reference searched, open only)."""
    if principal.org_kind.value == "insurer":
        page = await desk.queue(
            reviewer_org=principal.org_id, kind=KIND, states=states, q=q, open_only=open_only, limit=limit,
            offset=offset,
        )  # fmt: skip
        apps = await repository.lines_by_ids([c.subject for c in page.items])
        cases = {c.id: c for c in page.items}
        rows = [apps[c.subject] for c in page.items if c.subject in apps and apps[c.subject].submitted_at]
        return await _summaries(rows, cases)
    mine = await repository.lines_for_applicant(principal.org_id, limit=limit, offset=offset)
    found = await desk.cases_by_id([r.case for r in mine if r.case is not None])
    return await _summaries(mine, {c.id: c for c in found})


async def letters_of(*, principal: Principal, application_id: int, lang: str) -> list[Any]:
    app = await _visible(principal, application_id)
    if app.case is None:
        return []
    return await letters.letters_for(principal=principal, case_id=app.case, lang=lang)


async def document_content(*, principal: Principal, application_id: int, document_id: int) -> tuple[Any, bytes]:
    app = await _visible(principal, application_id)
    if app.case is not None:
        for document in await dossiers.documents(app.case):
            if document.id == document_id:
                return document, await dossiers.content(document_id)
    raise NotFound(Msg("insurance.document_not_found"))
