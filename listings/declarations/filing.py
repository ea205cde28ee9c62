"""Filing declarations with CNIPA: the use cases around CNIPA's announcement (Patent Law Art 50). No HTTP here.

- ``record_announcement``: the university records CNIPA's announcement number and date of a published version;
  until then the version is "published on the platform, to be filed with CNIPA" (``cnipa``).
- ``filing_document``: what to file for a declaration, a revision or a withdrawal (``CnipaFilingOut``, exported as
  a JSON file by the API: structured, so a filing agent or a future CNIPA interface reads it without parsing a PDF).
- ``remind_unannounced``: a daily reminder to the university's members for each published version whose
  announcement is still unrecorded after ``cnipa_reminder_working_days`` working days (and every as many after).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from listings.declarations import cnipa, repository, service
from listings.declarations.records import DeclarationVersionRecord
from listings.declarations.schemas import (
    CnipaAnnouncementIn,
    CnipaFilingOut,
    CnipaPatentOut,
    DeclarationOut,
)
from listings.patents import service as patents
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, NotFound, ValidationFailed
from market.kit.law import PatentKind
from market.kit.messages import Msg, Param
from market.kit.words import MsgOut
from market.notifications.service import notify
from market.orgs import service as org_service

REMINDER_JOB = "listings.cnipa_reminders"


def _version(versions: list[DeclarationVersionRecord], number: int) -> DeclarationVersionRecord:
    found = [v for v in versions if v.version == number]
    if not found:
        raise NotFound(Msg("cnipa.no_such_version", {"version": number}))
    return found[0]


async def record_announcement(
    *, principal: Principal, declaration_id: int, data: CnipaAnnouncementIn
) -> DeclarationOut:
    """Record CNIPA's announcement (公告号, 公告日) of a published version, once; the date may be neither in the
    future nor before the version was published here."""
    row = await service.owned(principal, declaration_id)
    number = data.version or row.current_version
    version = _version(await repository.versions(declaration_id), number)
    if version.published_at is None:
        raise Conflict(Msg("cnipa.not_published"))
    if version.cnipa_number:
        raise Conflict(
            Msg("cnipa.already_recorded", {"number": version.cnipa_number, "date": version.cnipa_announced_on})
        )
    errors = cnipa.announcement_errors(
        announced_on=data.announced_on, published_on=version.published_at.date(), today=patents.today()
    )
    if errors:
        raise ValidationFailed(
            errors[0][1],
            errors=[FieldError("announced_on", msg, code=code, article=cnipa.ARTICLE) for code, msg in errors],
        )
    now = datetime.now(UTC)
    if not await repository.record_announcement(
        declaration_id, number, number=data.number, announced_on=data.announced_on, now=now
    ):
        raise Conflict(Msg("cnipa.already_recorded", {"number": data.number, "date": data.announced_on}))
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.declaration_announced",
        entity_type="declaration",
        entity_id=declaration_id,
        before={"version": number, "cnipa": "pending"},
        after={"version": number, "cnipa_number": data.number, "announced_on": data.announced_on.isoformat()},
    )
    await service.changed(declaration_id)
    return await service.get(principal=principal, declaration_id=declaration_id)


async def filing_document(
    *, principal: Principal, declaration_id: int, event: str, version: int | None = None
) -> CnipaFilingOut:
    """The fields to file with CNIPA for ``event`` (declaration, revision, withdrawal) of one of the university's
    declarations; ``version`` defaults to the first for a declaration and the current one otherwise."""
    row = await service.owned(principal, declaration_id)
    versions = await repository.versions(declaration_id)
    patent = await patents.patent_by_id(row.patent)
    assert patent is not None
    if event == "declaration":
        chosen = _version(versions, version or 1)
    else:
        chosen = _version(versions, version or row.current_version)
    if chosen.published_at is None:
        raise Conflict(Msg("cnipa.not_published"))
    if event == "revision" and chosen.version == 1:
        raise Conflict(Msg("cnipa.no_revision"))
    if event == "withdrawal" and row.status != "withdrawn":
        raise Conflict(Msg("cnipa.not_withdrawn"))
    notes = [Msg("cnipa.note.written_declaration")]
    if PatentKind(patent.kind) in (PatentKind.utility_model, PatentKind.design):
        notes.append(Msg("cnipa.note.evaluation_report", {"ref": patent.evaluation_report_ref or "—"}))
    if event == "withdrawal":
        notes.append(Msg("cnipa.note.withdrawal_keeps_licences"))
    if event == "revision":
        notes.append(Msg("cnipa.note.revision"))
    previous = [v for v in versions if v.version == chosen.version - 1] if event == "revision" else []
    return CnipaFilingOut(
        event=event,
        form=MsgOut.of(Msg(f"cnipa.form.{event}")),
        declaration_id=row.id,
        version=chosen.version,
        published_on=chosen.published_at.date(),
        withdrawn_on=row.withdrawn_at.date() if event == "withdrawal" and row.withdrawn_at else None,
        declarant=await service.org_name(row.organisation),
        patent=CnipaPatentOut(
            number=patent.number,
            title=patent.title_zh or patent.title_en,
            kind=patent.kind,
            patentees=list(patent.patentees or []),
            filing_date=patent.filing_date,
            grant_date=patent.grant_date,
            expiry_date=patent.expiry_date,
            evaluation_report_ref=patent.evaluation_report_ref,
        ),
        terms=service.version_out(chosen, patent.expiry_date),
        previous_terms=service.version_out(previous[0], patent.expiry_date) if previous else None,
        withdrawal_reason=row.withdrawal_reason if event == "withdrawal" else "",
        notes=[MsgOut.of(m) for m in notes],
        articles=["law.patent.art50", "law.regs.art85", "law.cnipa.open_licensing_2024"],
        cnipa=service.cnipa_out(chosen),
    )


async def notify_filing_due(*, declaration_id: int, version: int, event: str) -> None:
    """Tell the university's members what to file with CNIPA now (once per declaration, version and event)."""
    row = await repository.get(declaration_id)
    if row is None:
        return
    patent = await patents.patent_by_id(row.patent)
    number = patent.number if patent else ""
    message = Msg(f"notification.cnipa_filing_due.{event}", {"number": number, "version": version})
    for member in await org_service.members_of_org(row.organisation):
        await notify(
            user_id=member.user_id,
            kind="cnipa_filing",
            message=message,
            body=Msg("notification.cnipa_filing_due.body", {"number": number, "version": version}),
            dedupe_key=f"cnipa:{declaration_id}:{version}:{event}:{member.user_id}",
        )


async def remind_unannounced(*, today: date, working_days: int) -> int:
    """Remind the university of each published version whose CNIPA announcement is unrecorded after
    ``working_days`` working days, and again every ``working_days`` after. The number of versions reminded."""
    reminded = 0
    now = datetime.now(UTC)
    for declaration, version in await repository.unannounced_published():
        assert version.published_at is not None
        elapsed = cnipa.working_days_between(version.published_at.date(), today)
        stage = elapsed // working_days
        if stage < 1:
            continue
        patent = await patents.patent_by_id(declaration.patent)
        params: dict[str, Param] = {
            "number": patent.number if patent else "",
            "version": version.version,
            "days": elapsed,
        }
        sent = False
        for member in await org_service.members_of_org(declaration.organisation):
            sent |= await notify(
                user_id=member.user_id,
                kind="cnipa_reminder",
                message=Msg("notification.cnipa_unannounced", params),
                body=Msg("notification.cnipa_unannounced.body", params),
                dedupe_key=f"cnipa-reminder:{version.id}:{stage}:{member.user_id}",
                link=f"/declarations/{declaration.id}",
            )
        if sent:
            await repository.mark_reminded(version.id, now)
            reminded += 1
    return reminded
