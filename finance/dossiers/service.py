"""Dossiers: the documents of a desk case against its checklist.

- ``upload`` checks the bytes (type sniffed, never the client's word; size; age from the issue date), stores a new
  version of that requirement with its SHA-256, records it in the audit trail and emits ``dossiers.uploaded``.
- ``verify``/``reject`` (the reviewer organisation) change a document's review once, conditionally on its status.
- ``completeness(case_id, checklist)`` says what is missing, too old or rejected, each as a desk ``Reason``, so a
  submission can be refused until the dossier is complete.
- Which checklist a case has is its kind's business: the module that opens cases of a kind registers a provider
  (``register_checklist("pledge_loan", provider)``) so the generic upload endpoint knows the requirements.
- Access: the case's applicant and reviewer organisations only; for anyone else a case or document is a 404.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime

from finance.desk import service as desk
from finance.desk.reasons import Reason
from finance.desk.records import CaseRecord
from finance.dossiers import repository
from finance.dossiers.checklist import (
    EXTENSIONS,
    REJECT_REASONS,
    Completeness,
    Current,
    Requirement,
    assess,
    sniff,
)
from finance.dossiers.records import DocumentContentRecord, DocumentRecord
from finance.dossiers.schemas import (
    ChecklistItemOut,
    ChecklistOut,
    DocumentOut,
    ReasonOut,
)
from market import events, runtime
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg, render

ChecklistProvider = Callable[[CaseRecord], Awaitable[Sequence[Requirement]]]
CHECKLISTS: dict[str, ChecklistProvider] = {}
FILENAME_MAX = 120


def register_checklist(kind: str, provider: ChecklistProvider) -> None:
    """The checklist of the cases of ``kind`` (called once, at import, by the module that opens them)."""
    CHECKLISTS[kind] = provider


async def checklist_of(found: CaseRecord) -> list[Requirement]:
    provider = CHECKLISTS.get(found.kind)
    return list(await provider(found)) if provider is not None else []


def today() -> date:
    return desk.today()


def max_bytes() -> int:
    return runtime.current().settings.dossier_max_bytes


# ------------------------------------------------------------------------------------------------- reading

document = repository.get
documents = repository.of_case


async def content(document_id: int) -> bytes:
    """A document's bytes, checked against the SHA-256 stored with them (a changed row is a 409, never served)."""
    found = await _content(document_id)
    return found.content


async def _content(document_id: int) -> DocumentContentRecord:
    found = await repository.content_of(document_id)
    if found is None:
        raise NotFound(Msg("dossiers.document_not_found", {"id": document_id}))
    if hashlib.sha256(found.content).hexdigest() != found.sha256:
        raise Conflict(Msg("dossiers.hash_mismatch", {"id": document_id}))
    return found


async def current(case_id: int) -> dict[str, DocumentRecord]:
    """The latest version of each requirement's document."""
    latest: dict[str, DocumentRecord] = {}
    for doc in await repository.of_case(case_id):
        latest[doc.requirement] = doc  # oldest first: the last one wins
    return latest


async def completeness(case_id: int, checklist: Sequence[Requirement], *, on: date | None = None) -> Completeness:
    latest = await current(case_id)
    seen = {
        code: Current(requirement=code, status=doc.status, issued_on=doc.issued_on, reason_code=doc.reason_code)
        for code, doc in latest.items()
    }
    return assess(checklist, seen, on or today())


# ------------------------------------------------------------------------------------------------- writing


def _refused(field: str, message: Msg, article: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message, article=article)])


def invalid_issue_date() -> ValidationFailed:
    return _refused("issued_on", Msg("dossiers.issued_on_invalid"))


def no_file() -> ValidationFailed:
    return _refused("file", Msg("dossiers.empty"))


def clean_filename(filename: str, content_type: str) -> str:
    name = "".join(c for c in filename if c.isprintable() and c not in '/\\"<>:|?*')[-FILENAME_MAX:].strip()
    return name or f"document{EXTENSIONS.get(content_type, '')}"


def check_document(
    requirement: Requirement, content_bytes: bytes, issued_on: date | None, *, on: date, limit: int
) -> str:
    """The document's type when it may be stored against ``requirement``; a ValidationFailed naming the field
    otherwise. Nothing is written before these checks pass."""
    if not content_bytes:
        raise _refused("file", Msg("dossiers.empty"))
    if len(content_bytes) > limit:
        raise _refused("file", Msg("dossiers.too_large", {"max_mb": max(1, limit // (1024 * 1024)), "bytes": limit}))
    found = sniff(content_bytes)
    if found is None or found not in requirement.accepted_types:
        accepted = tuple(EXTENSIONS[t].lstrip(".").upper() for t in requirement.accepted_types)
        raise _refused("file", Msg("dossiers.type_not_accepted", {"accepted": accepted}))
    if issued_on is not None and issued_on > on:
        raise _refused("issued_on", Msg("dossiers.issued_in_future"))
    if requirement.needs_issue_date and issued_on is None:
        raise _refused("issued_on", Msg("dossiers.issued_on_required", {"days": requirement.max_age_days}))
    if requirement.expired(issued_on, on):
        message = Msg("dossiers.too_old", {"days": requirement.max_age_days, "issued_on": issued_on})
        raise _refused("issued_on", message, article=requirement.source)
    return found


async def upload(
    *,
    case_id: int,
    requirement: Requirement,
    filename: str,
    content_type: str,
    content: bytes,
    issued_on: date | None,
    actor: Actor,
) -> DocumentRecord:
    """Store a new version of ``requirement``'s document. ``content_type`` is what the client said: recorded in the
    audit trail, never trusted (the type stored is the one read from the bytes)."""
    found_case = await desk.case(case_id)
    if found_case is None:
        raise NotFound(Msg("dossiers.case_not_found", {"id": case_id}))
    sniffed = check_document(requirement, content, issued_on, on=today(), limit=max_bytes())
    return await _store(
        case_id=case_id,
        requirement=requirement.code,
        filename=clean_filename(filename, sniffed),
        content_type=sniffed,
        content_bytes=content,
        issued_on=issued_on,
        actor=actor,
        claimed_type=content_type,
    )


async def issue(
    *, case_id: int, requirement: Requirement, filename: str, content: bytes, actor: Actor
) -> DocumentRecord:
    """A document the platform issues itself (a decision letter): stored verified, as a new version."""
    sniffed = check_document(requirement, content, None, on=today(), limit=max(max_bytes(), len(content)))
    return await _store(
        case_id=case_id,
        requirement=requirement.code,
        filename=clean_filename(filename, sniffed),
        content_type=sniffed,
        content_bytes=content,
        issued_on=today(),
        actor=actor,
        claimed_type=sniffed,
        status="verified",
    )


async def _store(
    *,
    case_id: int,
    requirement: str,
    filename: str,
    content_type: str,
    content_bytes: bytes,
    issued_on: date | None,
    actor: Actor,
    claimed_type: str,
    status: str = "uploaded",
) -> DocumentRecord:
    digest = hashlib.sha256(content_bytes).hexdigest()
    version = await repository.last_version(case_id, requirement) + 1  # two at once: the unique key says 409
    document_id = await repository.insert(
        case_id=case_id,
        requirement=requirement,
        version=version,
        filename=filename,
        content_type=content_type,
        content=content_bytes,
        sha256=digest,
        issued_on=issued_on,
        uploaded_by=actor.user_id,
        uploaded_by_org=actor.org_id,
        at=datetime.now(UTC),
        status=status,
    )
    await record(
        actor=actor,
        action="dossiers.uploaded",
        entity_type="dossier_document",
        entity_id=document_id,
        org_id=actor.org_id,
        after={
            "case": case_id,
            "requirement": requirement,
            "version": version,
            "sha256": digest,
            "size": len(content_bytes),
            "content_type": content_type,
            "claimed_type": claimed_type[:100],
            "issued_on": issued_on.isoformat() if issued_on else None,
            "status": status,
        },
    )
    await events.emit("dossiers.uploaded", document_id=document_id, case_id=case_id)
    stored = await repository.get(document_id)
    assert stored is not None
    return stored


async def verify(*, document_id: int, actor: Actor) -> DocumentRecord:
    return await _review(document_id=document_id, to_status="verified", reason_code="", note="", actor=actor)


async def reject(*, document_id: int, reason_code: str, note: str, actor: Actor) -> DocumentRecord:
    if reason_code not in REJECT_REASONS:
        raise _refused("reason_code", Msg("dossiers.unknown_reject_reason"))
    return await _review(document_id=document_id, to_status="rejected", reason_code=reason_code, note=note,
                         actor=actor)


async def _review(*, document_id: int, to_status: str, reason_code: str, note: str, actor: Actor) -> DocumentRecord:
    found = await repository.get(document_id)
    if found is None:
        raise NotFound(Msg("dossiers.document_not_found", {"id": document_id}))
    if found.status != "uploaded" or not await repository.review(
        document_id,
        from_status="uploaded",
        to_status=to_status,
        reviewed_by=actor.user_id,
        at=datetime.now(UTC),
        reason_code=reason_code,
        note=note[:2000],
    ):
        raise Conflict(Msg("dossiers.already_reviewed", {"id": document_id}))
    await record(
        actor=actor,
        action=f"dossiers.{to_status}",
        entity_type="dossier_document",
        entity_id=document_id,
        org_id=actor.org_id,
        before={"status": found.status},
        after={"status": to_status, "reason_code": reason_code, "sha256": found.sha256, "case": found.case},
    )
    await events.emit(f"dossiers.{to_status}", document_id=document_id, case_id=found.case)
    reviewed = await repository.get(document_id)
    assert reviewed is not None
    return reviewed


# ------------------------------------------------------------------------------------------------- for callers


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


async def case_for_party(*, principal: Principal, case_id: int) -> CaseRecord:
    """A case whose applicant or reviewer is the principal's organisation; any other is a 404."""
    found = await desk.case(case_id)
    if found is None or principal.org_id not in (found.applicant_org, found.reviewer_org):
        raise NotFound(Msg("dossiers.case_not_found", {"id": case_id}))
    return found


async def document_for_party(*, principal: Principal, document_id: int) -> tuple[DocumentRecord, CaseRecord]:
    found = await repository.get(document_id)
    if found is None:
        raise NotFound(Msg("dossiers.document_not_found", {"id": document_id}))
    try:
        found_case = await case_for_party(principal=principal, case_id=found.case)
    except NotFound:
        raise NotFound(Msg("dossiers.document_not_found", {"id": document_id})) from None
    return found, found_case


async def upload_for(
    *,
    principal: Principal,
    case_id: int,
    requirement: str,
    filename: str,
    content_type: str,
    content: bytes,
    issued_on: date | None,
) -> DocumentOut:
    found_case = await case_for_party(principal=principal, case_id=case_id)
    if found_case.closed:
        raise Conflict(Msg("dossiers.case_closed", {"reference": found_case.reference}))
    wanted = next((r for r in await checklist_of(found_case) if r.code == requirement), None)
    if wanted is None:
        raise _refused("requirement", Msg("dossiers.unknown_requirement"))
    stored = await upload(
        case_id=found_case.id,
        requirement=wanted,
        filename=filename,
        content_type=content_type,
        content=content,
        issued_on=issued_on,
        actor=actor_of(principal),
    )
    return document_out(stored, wanted, principal.org_id == found_case.reviewer_org)


async def download_for(*, principal: Principal, document_id: int) -> DocumentContentRecord:
    await document_for_party(principal=principal, document_id=document_id)
    return await _content(document_id)


async def _reviewer_only(principal: Principal, document_id: int) -> DocumentRecord:
    found, found_case = await document_for_party(principal=principal, document_id=document_id)
    if principal.org_id != found_case.reviewer_org:
        raise Forbidden(Msg("dossiers.reviewer_only"))
    return found


async def verify_for(*, principal: Principal, document_id: int) -> DocumentOut:
    await _reviewer_only(principal, document_id)
    return document_out(await verify(document_id=document_id, actor=actor_of(principal)), None, True)


async def reject_for(*, principal: Principal, document_id: int, reason_code: str, note: str) -> DocumentOut:
    await _reviewer_only(principal, document_id)
    rejected = await reject(document_id=document_id, reason_code=reason_code, note=note, actor=actor_of(principal))
    return document_out(rejected, None, True)


async def checklist_for(*, principal: Principal, case_id: int, lang: str) -> ChecklistOut:
    """The case's checklist with each requirement's latest document and the dossier's completeness, for the API
    and for the checklist partial (``frontend/templates/dossiers/_checklist.html``)."""
    found_case = await case_for_party(principal=principal, case_id=case_id)
    checklist = await checklist_of(found_case)
    return await checklist_view(found_case, checklist, lang=lang, reviewer=principal.org_id == found_case.reviewer_org)


async def checklist_view(
    found_case: CaseRecord, checklist: Sequence[Requirement], *, lang: str, reviewer: bool
) -> ChecklistOut:
    everything = await repository.of_case(found_case.id)
    state = await completeness(found_case.id, checklist)
    problems = {r.field: r for r in state.reasons}
    items = []
    for req in checklist:
        versions = [d for d in everything if d.requirement == req.code]
        items.append(
            ChecklistItemOut(
                code=req.code,
                label=render(req.label, lang),
                required=req.required,
                accepted=[EXTENSIONS[t].lstrip(".").upper() for t in req.accepted_types],
                accept_attr=",".join([*req.accepted_types, *(EXTENSIONS[t] for t in req.accepted_types)]),
                max_age_days=req.max_age_days,
                needs_issue_date=req.needs_issue_date,
                documents=[document_out(d, req, reviewer, lang) for d in reversed(versions)],
                problem=reason_out(problems[req.code], lang) if req.code in problems else None,
            )
        )
    return ChecklistOut(
        case_id=found_case.id,
        reference=found_case.reference,
        complete=state.complete,
        reasons=[reason_out(r, lang) for r in state.reasons],
        items=items,
        max_mb=max(1, max_bytes() // (1024 * 1024)),
        reviewer=reviewer,
        reject_reasons=[(code, render(Msg(f"reason.{code}"), lang)) for code in REJECT_REASONS],
    )


def reason_out(found: Reason, lang: str) -> ReasonOut:
    return ReasonOut(
        code=found.code,
        source=found.source,
        severity=found.severity.value,
        field=found.field,
        text=render(found.msg, lang),
        article=render(Msg(found.source), lang) if found.source else "",
    )


def document_out(
    doc: DocumentRecord, requirement: Requirement | None, reviewer: bool, lang: str = "zh"
) -> DocumentOut:
    return DocumentOut(
        id=doc.id,
        case_id=doc.case,
        requirement=doc.requirement,
        version=doc.version,
        filename=doc.filename,
        content_type=doc.content_type,
        size=doc.size,
        sha256=doc.sha256,
        issued_on=doc.issued_on,
        expires_on=requirement.expires_on(doc.issued_on) if requirement else None,
        uploaded_at=doc.uploaded_at,
        status=doc.status,
        reviewed_at=doc.reviewed_at,
        reason_code=doc.reason_code,
        reason_text=render(Msg(f"reason.{doc.reason_code}"), lang) if doc.reason_code else "",
        note=doc.note if reviewer or doc.status == "rejected" else "",
        url=f"/api/dossiers/documents/{doc.id}/content",
    )
