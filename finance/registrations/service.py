"""Pledge registrations: from an accepted pledge loan to the registered pledge and its release (注销).

- ``start``: an accepted application (``pledges.accepted``) gets its pledge contract and joint registration form
  rendered (``finance/documents/pledge_contract``, ``pledge_registration_form``), each stored with its SHA-256
  (audit trail). A debt running past a patent's expiry is refused first (CNIPA ground 06).
- ``sign``: each party signs every document through the signing port (a signed click: identity, organisation,
  role, document SHA-256, time, address, browser); once both have signed all, the registration is ready to file.
- The bank (pledgee) records CNIPA's handling: filed, correction requested (the 7-working-day clock pauses),
  resubmitted, registered (number, date: each patent is marked pledged in listings) or refused (its ground).
- Release: on full repayment (``finance.servicing``) the release is due; the bank records it filed and registered,
  and the patents are released.
- Consent (Civil Code Art 444, Implementing Regulations Art 86(4)): the bank records its consent to an open-licence
  declaration or a licence of a pledged patent; listings' checks then pass.

Every move is a conditional update on (state, version) in the transaction that writes its audit event.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from finance.desk import service as desk
from finance.loan_products import rules
from finance.pledges import service as pledges
from finance.registrations import contexts, machine, repository
from finance.registrations.records import DocumentRecord, RegistrationRecord
from finance.registrations.schemas import DocumentOut, RegistrationOut, RegistrationPatentOut, SignatureOut
from finance.signatures import service as signing
from finance.signatures.records import SignatureRecord
from listings.declarations import eligibility
from listings.declarations.eligibility import DeclaredTerms
from listings.patents import service as patents
from listings.patents.records import PatentRecord
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.integrations.pdf import render_document_in_thread
from market.kit.law import PaymentMode
from market.kit.money import Money
from market.notifications.service import notify
from market.orgs import service as org_service

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
CONTRACT = "pledge_contract"
FORM = "pledge_registration_form"
KINDS = (CONTRACT, FORM)
ROLES = ("pledgor", "pledgee")
GROUNDS = tuple(f"pledge.ground.{n:02d}" for n in range(1, 13))
TERM_PAST_EXPIRY = "pledge.ground.06"  # the debt's term runs past the patent's expiry
PLEDGE_CASE_KIND = "pledge_loan"  # the application's case on the desk (finance.pledges), subject = application id
CONSENT_SCOPES = ("open_licence", "licence")
CONSENT_SOURCES = {"open_licence": "law.regs.art86.4", "licence": "law.civil.art444"}

# What other modules read of registrations: through this service, never the repository.
registration_by_id = repository.get
registration_of_application = repository.for_application
patents_of = repository.patents_of


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class PledgeTerms:
    """What an accepted pledge application says (``finance.pledges`` builds it): the parties, the secured debt and
    the patents."""

    application_id: int
    pledgor_org: int
    pledgee_org: int
    amount: Money
    term_months: int
    patent_ids: tuple[int, ...]
    rate_bp: int | None = None
    starts_on: date | None = None
    pure_ip: bool = True


# ---------------------------------------------------------------------------------------------- working days


add_working_days = desk.add_working_days  # the desk's calendar: weekends, holidays and moved workdays as data
working_days_between = desk.working_days_between


# ------------------------------------------------------------------------------------------------ the rules


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def term_past_expiry(debt_ends_on: date, patent_rows: list[PatentRecord]) -> list[FieldError]:
    """CNIPA ground 06: the debt's term may not run past a pledged patent's expiry."""
    out = []
    for p in patent_rows:
        if p.expiry_date is not None and debt_ends_on > p.expiry_date:
            msg = Msg(
                "registration.term_past_expiry",
                {"number": p.number, "expiry": p.expiry_date.isoformat(), "ends": debt_ends_on.isoformat()},
            )
            out.append(FieldError("term_months", msg, code=TERM_PAST_EXPIRY, article="law.pledge.reg461.ground06"))
    return out


# ------------------------------------------------------------------------------------------------ starting


async def start(*, terms: PledgeTerms, data_dir: Path, actor: Actor | None = None) -> RegistrationRecord:
    """The registration of an accepted pledge, once per application: its documents rendered and stored."""
    existing = await repository.for_application(terms.application_id)
    if existing is not None:
        return existing
    rows = [p for p in [await patents.patent_by_id(i) for i in terms.patent_ids] if p is not None]
    if not rows or len(rows) != len(set(terms.patent_ids)):
        raise NotFound(Msg("registration.no_patents"))
    starts = terms.starts_on or today()
    ends = add_months(starts, terms.term_months)
    refused = term_past_expiry(ends, rows)
    if refused:
        raise Conflict(refused[0].message, errors=refused)
    registration_id = await repository.create(
        values={
            "application": terms.application_id,
            "reference": f"pending-{terms.application_id}",
            "pledgor": terms.pledgor_org,
            "pledgee": terms.pledgee_org,
            "state": "awaiting_signatures",
            "version": 1,
            "amount_minor": terms.amount.minor,
            "currency": terms.amount.currency,
            "rate_bp": terms.rate_bp,
            "term_months": terms.term_months,
            "debt_starts_on": starts,
            "debt_ends_on": ends,
            "pure_ip": terms.pure_ip,
        },
        patents=[p.id for p in rows],
    )
    reference = f"PR-{starts.year}-{registration_id:06d}"
    await repository.set_reference(registration_id, reference)
    registration = await repository.get(registration_id)
    assert registration is not None
    context = await _context(registration, rows)
    missing = rules.check_contract(contexts.contract_terms(context))  # ground 07: a term the contract lacks
    if missing:
        errors = [FieldError(r.field, r.msg, code=r.code, article=r.source) for r in missing]
        raise Conflict(errors[0].message, errors=errors)
    for kind in KINDS:
        await _render(registration, context, kind, data_dir)
    await record(
        actor=actor or Actor.system(),
        action="finance.registration_started",
        entity_type="pledge_registration",
        entity_id=registration_id,
        org_id=terms.pledgee_org,
        after={"reference": reference, "application": terms.application_id, "patents": [p.id for p in rows]},
    )
    await events.emit("registrations.started", registration_id=registration_id, application_id=terms.application_id)
    return registration


async def _context(registration: RegistrationRecord, rows: list[PatentRecord]) -> dict[str, Any]:
    pledgor = await org_service.org_by_id(registration.pledgor)
    pledgee = await org_service.org_by_id(registration.pledgee)
    assert pledgor is not None
    assert pledgee is not None
    return contexts.document_context(
        registration=registration,
        pledgor=contexts.party(pledgor),
        pledgee=contexts.party(pledgee),
        patents=[contexts.patent(p) for p in rows],
    )


async def _render(registration: RegistrationRecord, context: dict[str, Any], kind: str, data_dir: Path) -> None:
    rendered = await render_document_in_thread(DOCUMENTS / kind, context)
    pdf = await signing.seal(rendered.pdf, reason=f"{kind} {registration.reference}")  # the platform's PAdES seal
    sha256 = hashlib.sha256(pdf).hexdigest()
    path = data_dir / "pledges" / f"{registration.reference}-{kind}-{sha256[:12]}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(path.write_bytes, pdf)
    document_id = await repository.add_document(
        values={
            "registration": registration.id,
            "kind": kind,
            "template": rendered.document,
            "template_version": rendered.version,
            "sha256": sha256,
            "path": str(path),
            "pages": rendered.pages,
        }
    )
    await record(
        actor=Actor.system(),
        action="finance.pledge_document_rendered",
        entity_type="pledge_document",
        entity_id=document_id,
        org_id=registration.pledgee,
        after={"registration": registration.id, "kind": kind, "sha256": sha256, "template_version": rendered.version},
    )


# --------------------------------------------------------------------------------------------------- access


async def party(principal: Principal, registration_id: int) -> tuple[RegistrationRecord, str]:
    """The registration and the principal's role in it; anyone else is told it does not exist."""
    row = await repository.get(registration_id)
    if row is None or principal.org_id not in (row.pledgor, row.pledgee):
        raise NotFound(Msg("registration.not_found"))
    return row, "pledgee" if principal.org_id == row.pledgee else "pledgor"


async def as_pledgee(principal: Principal, registration_id: int) -> RegistrationRecord:
    row, role = await party(principal, registration_id)
    if role != "pledgee":
        raise Forbidden(Msg("registration.pledgee_only"))
    return row


async def mine(*, principal: Principal) -> list[RegistrationRecord]:
    return await repository.for_org(principal.org_id)


async def documents(registration_id: int) -> list[DocumentRecord]:
    return await repository.documents(registration_id)


async def signatures(registration_id: int) -> list[SignatureRecord]:
    """The parties' signatures of the registration's documents, each of the stored version (its SHA-256)."""
    out: list[SignatureRecord] = []
    for d in await repository.documents(registration_id):
        out += [s for s in await signing.signatures_of(d.kind, d.id) if s.sha256 == d.sha256]
    return out


async def download(*, principal: Principal, registration_id: int, kind: str) -> tuple[str, bytes]:
    """A stored document for one of the two parties, checked against its recorded SHA-256."""
    row, _ = await party(principal, registration_id)
    found = [d for d in await repository.documents(registration_id) if d.kind == kind]
    if not found:
        raise NotFound(Msg("registration.document_not_found"))
    data = await asyncio.to_thread(Path(found[0].path).read_bytes)
    if hashlib.sha256(data).hexdigest() != found[0].sha256:
        raise Conflict(Msg("registration.hash_mismatch"))
    return f"{row.reference}-{kind}.pdf", data


# -------------------------------------------------------------------------------------------------- signing


async def _move(
    row: RegistrationRecord, event: str, *, expected_version: int, actor: Actor, changes: dict[str, Any] | None = None
) -> RegistrationRecord:
    """One move of the machine: checked against the graph, then the conditional update (a stale version or a
    state changed meanwhile: 409), the audit event and ``registrations.moved`` in the same transaction."""
    if expected_version != row.version:
        raise Conflict(Msg("registration.stale"))
    to_state = machine.next_state(row.state, event) if event != "signed" else row.state
    if not await repository.move(
        row.id, state=row.state, version=row.version, to_state=to_state, changes=changes or {}
    ):
        raise Conflict(Msg("registration.stale"))
    after = {k: v.isoformat() if isinstance(v, date) else v for k, v in (changes or {}).items()}
    await record(
        actor=actor,
        action=f"finance.registration_{event}",
        entity_type="pledge_registration",
        entity_id=row.id,
        org_id=row.pledgee,
        before={"state": row.state, "version": row.version},
        after={"state": to_state, "version": row.version + 1, **after},
    )
    if to_state != row.state:
        await events.emit(
            "registrations.moved",
            registration_id=row.id,
            pledgee_org=row.pledgee,
            pledgor_org=row.pledgor,
            from_state=row.state,
            to_state=to_state,
            event=event,
        )
    fresh = await repository.get(row.id)
    assert fresh is not None
    return fresh


async def decide_on_case(
    row: RegistrationRecord,
    *,
    kind: str,
    outcome: str,
    actor: Actor,
    role: str,
    snapshot: dict[str, Any],
    reasons: Sequence[rules.Reason] = (),
    amount: Money | None = None,
) -> None:
    """The step is also an immutable decision on the application's desk case (when it has one), so the case reads
    from application to registration and release in one list."""
    case = await desk.case_of(PLEDGE_CASE_KIND, row.application)
    if case is None:
        return
    await desk.decide(
        case_id=case.id,
        kind=kind,
        outcome=outcome,
        actor=actor,
        role=role,
        reasons=reasons,
        snapshot=snapshot,
        amount=amount or Money(row.currency, row.amount_minor),
    )


async def sign(
    *, principal: Principal, registration_id: int, expected_version: int, ip: str = "", user_agent: str = ""
) -> RegistrationRecord:
    """The principal's organisation signs every document of the registration (a signed click: who, for whom, in
    which role, which SHA-256, when, from where). When both parties have signed all, it is ready to file."""
    row, role = await party(principal, registration_id)
    if row.state != "awaiting_signatures":
        raise Conflict(Msg("registration.not_awaiting_signatures"))
    docs = await repository.documents(row.id)
    done = {(s.document_id, s.role) for s in await signatures(row.id)}
    if all((d.id, role) in done for d in docs):
        raise Conflict(Msg("registration.already_signed"))
    actor = Actor(principal.user_id, principal.org_id)
    for d in docs:
        if (d.id, role) in done:
            continue
        await signing.port("click").sign(
            document_kind=d.kind,
            document_id=d.id,
            document_sha256=d.sha256,
            signer=actor,
            role=role,
            ip=ip,
            user_agent=user_agent,
        )
        done.add((d.id, role))
    complete = all((d.id, r) in done for d in docs for r in ROLES)
    fresh = await _move(row, "sign_complete" if complete else "signed", expected_version=expected_version, actor=actor)
    await record(
        actor=actor,
        action="finance.pledge_documents_signed",
        entity_type="pledge_registration",
        entity_id=row.id,
        org_id=row.pledgee,
        after={"role": role, "documents": {d.kind: d.sha256 for d in docs}, "method": "click"},
    )
    return fresh


# --------------------------------------------------------------------------------- CNIPA's handling (the bank)


async def file(*, principal: Principal, registration_id: int, expected_version: int, filed_on: date) -> (
    RegistrationRecord
):
    row = await as_pledgee(principal, registration_id)
    due = await add_working_days(filed_on, machine.SLA_WORKING_DAYS)
    return await _move(
        row, "file", expected_version=expected_version, actor=Actor(principal.user_id, principal.org_id),
        changes={"filed_on": filed_on, "due_on": due},
    )


async def request_correction(
    *, principal: Principal, registration_id: int, expected_version: int, on: date, note: str
) -> RegistrationRecord:
    """CNIPA asked for a correction: the parties are waited on, the clock pauses."""
    row = await as_pledgee(principal, registration_id)
    return await _move(
        row, "request_correction", expected_version=expected_version,
        actor=Actor(principal.user_id, principal.org_id), changes={"paused_since": on, "cnipa_note": note},
    )


async def resubmit(*, principal: Principal, registration_id: int, expected_version: int, on: date) -> (
    RegistrationRecord
):
    """The correction was filed: the clock resumes, its due date moved on by the working days it was paused."""
    row = await as_pledgee(principal, registration_id)
    paused = row.paused_working_days + (
        await working_days_between(row.paused_since, on) if row.paused_since is not None else 0
    )
    due = await add_working_days(row.filed_on or on, machine.SLA_WORKING_DAYS + paused)
    return await _move(
        row, "resubmit", expected_version=expected_version, actor=Actor(principal.user_id, principal.org_id),
        changes={"paused_since": None, "paused_working_days": paused, "due_on": due},
    )


async def register(
    *, principal: Principal, registration_id: int, expected_version: int, number: str, registered_on: date
) -> RegistrationRecord:
    """CNIPA registered the pledge (number and date): the pledge exists from now, each patent shows as pledged."""
    number = number.strip()
    if not number:
        missing = Msg("registration.number_required")
        raise ValidationFailed(missing, errors=[FieldError("registration_number", missing, code="required")])
    row = await as_pledgee(principal, registration_id)
    actor = Actor(principal.user_id, principal.org_id)
    fresh = await _move(
        row, "register", expected_version=expected_version, actor=actor,
        changes={"registration_number": number[:40], "registered_on": registered_on},
    )
    patent_ids = await repository.patents_of(row.id)
    for patent_id in patent_ids:
        await mark_pledged(patent_id, pledgee_org=row.pledgee, number=number, registered_on=registered_on, actor=actor)
    snapshot = {"registration_number": number, "registered_on": registered_on.isoformat(), "patents": patent_ids,
                "reference": row.reference}
    await decide_on_case(fresh, kind="registration", outcome="registered", actor=actor, role="pledgee",
                         snapshot=snapshot)
    return fresh


async def refuse(
    *, principal: Principal, registration_id: int, expected_version: int, ground: str, note: str = ""
) -> RegistrationRecord:
    """CNIPA refused the registration, on one of the 12 grounds of the Registration Measures."""
    if ground not in GROUNDS:
        bad = Msg("registration.unknown_ground")
        raise ValidationFailed(bad, errors=[FieldError("ground", bad, code="unknown_ground")])
    row = await as_pledgee(principal, registration_id)
    actor = Actor(principal.user_id, principal.org_id)
    fresh = await _move(
        row, "refuse", expected_version=expected_version, actor=actor,
        changes={"refusal_ground": ground, "cnipa_note": note},
    )
    await decide_on_case(fresh, kind="registration", outcome="refused", actor=actor, role="pledgee",
                         reasons=[rules.ground(int(ground[-2:]))], snapshot={"ground": ground, "note": note,
                                                                             "reference": row.reference})
    return fresh


async def release_due(*, registration_id: int, actor: Actor) -> RegistrationRecord | None:
    """The loan is repaid (``finance.servicing``): the release (注销) is now to be filed. Idempotent."""
    row = await repository.get(registration_id)
    if row is None or row.state != "registered":
        return row
    return await _move(row, "repaid", expected_version=row.version, actor=actor)


async def file_release(*, principal: Principal, registration_id: int, expected_version: int, on: date) -> (
    RegistrationRecord
):
    row = await as_pledgee(principal, registration_id)
    return await _move(
        row, "file_release", expected_version=expected_version, actor=Actor(principal.user_id, principal.org_id),
        changes={"release_filed_on": on},
    )


async def register_release(*, principal: Principal, registration_id: int, expected_version: int, on: date) -> (
    RegistrationRecord
):
    """CNIPA registered the release: the patents are no longer pledged."""
    row = await as_pledgee(principal, registration_id)
    fresh = await _move(
        row, "register_release", expected_version=expected_version,
        actor=Actor(principal.user_id, principal.org_id), changes={"released_on": on},
    )
    for patent_id in await repository.patents_of(row.id):
        await mark_released(patent_id, number=row.registration_number, actor=Actor(principal.user_id, principal.org_id))
    await decide_on_case(fresh, kind="release", outcome="released", actor=Actor(principal.user_id, principal.org_id),
                         role="pledgee", snapshot={"released_on": on.isoformat(), "reference": row.reference})
    return fresh


# ---------------------------------------------------------------------------------- the patents in listings


async def mark_pledged(patent_id: int, *, pledgee_org: int, number: str, registered_on: date, actor: Actor) -> None:
    """The patent is pledged in listings: its pledgee and the registration on record (``patents.changed`` follows
    there)."""
    await patents.mark_pledged(
        patent_id, pledgee_org=pledgee_org, registration_number=number, registered_on=registered_on, actor=actor
    )


async def mark_released(patent_id: int, *, number: str, actor: Actor) -> None:
    await patents.mark_released(patent_id, actor=actor, registration_number=number)


async def record_consent(*, principal: Principal, registration_id: int, patent_id: int, scope: str) -> None:
    """The pledgee consents to an open-licence declaration (Implementing Regulations Art 86(4)) or a licence
    (Civil Code Art 444) of a patent it holds in pledge; listings' checks then pass."""
    if scope not in CONSENT_SCOPES:
        bad = Msg("registration.unknown_consent_scope")
        raise ValidationFailed(bad, errors=[FieldError("scope", bad, code="unknown_scope")])
    row = await as_pledgee(principal, registration_id)
    if row.state not in machine.PLEDGED:
        raise Conflict(Msg("registration.not_pledged"))
    if patent_id not in await repository.patents_of(row.id):
        raise NotFound(Msg("registration.patent_not_pledged_here"))
    await patents.record_pledgee_consent(
        patent_id, pledgee_org=row.pledgee, scope=scope, actor=Actor(principal.user_id, principal.org_id)
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.pledgee_consent_recorded",
        entity_type="patent",
        entity_id=patent_id,
        org_id=row.pledgee,
        after={"registration": row.id, "scope": scope, "source": CONSENT_SOURCES[scope]},
    )


# ----------------------------------------------------------------------------------------- loans running


async def running_for_patent(patent_id: int) -> list[RegistrationRecord]:
    """The registrations whose pledge covers this patent and is in force (registered, release not registered)."""
    return [r for r in await repository.registrations_of_patent(patent_id) if r.state in machine.PLEDGED]


async def running() -> list[RegistrationRecord]:
    return await repository.in_states(sorted(machine.PLEDGED))


# ------------------------------------------------------------------------------------------ alerting the bank

FEE_ALERT_DAYS = 30
STATUS_FIELDS = frozenset({"legal_status", "annual_fees_paid_through", "suspension", "expiry_date", "patentees"})


def fee_due_on(row: PatentRecord, on: date) -> date | None:
    """When the patent's next annual fee falls due: the day its fees are paid through, else the next anniversary
    of its filing date (annual fees are paid before each patent year starts)."""
    if row.annual_fees_paid_through is not None:
        return row.annual_fees_paid_through
    if row.filing_date is None:
        return None
    due = row.filing_date
    while due < on:
        due = add_months(due, 12)
    return due


async def alert_pledgee(
    registration: RegistrationRecord, *, patent_id: int, alert: str, key: str, params: dict[str, str]
) -> bool:
    """Tell the bank's members (a notification each, once per ``key``) and its systems (``registrations.alerted``,
    which webhooks deliver). True if anything new was said."""
    patent = await patents.patent_by_id(patent_id)
    number = patent.number if patent else str(patent_id)
    message = Msg(f"registration.alert.{alert}", {"number": number, "reference": registration.reference, **params})
    new = False
    for member in await org_service.members_of_org(registration.pledgee):
        new = (
            await notify(
                user_id=member.user_id,
                kind="pledge_alert",
                message=message,
                dedupe_key=f"pledge-alert:{registration.id}:{patent_id}:{key}:{member.user_id}",
            )
            or new
        )
    if new:
        await events.emit(
            "registrations.alerted",
            registration_id=registration.id,
            pledgee_org=registration.pledgee,
            patent_id=patent_id,
            alert=alert,
            **params,
        )
    return new


async def patent_changed(*, patent_id: int, fields: list[str]) -> int:
    """``patents.changed``: a change of legal status or fees of a patent under a running pledge alerts its bank."""
    changed = sorted(STATUS_FIELDS & set(fields))
    if not changed:
        return 0
    patent = await patents.patent_by_id(patent_id)
    if patent is None:
        return 0
    stamp = patent.updated_at.isoformat()
    told = 0
    for registration in await running_for_patent(patent_id):
        params = {"fields": ", ".join(changed), "status": patent.legal_status}
        told += await alert_pledgee(
            registration, patent_id=patent_id, alert="status_changed", key=f"status:{stamp}", params=params
        )
    return told


async def licence_requested(*, patent_id: int, licence_id: int) -> int:
    """A licence of a pledged patent was asked for: its bank is told."""
    told = 0
    for registration in await running_for_patent(patent_id):
        told += await alert_pledgee(
            registration,
            patent_id=patent_id,
            alert="licence_requested",
            key=f"licence:{licence_id}",
            params={"licence": str(licence_id)},
        )
    return told


async def fee_alerts(*, on: date) -> int:
    """Daily: each patent under a running pledge whose annual fee falls due within 30 days (or is overdue) alerts
    its bank, once per due date."""
    told = 0
    for registration in await running():
        for patent_id in await repository.patents_of(registration.id):
            patent = await patents.patent_by_id(patent_id)
            due = fee_due_on(patent, on) if patent else None
            if due is None or (due - on).days > FEE_ALERT_DAYS:
                continue
            told += await alert_pledgee(
                registration,
                patent_id=patent_id,
                alert="fee_due",
                key=f"fee:{due.isoformat()}",
                params={"due_on": due.isoformat()},
            )
    return told


# ------------------------------------------------------------------------------------------------ reading

PLEDGE_ARTICLE = "law.regs.art86.4"  # listings' reason for a pledge without the pledgee's consent
ANY_TERMS = DeclaredTerms(
    payment_mode=PaymentMode.running_royalty,
    currency="CNY",
    lump_sum_minor=None,
    entry_fee_minor=None,
    royalty_rate_bp=300,
    term_years=None,
)


async def open_licence_blocked_by_pledge(row: PatentRecord, on: date) -> bool:
    """Would listings' declaration check (the same rules a declaration runs) refuse an open-licence declaration of
    this patent because it is pledged without the pledgee's consent (Implementing Regulations Art 86(4))?"""
    reasons = eligibility.check(
        patent=patents.facts(row, await patents.licences_in_force([row.id], on)),
        terms=ANY_TERMS,
        declarant=(row.patentees or [""])[0],
        today=on,
    )
    return any(r.article == PLEDGE_ARTICLE for r in reasons)



async def view(*, principal: Principal, registration_id: int) -> RegistrationOut:
    row, role = await party(principal, registration_id)
    docs = await repository.documents(row.id)
    patent_rows = [p for p in [await patents.patent_by_id(i) for i in await repository.patents_of(row.id)] if p]
    return RegistrationOut(
        id=row.id,
        reference=row.reference,
        application_id=row.application,
        pledgor_org_id=row.pledgor,
        pledgee_org_id=row.pledgee,
        role=role,
        state=row.state,
        version=row.version,
        amount_minor=row.amount_minor,
        currency=row.currency,
        rate_bp=row.rate_bp,
        term_months=row.term_months,
        debt_starts_on=row.debt_starts_on,
        debt_ends_on=row.debt_ends_on,
        pure_ip=row.pure_ip,
        filed_on=row.filed_on,
        due_on=row.due_on,
        paused_since=row.paused_since,
        paused_working_days=row.paused_working_days,
        registration_number=row.registration_number,
        registered_on=row.registered_on,
        refusal_ground=row.refusal_ground,
        cnipa_note=row.cnipa_note,
        release_filed_on=row.release_filed_on,
        released_on=row.released_on,
        next_steps=machine.events_from(row.state),
        patents=[
            RegistrationPatentOut(
                id=p.id,
                number=p.number,
                title=p.title_zh or p.title_en,
                pledged=p.pledged,
                pledgee_consent=p.pledgee_consent,
                expiry_date=p.expiry_date,
                open_licence_blocked=await open_licence_blocked_by_pledge(p, today()),
            )
            for p in patent_rows
        ],
        documents=[
            DocumentOut(
                kind=d.kind,
                template=d.template,
                template_version=d.template_version,
                sha256=d.sha256,
                pages=d.pages,
                url=f"/api/pledge-registrations/{row.id}/documents/{d.kind}",
            )
            for d in docs
        ],
        signatures=[
            SignatureOut(
                document_kind=s.document_kind,
                sha256=s.sha256,
                role=s.role,
                org_id=s.organisation,
                user_id=s.signer,
                method=s.method,
                signed_at=s.signed_at,
            )
            for s in await signatures(row.id)
        ],
    )


async def tell_parties(*, registration_id: int, what: str) -> None:
    """Both parties' members are told of a step (``started``: the documents are ready to sign; else the state
    reached), once each."""
    row = await repository.get(registration_id)
    if row is None:
        return
    code = "registration.notice.started" if what == "started" else "registration.notice.moved"
    state = Msg(f"registration.state.{row.state if what != 'started' else 'awaiting_signatures'}")
    message = Msg(code, {"reference": row.reference, "state": state})
    for org_id in (row.pledgor, row.pledgee):
        for member in await org_service.members_of_org(org_id):
            await notify(
                user_id=member.user_id,
                kind="pledge_registration",
                message=message,
                dedupe_key=f"pledge-registration:{row.id}:{what}:{member.user_id}",
            )


async def start_from_application(*, application_id: int, data_dir: Path) -> RegistrationRecord | None:
    """``pledges.accepted``: the accepted offer's terms (amount, rate, term) and the application's patents become
    the pledge's registration, its contract and its form."""
    app = await pledges.application_by_id(application_id)
    if app is None or app.accepted_at is None:
        return None
    patent_ids = tuple(p.patent for p in await pledges.pledged_patents(application_id))
    terms = PledgeTerms(
        application_id=app.id,
        pledgor_org=app.applicant,
        pledgee_org=app.bank,
        amount=Money(app.currency, app.offer_amount_minor or app.amount_minor),
        term_months=app.offer_term_months or app.term_months,
        patent_ids=patent_ids,
        rate_bp=app.offer_rate_bp,
        starts_on=app.accepted_at.date(),
        pure_ip=app.pure_ip,
    )
    return await start(terms=terms, data_dir=data_dir)
