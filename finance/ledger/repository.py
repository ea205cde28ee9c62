"""Every query on ledger entries and issued statements; each returns the ledger's own frozen records."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from piccolo.columns.combination import And, Where

from finance.ledger import tables
from finance.ledger.records import (
    LedgerEntry,
    NewEntry,
    NewStatement,
    OpenMonth,
    Statement,
    StatementRow,
    VoucherIncome,
)

ENTRY_FIELDS = tuple(f.name for f in fields(LedgerEntry))
STATEMENT_FIELDS = tuple(f.name for f in fields(Statement))
ROW_FIELDS = tuple(f.name for f in fields(StatementRow))
VOUCHER_FIELDS = tuple(f.name for f in fields(VoucherIncome))


def _entry(row: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(**{k: row[k] for k in ENTRY_FIELDS})


def _statement(row: dict[str, Any]) -> Statement:
    return Statement(**{k: row[k] for k in STATEMENT_FIELDS})


def _row(row: dict[str, Any]) -> StatementRow:
    return StatementRow(**{k: row[k] for k in ROW_FIELDS})


async def entry_for_payment(payment_id: int) -> LedgerEntry | None:
    row = await tables.LedgerEntry.select().where(tables.LedgerEntry.payment == payment_id).first()
    return _entry(row) if row else None


async def add_entry(entry: NewEntry) -> int:
    rows = await tables.LedgerEntry.insert(tables.LedgerEntry(**asdict(entry))).returning(tables.LedgerEntry.id)
    return int(rows[0]["id"])


async def entries(university: int, *, month: str | None = None, currency: str | None = None) -> list[LedgerEntry]:
    where: Where | And = tables.LedgerEntry.university == university
    if month is not None:
        where = where & (tables.LedgerEntry.month == month)
    if currency is not None:
        where = where & (tables.LedgerEntry.currency == currency)
    rows = (
        await tables.LedgerEntry.select().where(where).order_by(tables.LedgerEntry.received_at, tables.LedgerEntry.id)
    )
    return [_entry(r) for r in rows]


async def months(university: int) -> list[str]:
    rows = (
        await tables.LedgerEntry.select(tables.LedgerEntry.month)
        .where(tables.LedgerEntry.university == university)
        .distinct()
    )
    return sorted({str(r["month"]) for r in rows}, reverse=True)


async def open_months(*, before: str) -> list[OpenMonth]:
    """Every (university, month, currency) with entries, before ``before`` (YYYY-MM), and no statement yet."""
    rows = await tables.LedgerEntry.raw(
        "SELECT DISTINCT e.university AS university, e.month AS month, e.currency AS currency "
        "FROM finance_ledger_entry e WHERE e.month < {} AND NOT EXISTS (SELECT 1 FROM finance_statement s "
        "WHERE s.university = e.university AND s.month = e.month AND s.currency = e.currency) "
        "ORDER BY e.month, e.university, e.currency",
        before,
    )
    return [
        OpenMonth(university=int(r["university"]), month=str(r["month"]), currency=str(r["currency"])) for r in rows
    ]


async def statement(university: int, month: str, currency: str) -> Statement | None:
    row = (
        await tables.Statement.select()
        .where(
            (tables.Statement.university == university)
            & (tables.Statement.month == month)
            & (tables.Statement.currency == currency)
        )
        .first()
    )
    return _statement(row) if row else None


async def issued_months(university: int) -> list[str]:
    rows = (
        await tables.Statement.select(tables.Statement.month)
        .where(tables.Statement.university == university)
        .distinct()
    )
    return sorted({str(r["month"]) for r in rows}, reverse=True)


async def add_statement(statement: NewStatement, rows: list[StatementRow]) -> int:
    made = await tables.Statement.insert(tables.Statement(**asdict(statement))).returning(tables.Statement.id)
    statement_id = int(made[0]["id"])
    if rows:
        await tables.StatementRow.insert(*(tables.StatementRow(statement=statement_id, **asdict(row)) for row in rows))
    return statement_id


async def statement_rows(statement_id: int) -> list[StatementRow]:
    rows = (
        await tables.StatementRow.select()
        .where(tables.StatementRow.statement == statement_id)
        .order_by(tables.StatementRow.position)
    )
    return [_row(r) for r in rows]


# ------------------------------------------------------------------------------------------ voucher income


def _voucher(row: dict[str, Any]) -> VoucherIncome:
    return VoucherIncome(**{k: row[k] for k in VOUCHER_FIELDS})


async def voucher_income_for_payout(payout_id: int) -> VoucherIncome | None:
    row = await tables.VoucherIncomeEntry.select().where(tables.VoucherIncomeEntry.payout == payout_id).first()
    return _voucher(row) if row else None


async def add_voucher_income(values: dict[str, Any]) -> int:
    rows = await tables.VoucherIncomeEntry.insert(tables.VoucherIncomeEntry(**values)).returning(
        tables.VoucherIncomeEntry.id
    )
    return int(rows[0]["id"])


async def voucher_income(university: int, *, month: str | None = None) -> list[VoucherIncome]:
    where: Where | And = tables.VoucherIncomeEntry.university == university
    if month is not None:
        where = where & (tables.VoucherIncomeEntry.month == month)
    rows = (
        await tables.VoucherIncomeEntry.select()
        .where(where)
        .order_by(tables.VoucherIncomeEntry.received_on, tables.VoucherIncomeEntry.id)
    )
    return [_voucher(r) for r in rows]
