"""Every query on payments and provider events."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg
from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.engine.postgres import PostgresEngine
from pydantic import JsonValue

from finance.payments.records import PaymentEventRecord, PaymentRecord, StatementLineRecord, StatementRunRecord
from finance.payments.tables import BankStatementLine, BankStatementRun, LicencePayment, PaymentEvent


async def create(
    *,
    licence: int,
    purpose: str,
    method: str,
    provider: str,
    amount_minor: int,
    idempotency_key: str,
    royalty_report: int | None = None,
    provider_id: str = "",
    reference: str = "",
    currency: str = "CNY",
    platform_fee_minor: int = 0,
    status: str = "awaiting_payer",
    payee_account: int | None = None,
) -> int | None:
    """The new payment's id, or None when a unique index refused it: another attempt to pay the same thing is
    open (or was opened by a concurrent request) or the idempotency key is taken. The caller's transaction is then
    unusable on PostgreSQL: it must be ended (an error rolls it back)."""
    query = LicencePayment.insert(
        LicencePayment(
            licence=licence,
            purpose=purpose,
            royalty_report=royalty_report,
            method=method,
            provider=provider,
            provider_id=provider_id,
            reference=reference,
            amount_minor=amount_minor,
            currency=currency,
            platform_fee_minor=platform_fee_minor,
            status=status,
            idempotency_key=idempotency_key,
            payee_account=payee_account,
        )
    ).returning(LicencePayment.id)
    try:
        rows = await query
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError):
        return None
    return int(rows[0]["id"])


async def get(payment_id: int) -> PaymentRecord | None:
    row = await LicencePayment.select().where(LicencePayment.id == payment_id).first()
    return PaymentRecord(**row) if row else None


async def by_provider_id(provider: str, provider_id: str) -> PaymentRecord | None:
    row = (
        await LicencePayment.select()
        .where((LicencePayment.provider == provider) & (LicencePayment.provider_id == provider_id))
        .first()
    )
    return PaymentRecord(**row) if row else None


async def transition(payment: PaymentRecord, to: str, *, values: dict[Column | str, object] | None = None) -> bool:
    """Change a payment's status from the one it was read with, if nobody changed it since: a conditional update on
    (status, version). True for the one caller that made the change; False for every other (the row moved on)."""
    changes: dict[Column | str, object] = {
        **(values or {}),
        LicencePayment.status: to,
        LicencePayment.version: payment.version + 1,
    }
    rows = (
        await LicencePayment.update(changes)
        .where(
            (LicencePayment.id == payment.id)
            & (LicencePayment.status == payment.status)
            & (LicencePayment.version == payment.version)
        )
        .returning(LicencePayment.id)
    )
    return bool(rows)


def received(
    *,
    at: datetime,
    confirmed_by: int | None,
    confirmed_by_org: int | None = None,
    platform_fee_minor: int | None = None,
) -> dict[Column | str, object]:
    """What a transition records when money arrived: when, who confirmed it, and the platform fee taken (left as it
    was for money to give back)."""
    values: dict[Column | str, object] = {
        LicencePayment.succeeded_at: at,
        LicencePayment.confirmed_by: confirmed_by,
        LicencePayment.confirmed_by_org: confirmed_by_org,
    }
    if platform_fee_minor is not None:
        values[LicencePayment.platform_fee_minor] = platform_fee_minor
    return values


def started(*, provider_id: str, platform_fee_minor: int) -> dict[Column | str, object]:
    """What a transition records once the provider holds the payment (its id there, the fee it was told)."""
    return {LicencePayment.provider_id: provider_id, LicencePayment.platform_fee_minor: platform_fee_minor}


async def refunds_due() -> list[PaymentRecord]:
    """Money received for something no longer due, oldest first: the platform gives it back."""
    rows = (
        await LicencePayment.select()
        .where(LicencePayment.status == "refund_due")
        .order_by(LicencePayment.succeeded_at)
        .order_by(LicencePayment.id)
    )
    return [PaymentRecord(**r) for r in rows]


async def for_licence(licence_id: int) -> list[PaymentRecord]:
    rows = await LicencePayment.select().where(LicencePayment.licence == licence_id).order_by(LicencePayment.id)
    return [PaymentRecord(**r) for r in rows]


async def open_for(licence_id: int, purpose: str, royalty_report: int | None = None) -> list[PaymentRecord]:
    where = (
        (LicencePayment.licence == licence_id)
        & (LicencePayment.purpose == purpose)
        & LicencePayment.status.is_in(["awaiting_payer", "processing"])
    )
    if royalty_report is not None:
        where = where & (LicencePayment.royalty_report == royalty_report)
    return [PaymentRecord(**r) for r in await LicencePayment.select().where(where).order_by(LicencePayment.id)]


async def count_for(licence_id: int) -> int:
    return int(await LicencePayment.count().where(LicencePayment.licence == licence_id))


async def open_bank_references() -> list[PaymentRecord]:
    rows = await LicencePayment.select().where(
        (LicencePayment.provider == "bank_transfer") & (LicencePayment.status == "awaiting_payer")
    )
    return [PaymentRecord(**r) for r in rows]


async def succeeded_for_licences(licence_ids: Sequence[int]) -> list[PaymentRecord]:
    if not licence_ids:
        return []
    rows = (
        await LicencePayment.select()
        .where(LicencePayment.licence.is_in(list(licence_ids)) & (LicencePayment.status == "succeeded"))
        .order_by(LicencePayment.succeeded_at)
    )
    return [PaymentRecord(**r) for r in rows]


async def store_event(
    *, provider: str, event_id: str, type_: str, object_id: str, payload: dict[str, JsonValue]
) -> int | None:
    """Store an event once; None if it was already stored (a repeated delivery, counted). Concurrent deliveries of
    one event wait on the unique (provider, event id) index and find it stored: no error, no aborted transaction."""
    rows = (
        await PaymentEvent.insert(
            PaymentEvent(provider=provider, event_id=event_id, type=type_, object_id=object_id, payload=payload)
        )
        .on_conflict(action="DO NOTHING")
        .returning(PaymentEvent.id)
    )
    if rows:
        return int(rows[0]["id"])
    await PaymentEvent.update({PaymentEvent.deliveries: PaymentEvent.deliveries + 1}).where(
        (PaymentEvent.provider == provider) & (PaymentEvent.event_id == event_id)
    )
    return None


async def get_event(event_row_id: int) -> PaymentEventRecord | None:
    row = await PaymentEvent.select().where(PaymentEvent.id == event_row_id).output(load_json=True).first()
    return PaymentEventRecord(**row) if row else None


async def mark_event(event_row_id: int, *, at: datetime, result: str) -> None:
    await PaymentEvent.update({PaymentEvent.processed_at: at, PaymentEvent.result: result[:200]}).where(
        PaymentEvent.id == event_row_id
    )


# -- bank transfers: who confirmed, what a statement names ------------------------------------------------------

CHUNK = 500  # ids or references per IN (...) list, well under both databases' parameter limits


async def open_bank_for_licences(licence_ids: Sequence[int]) -> list[PaymentRecord]:
    out: list[PaymentRecord] = []
    ids = list(licence_ids)
    for start in range(0, len(ids), CHUNK):
        rows = await LicencePayment.select().where(
            LicencePayment.licence.is_in(ids[start : start + CHUNK])
            & (LicencePayment.provider == "bank_transfer")
            & (LicencePayment.status == "awaiting_payer")
        )
        out.extend(PaymentRecord(**r) for r in rows)
    return sorted(out, key=lambda p: p.id)


async def bank_statuses(references: Iterable[str]) -> dict[str, str]:
    """Reference -> status of the bank transfers with these references (a few queries of CHUNK each)."""
    refs = sorted(set(references))
    out: dict[str, str] = {}
    for start in range(0, len(refs), CHUNK):
        rows = await LicencePayment.select(LicencePayment.reference, LicencePayment.status).where(
            (LicencePayment.provider == "bank_transfer") & LicencePayment.reference.is_in(refs[start : start + CHUNK])
        )
        for r in rows:
            if out.get(r["reference"]) != "succeeded":  # a succeeded attempt wins over a cancelled one
                out[r["reference"]] = r["status"]
    return out


async def create_statement_run(
    *, uploaded_by: int | None, organisation: int | None, filename: str, stored_path: str, size_bytes: int
) -> int:
    rows = await BankStatementRun.insert(
        BankStatementRun(
            uploaded_by=uploaded_by,
            organisation=organisation,
            filename=filename,
            stored_path=stored_path,
            size_bytes=size_bytes,
        )
    ).returning(BankStatementRun.id)
    return int(rows[0]["id"])


async def statement_run(run_id: int) -> StatementRunRecord | None:
    row = await BankStatementRun.select().where(BankStatementRun.id == run_id).first()
    return StatementRunRecord(**row) if row else None


async def statement_runs(limit: int = 20) -> list[StatementRunRecord]:
    rows = await BankStatementRun.select().order_by(BankStatementRun.id, ascending=False).limit(limit)
    return [StatementRunRecord(**r) for r in rows]


async def update_statement_run(run_id: int, values: Mapping[str, Any]) -> None:
    await BankStatementRun.update({getattr(BankStatementRun, k): v for k, v in values.items()}).where(
        BankStatementRun.id == run_id
    )


LINE_COLUMNS = ("row", "status", "reference", "payer", "amount_minor", "currency", "detail_code", "detail_params",
                "payment")  # fmt: skip
# A batch of verdicts is one JSON parameter that the database expands into rows: building a thousand-row INSERT
# value by value costs far more than the rows themselves (it was most of a 100,000-row statement's time).
_LINES_POSTGRES = """
INSERT INTO finance_bank_statement_line
    (run, "row", status, reference, payer, amount_minor, currency, detail_code, detail_params, payment)
SELECT {}, x."row", x.status, x.reference, x.payer, x.amount_minor, x.currency, x.detail_code, x.detail_params,
    x.payment
FROM json_to_recordset({}::json) AS x("row" integer, status text, reference text, payer text, amount_minor bigint,
    currency text, detail_code text, detail_params json, payment integer)
"""
_LINES_SQLITE = """
INSERT INTO finance_bank_statement_line
    (run, "row", status, reference, payer, amount_minor, currency, detail_code, detail_params, payment)
SELECT {}, json_extract(value, '$.row'), json_extract(value, '$.status'), json_extract(value, '$.reference'),
    json_extract(value, '$.payer'), json_extract(value, '$.amount_minor'), json_extract(value, '$.currency'),
    json_extract(value, '$.detail_code'), json(json_extract(value, '$.detail_params')), json_extract(value, '$.payment')
FROM json_each({})
"""


async def add_statement_lines(run_id: int, lines: Sequence[Mapping[str, Any]]) -> None:
    """Write a batch of verdicts (each a mapping of ``LINE_COLUMNS``) in one statement."""
    if not lines:
        return
    payload = json.dumps([{c: line[c] for c in LINE_COLUMNS} for line in lines], ensure_ascii=False)
    postgres = isinstance(BankStatementLine._meta.db, PostgresEngine)
    await BankStatementLine.raw(_LINES_POSTGRES if postgres else _LINES_SQLITE, run_id, payload)


async def statement_lines(
    run_id: int, *, offset: int = 0, limit: int = 200, statuses: Sequence[str] | None = None
) -> list[StatementLineRecord]:
    where: Combinable = BankStatementLine.run == run_id
    if statuses:
        where = where & BankStatementLine.status.is_in(list(statuses))
    rows = (
        await BankStatementLine.select()
        .where(where)
        .order_by(BankStatementLine.row)
        .offset(offset)
        .limit(limit)
        .output(load_json=True)
    )
    return [StatementLineRecord(**r) for r in rows]
