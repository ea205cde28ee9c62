"""Every query on pledge applications and their patents."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from finance.pledges.records import PledgeApplicationRecord, PledgePatentRecord
from finance.pledges.tables import PledgeApplication, PledgePatent

JSON_COLUMNS = ("valuation", "acknowledged", "precheck")


def _record(row: dict[str, Any]) -> PledgeApplicationRecord:
    values = dict(row)
    for name in JSON_COLUMNS:
        if isinstance(values[name], str):
            values[name] = json.loads(values[name] or "null")
    values["valuation"] = values["valuation"] or {}
    values["acknowledged"] = tuple(values["acknowledged"] or ())
    values["precheck"] = tuple(values["precheck"] or ())
    values["pure_ip"] = bool(values["pure_ip"])
    return PledgeApplicationRecord(**values)


async def create(
    *,
    applicant: int,
    bank: int,
    product: int,
    product_version: int,
    amount_minor: int,
    currency: str,
    term_months: int,
    purpose: str,
    pure_ip: bool,
    valuation_method: str,
    valuation_minor: int,
    valuation: Mapping[str, object],
    created_by: int,
) -> int:
    rows = await PledgeApplication.insert(
        PledgeApplication(
            applicant=applicant,
            bank=bank,
            product=product,
            product_version=product_version,
            amount_minor=amount_minor,
            currency=currency,
            term_months=term_months,
            purpose=purpose,
            pure_ip=pure_ip,
            valuation_method=valuation_method,
            valuation_minor=valuation_minor,
            valuation=json.dumps(valuation, ensure_ascii=False),
            created_by=created_by,
        )
    ).returning(PledgeApplication.id)
    return int(rows[0]["id"])


async def set_case(application_id: int, case_id: int) -> None:
    await PledgeApplication.update({PledgeApplication.case: case_id}).where(PledgeApplication.id == application_id)


async def get(application_id: int) -> PledgeApplicationRecord | None:
    row = await PledgeApplication.select().where(PledgeApplication.id == application_id).first()
    return _record(row) if row else None


async def get_for_update(application_id: int) -> PledgeApplicationRecord | None:
    """The application inside the caller's transaction (PostgreSQL: locked until it ends)."""
    if isinstance(PledgeApplication._meta.db, PostgresEngine):
        rows = await PledgeApplication.raw(
            "SELECT * FROM finance_pledge_application WHERE id = {} FOR UPDATE", application_id
        )
        return _record(rows[0]) if rows else None
    return await get(application_id)


async def by_ids(ids: Sequence[int]) -> dict[int, PledgeApplicationRecord]:
    if not ids:
        return {}
    rows = await PledgeApplication.select().where(PledgeApplication.id.is_in(list(ids)))
    return {int(r["id"]): _record(r) for r in rows}


async def update_terms(
    application_id: int,
    *,
    amount_minor: int,
    term_months: int,
    purpose: str,
    pure_ip: bool,
    valuation_method: str,
    valuation_minor: int,
    valuation: Mapping[str, object],
) -> None:
    await PledgeApplication.update(
        {
            PledgeApplication.amount_minor: amount_minor,
            PledgeApplication.term_months: term_months,
            PledgeApplication.purpose: purpose,
            PledgeApplication.pure_ip: pure_ip,
            PledgeApplication.valuation_method: valuation_method,
            PledgeApplication.valuation_minor: valuation_minor,
            PledgeApplication.valuation: json.dumps(valuation, ensure_ascii=False),
            PledgeApplication.updated_at: datetime.now(UTC),
        }
    ).where(PledgeApplication.id == application_id)


async def set_valuation(
    application_id: int, *, method: str, minor: int, valuation: Mapping[str, object]
) -> None:
    await PledgeApplication.update(
        {
            PledgeApplication.valuation_method: method,
            PledgeApplication.valuation_minor: minor,
            PledgeApplication.valuation: json.dumps(valuation, ensure_ascii=False),
            PledgeApplication.updated_at: datetime.now(UTC),
        }
    ).where(PledgeApplication.id == application_id)


async def set_patents(application_id: int, values: Mapping[int, int]) -> None:
    """The application's patents become exactly ``values`` (patent id -> its value in minor units)."""
    await PledgePatent.delete().where(PledgePatent.application == application_id)
    if values:
        await PledgePatent.insert(
            *[PledgePatent(application=application_id, patent=p, value_minor=v) for p, v in values.items()]
        )


async def patents_of(application_id: int) -> list[PledgePatentRecord]:
    rows = await PledgePatent.select().where(PledgePatent.application == application_id).order_by(PledgePatent.id)
    return [PledgePatentRecord(**r) for r in rows]


async def mark_submitted(
    application_id: int, *, at: datetime, precheck: Sequence[Mapping[str, object]], acknowledged: Sequence[str]
) -> None:
    await PledgeApplication.update(
        {
            PledgeApplication.submitted_at: at,
            PledgeApplication.precheck: json.dumps(list(precheck), ensure_ascii=False),
            PledgeApplication.acknowledged: json.dumps(list(acknowledged)),
            PledgeApplication.updated_at: at,
        }
    ).where(PledgeApplication.id == application_id)


async def set_offer(
    application_id: int, *, amount_minor: int, rate_bp: int, term_months: int, expires_on: date
) -> None:
    await PledgeApplication.update(
        {
            PledgeApplication.offer_amount_minor: amount_minor,
            PledgeApplication.offer_rate_bp: rate_bp,
            PledgeApplication.offer_term_months: term_months,
            PledgeApplication.offer_expires_on: expires_on,
            PledgeApplication.updated_at: datetime.now(UTC),
        }
    ).where(PledgeApplication.id == application_id)


async def mark_accepted(application_id: int, *, at: datetime, by: int) -> None:
    await PledgeApplication.update(
        {PledgeApplication.accepted_at: at, PledgeApplication.accepted_by: by, PledgeApplication.updated_at: at}
    ).where(PledgeApplication.id == application_id)


async def for_applicant(org_id: int, *, limit: int = 200) -> list[PledgeApplicationRecord]:
    rows = (
        await PledgeApplication.select()
        .where(PledgeApplication.applicant == org_id)
        .order_by(PledgeApplication.id, ascending=False)
        .limit(limit)
    )
    return [_record(r) for r in rows]


async def offers_ending_before(day: date) -> list[PledgeApplicationRecord]:
    """Applications with an offer that ended before ``day`` and was never accepted (their state is the desk's)."""
    rows = await PledgeApplication.select().where(
        PledgeApplication.offer_expires_on.is_not_null()
        & (PledgeApplication.offer_expires_on < day)
        & PledgeApplication.accepted_at.is_null()
    )
    return [_record(r) for r in rows]


async def applications_with_patent(patent_id: int) -> list[int]:
    rows = await PledgePatent.select(PledgePatent.application).where(PledgePatent.patent == patent_id)
    return [int(r["application"]) for r in rows]
