"""Patent records: normalising what a university or an SME gives, reading them back, recording licences, and the
pledge facts a registration puts on a patent (pledgee, CNIPA registration, the pledgee's consents). No HTTP here.

Whenever a patent's legal status, its annual fees paid through, a suspension or its pledge facts change (an edit, an
import, a pledge registered or released, a consent recorded), ``patents.changed`` is emitted with the fields that
changed: finance alerts the bank of a loan that runs on the patent (listings never imports finance).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import ValidationError

from listings.patents import fees, numbers, repository
from listings.patents.facts import LegalStatus, PatentFacts, Suspension
from listings.patents.lifetimes import expiry, remaining_years
from listings.patents.records import (
    LicenceSituationRecord,
    PatentInventorsRecord,
    PatentRecord,
    PledgeeConsentRecord,
    RecordedLicenceRecord,
)
from listings.patents.schemas import (
    AnnualFeeOut,
    LicenceKind,
    PatentDetailOut,
    PatentFactsIn,
    PatentIn,
    PatentOut,
    PatentPage,
    PledgeeConsentOut,
    RecordedLicenceIn,
    RecordedLicenceOut,
)
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n.validation import validation_code, validation_params
from market.kit.law import PatentKind
from market.kit.messages import Msg
from market.orgs import service as org_service

EXCLUSIVE_KINDS = {LicenceKind.exclusive.value, LicenceKind.sole.value}

# What other modules read and write of the register: through this service, never the repository.
RECORD_FIELDS = repository.RECORD_FIELDS
patent_by_id = repository.get
patents_by_ids = repository.get_many
patents_by_numbers = repository.by_numbers
insert_patents = repository.insert_many
update_patent = repository.update
refresh_statistics = repository.refresh_statistics
count_for_org = repository.count_for_org
licences_in_force = repository.licences_in_force
open_licences = repository.open_licences
recorded_licences = repository.licences
pledgee_consents = repository.consents
pledged_to = repository.pledged_to

CHANGED_EVENT = "patents.changed"
# The fields whose change ``patents.changed`` reports (finance alerts the bank of a running loan).
WATCHED_FIELDS = (
    "legal_status", "annual_fees_paid_through", "suspension", "pledged", "pledgee_consent", "pledgee_org",
    "pledge_registration_number", "pledge_registered_on", "licence_consent",
)  # fmt: skip
PLEDGE_FIELDS = ("pledged", "pledgee_consent")  # the patentee states them only while no pledge is on record
ConsentScope = Literal["open_licence", "licence"]
CONSENT_SCOPES: tuple[str, ...] = ("open_licence", "licence")


def today() -> date:
    return datetime.now(UTC).date()


def record_values(data: PatentIn, *, on: date) -> dict[str, Any]:
    """The row to store for ``data``: number normalised, kind, legal status and expiry derived where absent."""
    parsed = numbers.parse(data.number)
    kind = data.kind or parsed.kind
    if kind is None:
        unknown = Msg("patent.kind_not_derivable", {"number": data.number})
        raise ValidationFailed(unknown, errors=[FieldError("kind", unknown, code="required")])
    if data.kind is not None and parsed.kind is not None and data.kind is not parsed.kind:
        disagrees = Msg(
            "patent.kind_disagrees",
            {
                "number": data.number,
                "parsed": Msg(f"patent.kind.{parsed.kind.value}"),
                "given": Msg(f"patent.kind.{data.kind.value}"),
            },
        )
        raise ValidationFailed(disagrees, errors=[FieldError("kind", disagrees, code="kind_mismatch")])
    expiry_date = expiry(kind, data.filing_date) if data.filing_date else None
    # a grant date still to come does not make the patent granted (Implementing Regulations Art 85)
    granted_on = data.grant_date if data.grant_date is not None and data.grant_date <= on else None
    status = data.legal_status or derive_status(parsed.granted, granted_on)
    if status is LegalStatus.granted and expiry_date is not None and expiry_date <= on:
        status = LegalStatus.expired
    application_number = data.application_number
    if parsed.type is numbers.NumberType.application:
        application_number = application_number or parsed.number
    return {
        "number": parsed.number,
        "number_type": parsed.type.value,
        "jurisdiction": parsed.jurisdiction,
        "application_number": application_number,
        "kind": kind.value,
        "title_zh": data.title_zh,
        "title_en": data.title_en,
        "abstract": data.abstract,
        "claims": data.claims,
        "claims_count": data.claims_count if data.claims_count is not None else count_claims(data.claims),
        "ipc_codes": data.ipc_codes,
        "patentees": data.patentees,
        "inventors": data.inventors,
        "filing_date": data.filing_date,
        "publication_date": data.publication_date,
        "grant_date": data.grant_date,
        "expiry_date": expiry_date,
        "legal_status": status.value,
        "annual_fees_paid_through": data.annual_fees_paid_through,
        "other_fee_reduction_pct": data.other_fee_reduction_pct,
        "pledged": data.pledged,
        "pledgee_consent": data.pledgee_consent,
        "suspension": data.suspension.value,
        "evaluation_report_ref": data.evaluation_report_ref,
    }


def derive_status(granted_by_number: bool | None, grant_date: date | None) -> LegalStatus:
    if grant_date is not None or granted_by_number:
        return LegalStatus.granted
    if granted_by_number is False:
        return LegalStatus.pending
    return LegalStatus.unknown


def count_claims(claims: str) -> int | None:
    """Claims are numbered 1. 2. ... ; the count is the highest number that starts a claim."""
    import re

    found = [int(n) for n in re.findall(r"(?:^|\s|。)(\d{1,3})\s*[.．、]", claims)]
    return max(found) if found else None


def patent_out(row: PatentRecord, *, on: date) -> PatentOut:
    return PatentOut.model_validate(_out_values(row, on=on))


def _out_values(row: PatentRecord, *, on: date) -> dict[str, Any]:
    return {
        **{f.name: getattr(row, f.name) for f in fields(row)},
        "org_id": row.organisation,
        "remaining_years": remaining_years(row.expiry_date, on),
        "declaration_id": row.declaration,
        "declaration_status": row.declaration_status or None,
    }


def facts(row: PatentRecord, licences_in_force: list[RecordedLicenceRecord], *, pledgee: str = "") -> PatentFacts:
    """The facts the eligibility rules read, from a stored record and the licences in force on it. ``pledgee``: the
    name of the pledgee on record (``pledgee_name``), which a refusal under Art 86(4) names."""
    exclusive = [lic for lic in licences_in_force if lic.kind in EXCLUSIVE_KINDS]
    ends = [lic.ends_on for lic in exclusive if lic.ends_on is not None]
    return PatentFacts(
        number=row.number,
        jurisdiction=row.jurisdiction,
        kind=PatentKind(row.kind),
        legal_status=LegalStatus(row.legal_status),
        expiry_date=row.expiry_date,
        patentees=tuple(row.patentees or ()),
        annual_fees_paid_through=row.annual_fees_paid_through,
        pledged=bool(row.pledged),
        pledgee_consent=bool(row.pledgee_consent),
        suspension=Suspension(row.suspension),
        evaluation_report_ref=row.evaluation_report_ref,
        exclusive_or_sole_licence_until=max(ends) if ends else None,
        exclusive_or_sole_open_ended=any(lic.ends_on is None for lic in exclusive),
        filing_date=row.filing_date,
        publication_date=row.publication_date,
        grant_date=row.grant_date,
        pledgee=pledgee,
        pledge_registration_number=row.pledge_registration_number,
    )


async def owned(principal: Principal, patent_id: int) -> PatentRecord:
    """The patent if the principal's organisation holds it; anyone else is told it does not exist."""
    row = await repository.get(patent_id)
    if row is None or row.organisation != principal.org_id:
        raise NotFound(Msg("patent.no_such_patent"))
    return row


async def create(*, principal: Principal, data: PatentIn) -> PatentOut:
    values = record_values(data, on=today())
    if await repository.by_numbers(principal.org_id, [values["number"]]):
        already = Msg("patent.already_recorded", {"number": values["number"]})
        raise Conflict(already, errors=[FieldError("number", already, code="duplicate")])
    [patent_id] = await repository.insert_many([{**values, "organisation": principal.org_id, "source": "api"}])
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.patent_created",
        entity_type="patent",
        entity_id=patent_id,
        after={"number": values["number"], "kind": values["kind"]},
    )
    row = await repository.get(patent_id)
    assert row is not None
    return patent_out(row, on=today())


async def update_facts(*, principal: Principal, patent_id: int, data: PatentFactsIn) -> PatentDetailOut:
    row = await owned(principal, patent_id)
    changes = {k: (v.value if hasattr(v, "value") else v) for k, v in data.model_dump(exclude_none=True).items()}
    merged_pledged = changes.get("pledged", row.pledged)
    if changes.get("pledgee_consent") and not merged_pledged:
        raise ValidationFailed(
            Msg("patent.consent_needs_pledge"),
            errors=[FieldError("pledgee_consent", Msg("patent.consent_needs_pledge"), code="not_pledged")],
        )
    if row.pledgee_org is not None:
        _refuse_pledge_edits(row, changes)
    before = {k: _jsonable(getattr(row, k)) for k in changes}
    if changes:
        await repository.update(patent_id, changes)
        await announce_changes(patent_id, [k for k in changes if getattr(row, k) != changes[k]])
        await record(
            actor=Actor(principal.user_id, principal.org_id),
            action="listings.patent_updated",
            entity_type="patent",
            entity_id=patent_id,
            before=before,
            after={k: _jsonable(v) for k, v in changes.items()},
        )
    return await detail(principal=principal, patent_id=patent_id)


def _refuse_pledge_edits(row: PatentRecord, changes: dict[str, Any]) -> None:
    """A pledge registered through the platform is ended and consented to by its pledgee, never by the patentee's
    own edit (Civil Code Art 444; Implementing Regulations Art 86(4))."""
    edited = [k for k in PLEDGE_FIELDS if k in changes and changes[k] != getattr(row, k)]
    if edited:
        refusal = Msg("patent.pledge_on_record", {"registration_number": row.pledge_registration_number})
        raise Conflict(
            refusal,
            errors=[FieldError(k, refusal, code="pledge_on_record", article="law.regs.art86.4") for k in edited],
        )


async def announce_changes(patent_id: int, changed: Iterable[str]) -> None:
    """Emit ``patents.changed`` with the watched fields among ``changed`` (nothing when none of them is)."""
    names = set(changed)
    watched = [f for f in WATCHED_FIELDS if f in names]
    if watched:
        await events.emit(CHANGED_EVENT, patent_id=patent_id, fields=watched)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def list_patents(
    *,
    principal: Principal,
    q: str = "",
    kind: str | None = None,
    status: str | None = None,
    declared: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> PatentPage:
    rows, total = await repository.search(
        principal.org_id,
        q=q,
        kind=kind,
        status=status,
        declared=declared,
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    on = today()
    return PatentPage(
        items=[patent_out(r, on=on) for r in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


async def detail(*, principal: Principal, patent_id: int) -> PatentDetailOut:
    row = await owned(principal, patent_id)
    on = today()
    fee = None
    if row.filing_date is not None and row.legal_status == LegalStatus.granted.value:
        due = fees.annual_fee_due(
            kind=PatentKind(row.kind),
            filing_date=row.filing_date,
            on=on,
            open_licence=row.declaration_status == "published",
            other_reduction_pct=row.other_fee_reduction_pct,
        )
        if due is not None:
            fee = AnnualFeeOut(
                patent_year=due.patent_year,
                full_minor=due.full.minor,
                due_minor=due.due.minor,
                currency=due.full.currency,
                reduction_pct=due.reduction_pct,
                reduction_source=due.reduction_source,
                article=fees.REDUCTION_ARTICLE,
            )
    return PatentDetailOut.model_validate(
        {
            **_out_values(row, on=on),
            "licences": [RecordedLicenceOut.model_validate(r) for r in await repository.licences(patent_id)],
            "annual_fee": fee,
            "pledgee_name": await pledgee_name(row),
            "pledgee_consents": [PledgeeConsentOut.model_validate(c) for c in await repository.consents(patent_id)],
        }
    )


async def record_licence(*, principal: Principal, patent_id: int, data: RecordedLicenceIn) -> RecordedLicenceOut:
    """Record a licence on a patent. While an open licence stands, no exclusive or sole licence (Art 51(3))."""
    row = await owned(principal, patent_id)
    _check_art51_3(row, data.kind.value)
    licence_id = await repository.add_licence(row.id, data.model_dump(mode="python") | {"kind": data.kind.value})
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="listings.licence_recorded",
        entity_type="recorded_licence",
        entity_id=licence_id,
        after={
            "patent_id": patent_id,
            "kind": data.kind.value,
            "licensee": data.licensee_name,
            "starts_on": data.starts_on.isoformat(),
            "ends_on": data.ends_on.isoformat() if data.ends_on else None,
        },
    )
    stored = await repository.get_licence(licence_id)
    assert stored is not None
    return RecordedLicenceOut.model_validate(stored)


async def record_open_licence(
    *,
    patent_id: int,
    licensee_name: str,
    starts_on: date,
    ends_on: date | None,
    reference: str,
    declaration_version_id: int,
) -> int:
    """Record an open licence taken on the platform (finance.licences, on activation), under the same Art 51(3)
    check as any licence recorded on the patent."""
    row = await repository.get(patent_id)
    if row is None:
        raise NotFound(Msg("patent.no_such_patent"))
    _check_art51_3(row, LicenceKind.open.value)
    return await repository.add_licence(
        patent_id,
        {
            "kind": LicenceKind.open.value,
            "licensee_name": licensee_name,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "reference": reference,
            "declaration_version": declaration_version_id,
        },
    )


async def open_licence_changed(*, patent_id: int, declaration_id: int, status: str) -> None:
    """Told by ``listings.declarations`` in the transaction of each change of the patent's declaration."""
    await repository.set_declaration(patent_id, declaration_id, status)


def _check_art51_3(row: PatentRecord, kind: str) -> None:
    """Patent Law Art 51(3): while an open licence stands, no exclusive or sole licence may be granted."""
    if kind in EXCLUSIVE_KINDS and row.declaration_status == "published":
        refusal = Msg("patent.no_exclusive_under_open_licence")
        raise Conflict(refusal, errors=[FieldError("kind", refusal, code="art51", article="law.patent.art51.3")])


VALUE_ERROR = "validation.value_error"


def validation_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as our field errors (the import report and the pages show them)."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        kind = str(err["type"])
        if "." in kind:  # our own rule (PydanticCustomError with a catalogue code): its message is that code
            params = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int)}
            out.append(FieldError(loc, Msg(kind, params), code=kind))
        elif validation_code(err) == VALUE_ERROR:  # a validator's own words (no catalogue code of ours)
            out.append(FieldError(loc, str(err["msg"]).removeprefix("Value error, "), code=kind))
        elif kind in ("enum", "literal_error"):  # the values a file may hold, as they are written in it
            expected = tuple(re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", ""))))
            out.append(FieldError(loc, Msg("import.one_of", {"expected": expected}), code=kind))
        else:  # pydantic's own check (type, length, format): the catalogue's words in the reader's language
            out.append(FieldError(loc, Msg(validation_code(err), validation_params(err)), code=kind))
    return out


# ---------------------------------------------------------------------------------------- pledges and consents
# A pledge exists from its registration with CNIPA (专利权质押登记办法, Announcement No. 461): finance's registration
# tells the register here (``mark_pledged``), and the release (注销) on repayment (``mark_released``). While it
# stands, the patent is neither licensed nor declared for open licence without the pledgee's consent (Civil Code
# Art 444; Implementing Regulations Art 86(4)), which the pledgee records (``record_pledgee_consent``).


def consent_key(patent_id: int, registration_number: str, scope: str) -> str:
    return f"{patent_id}:{registration_number}:{scope}"


def _registration(registration_number: str) -> str:
    number = registration_number.strip()
    if not number or len(number) > 40:
        invalid = Msg("patent.pledge_registration_invalid")
        raise ValidationFailed(invalid, errors=[FieldError("registration_number", invalid, code="invalid")])
    return number


async def _patent(patent_id: int) -> PatentRecord:
    row = await repository.get(patent_id)
    if row is None:
        raise NotFound(Msg("patent.no_such_patent"))
    return row


def _pledge_audit(row: PatentRecord) -> dict[str, Any]:
    return {
        "pledged": row.pledged,
        "pledgee_consent": row.pledgee_consent,
        "pledgee_org": row.pledgee_org,
        "registration_number": row.pledge_registration_number,
        "registered_on": _jsonable(row.pledge_registered_on),
    }


def _already_pledged(row: PatentRecord) -> Conflict:
    taken = Msg("patent.already_pledged", {"number": row.number, "registration_number": row.pledge_registration_number})
    return Conflict(taken, errors=[FieldError("patent_id", taken, code="already_pledged")])


async def mark_pledged(
    patent_id: int, *, pledgee_org: int, registration_number: str, registered_on: date, actor: Actor
) -> PatentRecord:
    """The pledge of ``patent_id`` to ``pledgee_org`` is registered (CNIPA's number and date): the patent is pledged
    and names its pledgee. The same registration again changes nothing; another while one stands is a 409 (a
    pledged patent is not pledged again: registration ground 9)."""
    number = _registration(registration_number)
    row = await _patent(patent_id)
    if row.pledgee_org is not None:
        if (row.pledgee_org, row.pledge_registration_number) == (pledgee_org, number):
            return row
        raise _already_pledged(row)
    consented = await repository.consent_by_key(consent_key(patent_id, number, "open_licence")) is not None
    recorded = await repository.pledge(
        patent_id, pledgee_org=pledgee_org, registration_number=number, registered_on=registered_on, consent=consented
    )
    if not recorded:  # another registration won the race
        now = await _patent(patent_id)
        if (now.pledgee_org, now.pledge_registration_number) == (pledgee_org, number):
            return now
        raise _already_pledged(now)
    after = await _patent(patent_id)
    await record(
        actor=actor,
        action="listings.patent_pledged",
        entity_type="patent",
        entity_id=patent_id,
        before=_pledge_audit(row),
        after=_pledge_audit(after),
    )
    await announce_changes(
        patent_id, [k for k in ("pledged", "pledgee_consent", *_PLEDGE_RECORD) if _differs(row, after, k)]
    )
    return after


_PLEDGE_RECORD = ("pledgee_org", "pledge_registration_number", "pledge_registered_on")


def _differs(before: PatentRecord, after: PatentRecord, name: str) -> bool:
    return bool(getattr(before, name) != getattr(after, name))


async def mark_released(patent_id: int, *, actor: Actor, registration_number: str | None = None) -> PatentRecord:
    """The pledge on record is released (注销 registered): the patent is no longer pledged; its consents stay on
    record, for that pledge only. Nothing on record: nothing changes. ``registration_number``, when given, must be
    the pledge on record (409 otherwise)."""
    row = await _patent(patent_id)
    if row.pledgee_org is None:
        return row
    number = row.pledge_registration_number
    if registration_number is not None and registration_number.strip() != number:
        other = Msg("patent.pledge_not_on_record", {"registration_number": registration_number.strip()})
        raise Conflict(other, errors=[FieldError("registration_number", other, code="not_on_record")])
    if not await repository.release(patent_id, registration_number=number):
        return await _patent(patent_id)  # released meanwhile
    after = await _patent(patent_id)
    await record(
        actor=actor,
        action="listings.patent_released",
        entity_type="patent",
        entity_id=patent_id,
        before=_pledge_audit(row),
        after=_pledge_audit(after),
    )
    await announce_changes(
        patent_id, [k for k in ("pledged", "pledgee_consent", *_PLEDGE_RECORD) if _differs(row, after, k)]
    )
    return after


async def record_pledgee_consent(
    patent_id: int, *, pledgee_org: int, scope: ConsentScope | str, actor: Actor
) -> PledgeeConsentRecord:
    """The pledgee on record consents, under the pledge on record, to an open-licence declaration of the patent
    (``open_licence``: then its ``pledgee_consent`` is set and the Art 86(4) check passes) or to licensing it
    (``licence``: Civil Code Art 444). Only the pledgee on record may (403 for another acting organisation, 409
    when the patent is not pledged to ``pledgee_org``). Recording it again returns the consent already recorded."""
    if scope not in CONSENT_SCOPES:
        invalid = Msg("patent.consent_scope_invalid", {"scope": str(scope)[:40]})
        raise ValidationFailed(invalid, errors=[FieldError("scope", invalid, code="invalid")])
    if actor.org_id is not None and actor.org_id != pledgee_org:
        raise Forbidden(Msg("patent.consent_only_pledgee"))
    row = await _patent(patent_id)
    if row.pledgee_org is None or row.pledgee_org != pledgee_org:
        refusal = Msg("patent.consent_not_pledged_to", {"number": row.number})
        raise Conflict(refusal, errors=[FieldError("pledgee_org", refusal, code="not_pledgee")])
    number = row.pledge_registration_number
    key = consent_key(patent_id, number, scope)
    existing = await repository.consent_by_key(key)
    if existing is not None:
        return existing
    consent_id = await repository.add_consent(
        {
            "patent": patent_id,
            "pledgee_org": pledgee_org,
            "registration_number": number,
            "scope": scope,
            "consent_key": key,
            "recorded_by": actor.user_id,
        }
    )
    if scope == "open_licence":
        await repository.set_pledgee_consent(patent_id, registration_number=number)
    await record(
        actor=actor,
        action="listings.pledgee_consent_recorded",
        entity_type="patent",
        entity_id=patent_id,
        after={"consent": consent_id, "scope": scope, "pledgee_org": pledgee_org, "registration_number": number},
    )
    await announce_changes(patent_id, ["pledgee_consent" if scope == "open_licence" else "licence_consent"])
    stored = await repository.consent_by_key(key)
    assert stored is not None
    return stored


async def current_consent(patent_id: int, scope: ConsentScope | str) -> PledgeeConsentRecord | None:
    """The pledgee's consent of ``scope`` under the pledge on record now; None when not pledged on record or not
    consented (finance.licences checks ``licence`` before a licence of a pledged patent: Civil Code Art 444)."""
    row = await repository.get(patent_id)
    if row is None or row.pledgee_org is None:
        return None
    return await repository.consent_by_key(consent_key(patent_id, row.pledge_registration_number, scope))


async def pledgee_name(row: PatentRecord) -> str:
    """The name of the pledgee on record ("" when none)."""
    if row.pledgee_org is None:
        return ""
    org = await org_service.org_by_id(row.pledgee_org)
    return org.name if org else ""


async def licence_situation(patent_id: int) -> LicenceSituationRecord:
    """For pre-checks: every licence recorded on the patent (exclusive, sole, ordinary and open; each with its start
    and end: the caller decides which are in force on its day) and whether an open licence is declared on it."""
    row = await _patent(patent_id)
    return LicenceSituationRecord(
        patent=patent_id,
        licences=tuple(await repository.licences(patent_id)),
        open_licence=row.declaration_status == "published",
    )


async def inventors_of_org(org_id: int) -> list[PatentInventorsRecord]:
    """Each patent of the organisation with the inventors it names (finance.parties: a university's inventors)."""
    return await repository.inventors_of_org(org_id)


async def patents_of_org(org_id: int, *, limit: int = 1000) -> list[PatentRecord]:
    """An organisation's patents, in the order recorded (at most ``limit``)."""
    return await repository.for_org(org_id, limit=limit)
