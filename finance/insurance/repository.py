"""Every query on insurance applications, their patents and the licensees' consent requests."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from finance.insurance.records import ApplicationLine, ApplicationPatentRecord, ApplicationRow, ConsentRecord
from finance.insurance.tables import InsuranceApplication, InsuranceApplicationPatent, InsuranceConsent

JSON_COLUMNS = ("eligibility", "questionnaire", "answers", "quote", "conditions")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _record(row: Mapping[str, Any]) -> ApplicationRow:
    values = dict(row)
    for name in JSON_COLUMNS:
        if isinstance(values[name], str):
            values[name] = json.loads(values[name] or "null")
    values["eligibility"] = tuple(values["eligibility"] or ())
    values["questionnaire"] = values["questionnaire"] or {}
    values["answers"] = values["answers"] or {}
    values["quote"] = values["quote"] or {}
    values["conditions"] = tuple(values["conditions"] or ())
    return ApplicationRow(**values)


async def create(
    *,
    applicant: int,
    insurer: int,
    product: int,
    product_version: int,
    kind: str,
    firm_tier: str,
    currency: str,
    eligibility: Sequence[Mapping[str, Any]],
    pledge_application: int | None,
    created_by: int | None,
) -> int:
    rows = await InsuranceApplication.insert(
        InsuranceApplication(
            applicant=applicant,
            insurer=insurer,
            product=product,
            product_version=product_version,
            kind=kind,
            firm_tier=firm_tier,
            currency=currency,
            eligibility=_json(list(eligibility)),
            pledge_application=pledge_application,
            created_by=created_by,
        )
    ).returning(InsuranceApplication.id)
    return int(rows[0]["id"])


async def set_case(application_id: int, case_id: int) -> None:
    await InsuranceApplication.update({InsuranceApplication.case: case_id}).where(
        InsuranceApplication.id == application_id
    )


async def get(application_id: int) -> ApplicationRow | None:
    row = await InsuranceApplication.select().where(InsuranceApplication.id == application_id).first()
    return _record(row) if row else None


async def get_for_update(application_id: int) -> ApplicationRow | None:
    """The application inside the caller's transaction (PostgreSQL: locked until it ends)."""
    if isinstance(InsuranceApplication._meta.db, PostgresEngine):
        rows = await InsuranceApplication.raw(
            "SELECT * FROM finance_insurance_application WHERE id = {} FOR UPDATE", application_id
        )
        return _record(rows[0]) if rows else None
    return await get(application_id)


async def by_ids(ids: Sequence[int]) -> dict[int, ApplicationRow]:
    if not ids:
        return {}
    rows = await InsuranceApplication.select().where(InsuranceApplication.id.is_in(list(ids)))
    return {int(r["id"]): _record(r) for r in rows}


LINE_COLUMNS = (
    InsuranceApplication.id, InsuranceApplication.case, InsuranceApplication.applicant, InsuranceApplication.insurer,
    InsuranceApplication.product_version, InsuranceApplication.kind, InsuranceApplication.currency,
    InsuranceApplication.premium_minor, InsuranceApplication.aggregate_limit_minor,
    InsuranceApplication.quote_valid_until, InsuranceApplication.submitted_at, InsuranceApplication.created_at,
)  # fmt: skip


async def lines_by_ids(ids: Sequence[int]) -> dict[int, ApplicationLine]:
    if not ids:
        return {}
    rows = await InsuranceApplication.select(*LINE_COLUMNS).where(InsuranceApplication.id.is_in(list(ids)))
    return {int(r["id"]): ApplicationLine(**r) for r in rows}


async def lines_for_applicant(org_id: int, *, limit: int, offset: int) -> list[ApplicationLine]:
    rows = (
        await InsuranceApplication.select(*LINE_COLUMNS)
        .where(InsuranceApplication.applicant == org_id)
        .order_by(InsuranceApplication.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return [ApplicationLine(**r) for r in rows]


async def for_applicant(org_id: int, *, limit: int = 200, offset: int = 0) -> list[ApplicationRow]:
    rows = (
        await InsuranceApplication.select()
        .where(InsuranceApplication.applicant == org_id)
        .order_by(InsuranceApplication.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return [_record(r) for r in rows]


async def set_patents(application_id: int, holdings: Sequence[tuple[int, str, int | None]]) -> None:
    """The application's patents: (patent id, role, licence id) each, once (a unique key over both)."""
    if holdings:
        await InsuranceApplicationPatent.insert(
            *[
                InsuranceApplicationPatent(
                    application=application_id,
                    patent=patent,
                    natural_key=f"{application_id}:{patent}",
                    role=role,
                    licence=licence,
                )
                for patent, role, licence in holdings
            ]
        )


async def patents_of(application_id: int) -> list[ApplicationPatentRecord]:
    rows = (
        await InsuranceApplicationPatent.select()
        .where(InsuranceApplicationPatent.application == application_id)
        .order_by(InsuranceApplicationPatent.id)
    )
    return [ApplicationPatentRecord(**r) for r in rows]


async def freeze_answers(
    application_id: int,
    *,
    questionnaire_version: int,
    questionnaire: Mapping[str, Any],
    answers: Mapping[str, Any],
    at: datetime,
    by: int | None,
    quote: Mapping[str, Any],
    premium_minor: int,
    aggregate_limit_minor: int,
    valid_until: date,
) -> bool:
    """Write the answers, the questionnaire as it was, the Art 16 acknowledgement and the quote, once: a conditional
    update on "not answered yet", so of two at once one writes and the other is told (False)."""
    rows = (
        await InsuranceApplication.update(
            {
                InsuranceApplication.questionnaire_version: questionnaire_version,
                InsuranceApplication.questionnaire: _json(dict(questionnaire)),
                InsuranceApplication.answers: _json(dict(answers)),
                InsuranceApplication.answered_at: at,
                InsuranceApplication.disclosure_ack_at: at,
                InsuranceApplication.disclosure_ack_by: by,
                InsuranceApplication.quote: _json(dict(quote)),
                InsuranceApplication.premium_minor: premium_minor,
                InsuranceApplication.aggregate_limit_minor: aggregate_limit_minor,
                InsuranceApplication.quote_valid_until: valid_until,
                InsuranceApplication.updated_at: at,
            }
        )
        .where((InsuranceApplication.id == application_id) & InsuranceApplication.answered_at.is_null())
        .returning(InsuranceApplication.id)
    )
    return bool(rows)


async def mark_submitted(application_id: int, *, at: datetime) -> None:
    await InsuranceApplication.update(
        {InsuranceApplication.submitted_at: at, InsuranceApplication.updated_at: at}
    ).where(InsuranceApplication.id == application_id)


async def mark_decided(application_id: int, *, at: datetime, conditions: Sequence[str]) -> None:
    await InsuranceApplication.update(
        {
            InsuranceApplication.decided_at: at,
            InsuranceApplication.conditions: _json(list(conditions)),
            InsuranceApplication.updated_at: at,
        }
    ).where(InsuranceApplication.id == application_id)


async def mark_bound(application_id: int, *, policy_id: int, at: datetime) -> bool:
    rows = (
        await InsuranceApplication.update(
            {
                InsuranceApplication.policy: policy_id,
                InsuranceApplication.bound_at: at,
                InsuranceApplication.updated_at: at,
            }
        )
        .where((InsuranceApplication.id == application_id) & InsuranceApplication.policy.is_null())
        .returning(InsuranceApplication.id)
    )
    return bool(rows)


async def accepted_valid_before(day: date) -> list[ApplicationRow]:
    """Applications with a quote that ended before ``day``, decided and never bound (their state is the desk's)."""
    rows = await InsuranceApplication.select().where(
        InsuranceApplication.quote_valid_until.is_not_null()
        & (InsuranceApplication.quote_valid_until < day)
        & InsuranceApplication.decided_at.is_not_null()
        & InsuranceApplication.policy.is_null()
    )
    return [_record(r) for r in rows]


# ------------------------------------------------------------------------------------------------ consents


async def consent(consent_id: int) -> ConsentRecord | None:
    row = await InsuranceConsent.select().where(InsuranceConsent.id == consent_id).first()
    return ConsentRecord(**row) if row else None


async def consent_of_licence(licence_id: int) -> ConsentRecord | None:
    row = await InsuranceConsent.select().where(InsuranceConsent.licence == licence_id).first()
    return ConsentRecord(**row) if row else None


async def insert_consent(*, licence: int, patent: int, licensee: int, patentee: int, by: int | None) -> int:
    rows = await InsuranceConsent.insert(
        InsuranceConsent(
            licence=licence,
            patent=patent,
            licensee=licensee,
            patentee=patentee,
            state="requested",
            requested_by=by,
            requested_at=datetime.now(UTC),
        )
    ).returning(InsuranceConsent.id)
    return int(rows[0]["id"])


async def ask_again(consent_id: int, *, version: int, by: int | None) -> bool:
    """A refused request asked again (conditional on the state and version read)."""
    rows = (
        await InsuranceConsent.update(
            {
                InsuranceConsent.state: "requested",
                InsuranceConsent.version: version + 1,
                InsuranceConsent.requested_by: by,
                InsuranceConsent.requested_at: datetime.now(UTC),
                InsuranceConsent.decided_by: None,
                InsuranceConsent.decided_at: None,
                InsuranceConsent.note: "",
            }
        )
        .where(
            (InsuranceConsent.id == consent_id)
            & (InsuranceConsent.state == "refused")
            & (InsuranceConsent.version == version)
        )
        .returning(InsuranceConsent.id)
    )
    return bool(rows)


async def decide_consent(consent_id: int, *, state: str, version: int, by: int | None, note: str) -> bool:
    rows = (
        await InsuranceConsent.update(
            {
                InsuranceConsent.state: state,
                InsuranceConsent.version: version + 1,
                InsuranceConsent.decided_by: by,
                InsuranceConsent.decided_at: datetime.now(UTC),
                InsuranceConsent.note: note,
            }
        )
        .where(
            (InsuranceConsent.id == consent_id)
            & (InsuranceConsent.state == "requested")
            & (InsuranceConsent.version == version)
        )
        .returning(InsuranceConsent.id)
    )
    return bool(rows)


async def consents_for_patentee(org_id: int, *, limit: int = 200) -> list[ConsentRecord]:
    rows = (
        await InsuranceConsent.select()
        .where(InsuranceConsent.patentee == org_id)
        .order_by(InsuranceConsent.id, ascending=False)
        .limit(limit)
    )
    return [ConsentRecord(**r) for r in rows]


async def consents_for_licensee(org_id: int, *, limit: int = 200) -> list[ConsentRecord]:
    rows = (
        await InsuranceConsent.select()
        .where(InsuranceConsent.licensee == org_id)
        .order_by(InsuranceConsent.id, ascending=False)
        .limit(limit)
    )
    return [ConsentRecord(**r) for r in rows]


async def granted_consent(org_id: int, patent_id: int) -> ConsentRecord | None:
    row = (
        await InsuranceConsent.select()
        .where(
            (InsuranceConsent.licensee == org_id)
            & (InsuranceConsent.patent == patent_id)
            & (InsuranceConsent.state == "granted")
        )
        .order_by(InsuranceConsent.id, ascending=False)
        .first()
    )
    return ConsentRecord(**row) if row else None
