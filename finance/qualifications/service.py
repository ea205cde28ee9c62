"""An SME's recorded qualifications (RULES "Who the programmes favour"): 科技型中小企业 (``tech_sme``), 高新技术企业
(``high_tech``), 专精特新中小企业 (``specialised``) and 专精特新“小巨人” (``little_giant``).

- An organisation's owners record one with its certificate number, issuing body, issue and expiry dates and an
  evidence file (PDF, PNG or JPEG by its bytes; SHA-256 stored). The expiry date is required, refused before the
  issue date, in the past at recording, or beyond the longest validity the kind's rule allows (high-tech
  certificates and the 专精特新 recognitions: three years; the tech-SME evaluation is annual: at most to the end of
  the year after it). The issue date is refused in the future.
- Recording a kind supersedes the live record of that kind (kept, status ``superseded``): at most one live record
  per organisation and kind (a unique column decides; of two racers one wins, the other gets a 409).
- A platform administrator verifies or rejects a recorded one (reason code), or revokes a live one (reason code);
  each move conditional on (status, version) and audited. See ``machine.py``.
- ``held(org_id, on=day)`` and ``holds(org_id, kinds, on=day)``: what other modules call. A record counts on a day
  when it is live (recorded or verified) and the day is between its issue and expiry dates (both included). The
  status is the one in force when asked (a record rejected since is not held, whatever day is asked); the day
  decides expiry, so the check at the moment of use is ``on=<that day>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from finance.qualifications import repository
from finance.qualifications.machine import events_from, next_status
from finance.qualifications.records import (
    MISSING,
    MISSING_SOURCE,
    QualificationCheck,
    QualificationContentRecord,
    QualificationFinding,
    QualificationRecord,
    missing_finding,
)
from finance.qualifications.schemas import QualificationOut
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg, Param
from market.kit.files import clean_filename, evidence_type
from market.notifications.service import notify_members
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

__all__ = [
    "KINDS",
    "MISSING",
    "MISSING_SOURCE",
    "QualificationCheck",
    "QualificationFinding",
    "QualificationRecord",
    "held",
    "holds",
    "missing_finding",
]

CHINA = ZoneInfo("Asia/Shanghai")
KINDS: tuple[str, ...] = ("tech_sme", "high_tech", "specialised", "little_giant")
# Where each kind comes from (a catalogue code: the rule that recognises it and says how long it lasts).
KIND_SOURCES = {
    "tech_sme": "law.qualifications.tech_sme",
    "high_tech": "law.qualifications.high_tech",
    "specialised": "law.qualifications.specialised",
    "little_giant": "law.qualifications.little_giant",
}
# The longest a recognition lasts, in years from its issue date (tech_sme: see ``longest_expiry``).
VALID_YEARS = {"high_tech": 3, "specialised": 3, "little_giant": 3}
# Why an administrator rejects or revokes a record: code -> source.
REJECT_REASONS = {
    "qualification.reject.evidence_unreadable": "law.qualifications.evidence",
    "qualification.reject.holder_mismatch": "law.qualifications.evidence",
    "qualification.reject.facts_mismatch": "law.qualifications.evidence",
    "qualification.reject.not_in_register": "law.qualifications.public_register",
}
REVOKE_REASONS = {
    "qualification.revoke.withdrawn": "law.qualifications.public_register",
    "qualification.revoke.false_evidence": "law.qualifications.evidence",
}
MAX_BYTES = 5 * 1024 * 1024  # one scan of a certificate
NUMBER_MAX, BODY_MAX, NOTE_MAX = 60, 200, 1000


def current_time() -> datetime:
    """The module's clock (one place, so a test can set it)."""
    return datetime.now(UTC)


def today() -> date:
    """Today in China, where certificates are dated."""
    return current_time().astimezone(CHINA).date()


# ------------------------------------------------------------------------------------------------- what others call


async def held(org_id: int, *, on: date) -> list[QualificationRecord]:
    """The organisation's qualifications held on ``on``: live (recorded or verified), issued on or before that day
    and expiring on or after it. One per kind at most, ordered by kind."""
    return await repository.live_on(org_id, on=on)


async def holds(org_id: int, kinds: Sequence[str], *, on: date) -> QualificationCheck:
    """Which of ``kinds`` the organisation holds on ``on`` (see ``held``); ``missing`` gives one
    ``qualification.missing`` finding each (``QualificationCheck.findings``). An unknown kind is a programming
    error (``ValueError``): programmes store kinds from ``KINDS``."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown qualification kinds: {unknown}")
    asked = tuple(dict.fromkeys(kinds))
    by_kind = {r.kind: r for r in await held(org_id, on=on) if r.kind in asked}
    return QualificationCheck(
        org_id=org_id,
        on=on,
        asked=asked,
        held=tuple(k for k in asked if k in by_kind),
        missing=tuple(k for k in asked if k not in by_kind),
        verified=tuple(k for k in asked if k in by_kind and by_kind[k].status == "verified"),
        records=tuple(by_kind[k] for k in asked if k in by_kind),
    )


qualification = repository.get


# ------------------------------------------------------------------------------------------------- recording


def longest_expiry(kind: str, issued_on: date) -> date:
    """The last expiry date the kind's rule allows for a recognition issued on ``issued_on``."""
    if kind == "tech_sme":
        return date(issued_on.year + 1, 12, 31)
    years = VALID_YEARS[kind]
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February
        return issued_on.replace(year=issued_on.year + years, day=28)


def check_facts(
    *, kind: str, certificate_number: str, issuing_body: str, issued_on: date | None, expires_on: date | None, on: date
) -> None:
    """Every problem with the certificate's facts, each beside its field; nothing when they may be recorded."""
    errors: list[FieldError] = []
    if kind not in KINDS:
        errors.append(FieldError("kind", Msg("qualification.kind_unknown"), code="kind_unknown"))
    if not certificate_number.strip():
        errors.append(FieldError("certificate_number", Msg("qualification.number_required"), code="required"))
    elif len(certificate_number) > NUMBER_MAX:
        errors.append(FieldError("certificate_number", Msg("qualification.number_too_long"), code="too_long"))
    if not issuing_body.strip():
        errors.append(FieldError("issuing_body", Msg("qualification.body_required"), code="required"))
    elif len(issuing_body) > BODY_MAX:
        errors.append(FieldError("issuing_body", Msg("qualification.body_too_long"), code="too_long"))
    if issued_on is None:
        errors.append(FieldError("issued_on", Msg("qualification.issued_on_required"), code="required"))
    elif issued_on > on:
        errors.append(FieldError("issued_on", Msg("qualification.issued_in_future"), code="in_future"))
    if expires_on is None:
        errors.append(FieldError("expires_on", Msg("qualification.expires_on_required"), code="required"))
    elif issued_on is not None and expires_on < issued_on:
        errors.append(FieldError("expires_on", Msg("qualification.expires_before_issued"), code="before_issued"))
    elif expires_on < on:
        errors.append(FieldError("expires_on", Msg("qualification.already_expired", {"on": on}), code="expired"))
    elif issued_on is not None and kind in KINDS and expires_on > (longest := longest_expiry(kind, issued_on)):
        too_long = Msg("qualification.validity_too_long", {"latest": longest})
        errors.append(FieldError("expires_on", too_long, code="validity_too_long", article=KIND_SOURCES[kind]))
    if errors:
        raise ValidationFailed(Msg("qualification.invalid"), errors=errors)


def check_file(content: bytes) -> str:
    """The evidence file's type, from its bytes; refused (beside the ``file`` field) when empty, too large, or not
    a PDF, PNG or JPEG."""
    if not content:
        empty = Msg("qualification.file_empty")
        raise ValidationFailed(empty, errors=[FieldError("file", empty, code="required")])
    if len(content) > MAX_BYTES:
        too_big = Msg("qualification.file_too_large", {"max_mb": MAX_BYTES // (1024 * 1024)})
        raise ValidationFailed(too_big, errors=[FieldError("file", too_big, code="too_large")])
    found = evidence_type(content)
    if found is None:
        wrong = Msg("qualification.file_type")
        raise ValidationFailed(wrong, errors=[FieldError("file", wrong, code="type_not_accepted")])
    return found


async def record_for(
    *,
    org_id: int,
    actor: Actor,
    kind: str,
    certificate_number: str,
    issuing_body: str,
    issued_on: date | None,
    expires_on: date | None,
    filename: str,
    content: bytes,
) -> QualificationRecord:
    """Record a qualification of ``org_id`` (checked first: nothing is written when anything is refused); the live
    record of the same kind, if any, is superseded by it. Audited."""
    on = today()
    number, body = certificate_number.strip(), issuing_body.strip()
    check_facts(
        kind=kind, certificate_number=number, issuing_body=body, issued_on=issued_on, expires_on=expires_on, on=on
    )
    content_type = check_file(content)
    assert issued_on is not None  # checked above
    assert expires_on is not None
    now = current_time()
    before = await repository.live_of(org_id, [kind])
    for old in before:
        if not await repository.move(
            old.id, from_status=old.status, version=old.version, to_status="superseded", at=now, by=actor.user_id
        ):
            raise Conflict(Msg("qualification.changed_meanwhile"))
    digest = hashlib.sha256(content).hexdigest()
    # The unique live_key: a record of the kind that went live meanwhile makes this insert a 409 (market.web).
    new_id = await repository.create(
        org_id=org_id,
        kind=kind,
        certificate_number=number,
        issuing_body=body,
        issued_on=issued_on,
        expires_on=expires_on,
        filename=clean_filename(filename, content_type),
        content_type=content_type,
        sha256=digest,
        content=content,
        recorded_by=actor.user_id,
        at=now,
    )
    for old in before:
        await repository.set_superseded_by(old.id, new_id)
    made = await repository.get(new_id)
    assert made is not None
    await record(
        actor=actor,
        action="finance.qualification_recorded",
        entity_type="qualification",
        entity_id=new_id,
        org_id=org_id,
        before={"superseded": [r.snapshot() for r in before]} if before else None,
        after=made.snapshot(),
    )
    return made


async def record_qualification(
    *,
    principal: Principal,
    kind: str,
    certificate_number: str,
    issuing_body: str,
    issued_on: date | None,
    expires_on: date | None,
    filename: str,
    content: bytes,
) -> QualificationRecord:
    """An owner records a qualification of their organisation."""
    if not principal.is_owner:
        raise Forbidden(Msg("qualification.owner_only"))
    return await record_for(
        org_id=principal.org_id,
        actor=Actor(principal.user_id, principal.org_id),
        kind=kind,
        certificate_number=certificate_number,
        issuing_body=issuing_body,
        issued_on=issued_on,
        expires_on=expires_on,
        filename=filename,
        content=content,
    )


# ------------------------------------------------------------------------------------------------- review


def _require_admin(principal: Principal) -> None:
    if principal.org_kind is not OrgKind.platform_admin:
        raise Forbidden(Msg("qualification.admin_only"))


async def _found(qualification_id: int) -> QualificationRecord:
    found = await repository.get(qualification_id)
    if found is None:
        raise NotFound(Msg("qualification.not_found", {"id": qualification_id}))
    return found


async def review(
    *,
    principal: Principal,
    qualification_id: int,
    event: str,
    expected_version: int,
    reason_code: str = "",
    note: str = "",
) -> QualificationRecord:
    """A platform administrator's move of a record: ``verify``, ``reject`` (a reason code of ``REJECT_REASONS``) or
    ``revoke`` (one of ``REVOKE_REASONS``). Conditional on the version the administrator saw (a 409 otherwise)."""
    _require_admin(principal)
    reasons = {"reject": REJECT_REASONS, "revoke": REVOKE_REASONS}
    if event != "verify" and event not in reasons:
        raise Conflict(Msg("qualification.move_not_allowed", {"status": event}))
    if event in reasons and reason_code not in reasons[event]:
        why = Msg("qualification.reason_required")
        raise ValidationFailed(why, errors=[FieldError("reason_code", why, code="reason_required")])
    if len(note) > NOTE_MAX:
        long = Msg("qualification.note_too_long", {"max": NOTE_MAX})
        raise ValidationFailed(long, errors=[FieldError("note", long, code="too_long")])
    found = await _found(qualification_id)
    to_status = next_status(found.status, event)
    if found.version != expected_version:
        raise Conflict(Msg("qualification.changed_meanwhile"))
    moved = await repository.move(
        found.id,
        from_status=found.status,
        version=found.version,
        to_status=to_status,
        at=current_time(),
        by=principal.user_id,
        reason_code=reason_code if event != "verify" else "",
        note=note.strip(),
    )
    if not moved:
        raise Conflict(Msg("qualification.changed_meanwhile"))
    after = await _found(found.id)
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action=f"finance.qualification_{to_status}",
        entity_type="qualification",
        entity_id=found.id,
        org_id=found.organisation,
        before={"status": found.status, "version": found.version},
        after={"status": after.status, "version": after.version, "reason_code": after.reason_code, "note": after.note},
    )
    return after


def actions(row: QualificationRecord) -> tuple[str, ...]:
    """What an administrator may do with the record now."""
    return tuple(e for e in events_from(row.status) if e != "supersede")


# ------------------------------------------------------------------------------------------------- reading


async def of_org(*, principal: Principal) -> list[QualificationRecord]:
    """The principal's organisation's records, newest first."""
    return await repository.of_org(principal.org_id)


async def queue(*, principal: Principal, statuses: Sequence[str] = ("recorded",)) -> list[QualificationRecord]:
    """A platform administrator's queue: records in these statuses, oldest first."""
    _require_admin(principal)
    return await repository.by_status(statuses)


async def one(*, principal: Principal, qualification_id: int) -> QualificationRecord:
    """A record, for a member of its organisation or a platform administrator (anyone else: 404)."""
    found = await repository.get(qualification_id)
    if found is None or not _may_read(principal, found.organisation):
        raise NotFound(Msg("qualification.not_found", {"id": qualification_id}))
    return found


def _may_read(principal: Principal, org_id: int) -> bool:
    return principal.org_id == org_id or principal.org_kind is OrgKind.platform_admin


async def evidence(*, principal: Principal, qualification_id: int) -> QualificationContentRecord:
    """A record's evidence file, checked against the SHA-256 stored with it (a changed row is a 409)."""
    found = await repository.content_of(qualification_id)
    if found is None or not _may_read(principal, found.organisation):
        raise NotFound(Msg("qualification.not_found", {"id": qualification_id}))
    if hashlib.sha256(found.content).hexdigest() != found.sha256:
        raise Conflict(Msg("qualification.hash_mismatch", {"id": qualification_id}))
    return found


def out(row: QualificationRecord, *, admin: bool = False) -> QualificationOut:
    """A record as the API and the pages show it: with whether it is expired and held today, and (for an
    administrator) the moves allowed now."""
    day = today()
    return QualificationOut(
        id=row.id,
        organisation=row.organisation,
        kind=row.kind,
        certificate_number=row.certificate_number,
        issuing_body=row.issuing_body,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        expired=row.expired_on(day),
        held_today=row.valid_on(day),
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        status=row.status,
        version=row.version,
        reason_code=row.reason_code,
        note=row.note,
        superseded_by=row.superseded_by,
        recorded_at=row.recorded_at,
        reviewed_at=row.reviewed_at,
        actions=list(actions(row)) if admin else [],
    )


# ------------------------------------------------------------------------------------------------- reminders

REMIND_DAYS = 30  # the members are told this many days before a qualification expires
EXPIRED_LOOKBACK_DAYS = 7  # and once it has, if the daily run was missed for up to a week


async def remind_expiring(*, on: date) -> int:
    """Tell the members of each organisation whose live qualification expires within ``REMIND_DAYS`` of ``on``
    (``notification.qualification_expiring``), or has expired (``notification.qualification_expired``): once per
    record and kind of notice (the notification's dedupe key). Returns how many records were looked at."""
    rows = await repository.live_expiring(
        first=on - timedelta(days=EXPIRED_LOOKBACK_DAYS), last=on + timedelta(days=REMIND_DAYS)
    )
    for row in rows:
        what = "expired" if row.expired_on(on) else "expiring"
        params: dict[str, Param] = {"kind": Msg(f"qualification.kind.{row.kind}"), "number": row.certificate_number,
                  "expires_on": row.expires_on}  # fmt: skip
        await notify_members(
            org_id=row.organisation,
            kind=f"qualification_{what}",
            message=Msg(f"notification.qualification_{what}", params),
            dedupe_key=f"qualification:{row.id}:{what}",
        )
    return len(rows)


# ------------------------------------------------------------------------------------------------- demo


def demo_pdf(title: str) -> bytes:
    """A small, well-formed one-page PDF saying ``title`` (ASCII): the demo's evidence file."""
    text = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


DEMO = (  # words: data (the demo certificates: numbers and recognising bodies)
    ("specialised", "ZJ-ZJTX-2026-0458", "浙江省经济和信息化厅", True),
    ("tech_sme", "20263301060A001234", "浙江省科学技术厅", False),
)


async def seed_demo(*, sme_name: str) -> int:
    """The demo SME's qualifications, once each: ``specialised`` (verified by the platform) and ``tech_sme``
    (recorded), issued 60 days ago and expiring a year from today, each with a small generated PDF as evidence.
    Returns how many were recorded."""
    org = await org_service.find_org(sme_name)
    if org is None:
        return 0
    on, made = today(), 0
    for kind, number, body, verify in DEMO:
        if await repository.live_of(org.id, [kind]):
            continue
        row = await record_for(
            org_id=org.id,
            actor=Actor.system(),
            kind=kind,
            certificate_number=number,
            issuing_body=body,
            issued_on=on - timedelta(days=60),
            expires_on=on + timedelta(days=365),
            filename=f"{kind}-{number}.pdf",
            content=demo_pdf(f"Demo certificate {number} ({kind})"),  # words: data (the demo PDF's text)
        )
        if verify:
            await repository.move(
                row.id, from_status=row.status, version=row.version, to_status="verified", at=current_time(), by=None
            )
            await record(
                actor=Actor.system(),
                action="finance.qualification_verified",
                entity_type="qualification",
                entity_id=row.id,
                org_id=org.id,
                before={"status": row.status, "version": row.version},
                after={"status": "verified", "version": row.version + 1, "reason_code": "", "note": "demo"},
            )
        made += 1
    return made
