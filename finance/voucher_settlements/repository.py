"""Every query on settlement batches, their lines, payouts and statements; each returns this module's records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from finance.voucher_settlements.records import (
    BatchRecord,
    LineRecord,
    NewLine,
    PaidGroup,
    PayoutRecord,
    PayoutStats,
    StatementRecord,
    StatusTotal,
    Timing,
)
from finance.voucher_settlements.tables import VoucherBatch, VoucherBatchLine, VoucherPayout, VoucherStatement

BATCH_FIELDS = tuple(f.name for f in fields(BatchRecord))
LINE_FIELDS = tuple(f.name for f in fields(LineRecord))
PAYOUT_FIELDS = tuple(f.name for f in fields(PayoutRecord))
STATEMENT_FIELDS = tuple(f.name for f in fields(StatementRecord))
# The report's groups: a dimension's name -> the payout column it reads (never taken from the caller as text).
DIMENSIONS = {"category": "category", "region": "region", "provider": "CAST(provider AS TEXT)", "all": "''"}


def _batch(row: Mapping[str, Any]) -> BatchRecord:
    return BatchRecord(**{k: row[k] for k in BATCH_FIELDS})


def _line(row: Mapping[str, Any]) -> LineRecord:
    return LineRecord(**{k: row[k] for k in LINE_FIELDS})


def _payout(row: Mapping[str, Any]) -> PayoutRecord:
    return PayoutRecord(**{k: row[k] for k in PAYOUT_FIELDS})


def _statement(row: Mapping[str, Any]) -> StatementRecord:
    return StatementRecord(**{k: row[k] for k in STATEMENT_FIELDS})


# ------------------------------------------------------------------------------------------------ batches


async def insert_batch(
    *, programme: int, issuer: int, period_key: str, up_to: date, currency: str, created_by: int | None, at: datetime
) -> int:
    rows = await VoucherBatch.insert(
        VoucherBatch(programme=programme, issuer=issuer, natural_key=f"{programme}:{up_to.isoformat()}",
                     period_key=period_key, up_to=up_to, currency=currency, created_by=created_by, created_at=at,
                     updated_at=at)
    ).returning(VoucherBatch.id)  # fmt: skip
    return int(rows[0]["id"])


async def set_case(batch_id: int, case_id: int) -> None:
    await VoucherBatch.update({VoucherBatch.case: case_id}).where(VoucherBatch.id == batch_id)


async def batch(batch_id: int) -> BatchRecord | None:
    row = await VoucherBatch.select().where(VoucherBatch.id == batch_id).first()
    return _batch(row) if row else None


async def batch_by_key(programme: int, up_to: date) -> BatchRecord | None:
    key = f"{programme}:{up_to.isoformat()}"
    row = await VoucherBatch.select().where(VoucherBatch.natural_key == key).first()
    return _batch(row) if row else None


async def batches(*, issuer: int | None = None, programme: int | None = None) -> list[BatchRecord]:
    query = VoucherBatch.select().order_by(VoucherBatch.id, ascending=False)
    if issuer is not None:
        query = query.where(VoucherBatch.issuer == issuer)
    if programme is not None:
        query = query.where(VoucherBatch.programme == programme)
    return [_batch(r) for r in await query]


async def batches_paying(payee: int) -> list[BatchRecord]:
    """The batches with a line for ``payee`` (newest first)."""
    ids = await VoucherBatchLine.select(VoucherBatchLine.batch).where(VoucherBatchLine.payee == payee).distinct()
    if not ids:
        return []
    rows = (
        await VoucherBatch.select()
        .where(VoucherBatch.id.is_in([int(r["batch"]) for r in ids]))
        .order_by(VoucherBatch.id, ascending=False)
    )
    return [_batch(r) for r in rows]


async def set_file(batch_id: int, *, name: str, sha256: str, path: str, lines: int, at: datetime) -> None:
    await VoucherBatch.update(
        {VoucherBatch.file_name: name, VoucherBatch.file_sha256: sha256, VoucherBatch.file_path: path,
         VoucherBatch.file_lines: lines, VoucherBatch.proposed_at: at, VoucherBatch.updated_at: at}
    ).where(VoucherBatch.id == batch_id)  # fmt: skip


async def set_approved(batch_id: int, *, at: datetime) -> None:
    await VoucherBatch.update({VoucherBatch.approved_at: at, VoucherBatch.updated_at: at}).where(
        VoucherBatch.id == batch_id
    )


async def set_paid(batch_id: int, *, paid_on: date, reference: str, return_sha256: str, at: datetime) -> bool:
    """Once: the batch's payment date and reference (False if it was recorded already)."""
    rows = (
        await VoucherBatch.update(
            {VoucherBatch.paid_on: paid_on, VoucherBatch.bank_reference: reference,
             VoucherBatch.return_sha256: return_sha256, VoucherBatch.paid_at: at, VoucherBatch.updated_at: at}
        )
        .where((VoucherBatch.id == batch_id) & VoucherBatch.paid_at.is_null())
        .returning(VoucherBatch.id)
    )  # fmt: skip
    return bool(rows)


# -------------------------------------------------------------------------------------------------- lines


async def live_claims(claim_ids: Sequence[int]) -> set[int]:
    """Which of these claims are in a live line of some batch (payable, exception or paid)."""
    if not claim_ids:
        return set()
    rows = await VoucherBatchLine.select(VoucherBatchLine.open_claim).where(
        VoucherBatchLine.open_claim.is_in(list(claim_ids))
    )
    return {int(r["open_claim"]) for r in rows}


async def last_lines(claim_ids: Sequence[int]) -> dict[int, int]:
    """The latest earlier line of each claim (carried or released), to name where a line was carried from."""
    if not claim_ids:
        return {}
    rows = (
        await VoucherBatchLine.select(VoucherBatchLine.id, VoucherBatchLine.claim)
        .where(VoucherBatchLine.claim.is_in(list(claim_ids)))
        .order_by(VoucherBatchLine.id)
    )
    return {int(r["claim"]): int(r["id"]) for r in rows}


async def insert_lines(batch_id: int, lines: Sequence[NewLine], *, at: datetime) -> None:
    if not lines:
        return
    await VoucherBatchLine.insert(
        *(
            VoucherBatchLine(
                batch=batch_id, line_no=n.line_no, natural_key=f"{batch_id}:{n.claim.claim}", claim=n.claim.claim,
                open_claim=n.claim.claim, claim_reference=n.claim.reference, payee=n.claim.payee,
                provider=n.claim.provider, sme=n.claim.sme, category=n.claim.category, region=n.claim.region,
                amount_minor=n.claim.amount_minor, currency=n.claim.currency, claimed_at=n.claim.claimed_at,
                captured_at=n.claim.captured_at, account=n.account, account_name=n.account_name,
                bank_name=n.bank_name, account_number=n.account_number, status=n.status,
                exception_code=n.exception_code, carried_from=n.carried_from, updated_at=at,
            )
            for n in lines
        )
    )  # fmt: skip


async def lines(batch_id: int, *, payee: int | None = None) -> list[LineRecord]:
    query = VoucherBatchLine.select().where(VoucherBatchLine.batch == batch_id)
    if payee is not None:
        query = query.where(VoucherBatchLine.payee == payee)
    return [_line(r) for r in await query.order_by(VoucherBatchLine.line_no)]


async def set_account(
    line_id: int, *, account: int | None, account_name: str, bank_name: str, account_number: str, status: str,
    exception_code: str, at: datetime,
) -> None:
    """The payee's account as read again at the proposal (only while the line is payable or an exception)."""
    await VoucherBatchLine.update(
        {VoucherBatchLine.account: account, VoucherBatchLine.account_name: account_name,
         VoucherBatchLine.bank_name: bank_name, VoucherBatchLine.account_number: account_number,
         VoucherBatchLine.status: status, VoucherBatchLine.exception_code: exception_code,
         VoucherBatchLine.updated_at: at}
    ).where((VoucherBatchLine.id == line_id) & VoucherBatchLine.status.is_in(["payable", "exception"]))  # fmt: skip


async def move_lines(
    line_ids: Sequence[int], *, from_status: str, to_status: str, at: datetime, paid_on: date | None = None,
    reference: str = "", code: str = "",
) -> list[int]:
    """Lines in ``from_status`` to ``to_status`` (conditional: what moved is returned)."""
    if not line_ids:
        return []
    values: dict[Any, Any] = {VoucherBatchLine.status: to_status, VoucherBatchLine.updated_at: at}
    if paid_on is not None:
        values[VoucherBatchLine.paid_on] = paid_on
        values[VoucherBatchLine.bank_reference] = reference
    if code:
        values[VoucherBatchLine.exception_code] = code
    rows = (
        await VoucherBatchLine.update(values)
        .where(VoucherBatchLine.id.is_in(list(line_ids)) & (VoucherBatchLine.status == from_status))
        .returning(VoucherBatchLine.id)
    )
    return [int(r["id"]) for r in rows]


async def release_unpaid(batch_id: int, *, to_status: str, at: datetime) -> int:
    """Every line of the batch not paid gives its claim back (``open_claim`` NULL): carried to the next batch, or
    released with a cancelled batch. Returns how many."""
    rows = (
        await VoucherBatchLine.update(
            {VoucherBatchLine.status: to_status, VoucherBatchLine.open_claim: None, VoucherBatchLine.updated_at: at}
        )
        .where((VoucherBatchLine.batch == batch_id) & VoucherBatchLine.status.is_in(["payable", "exception", "failed"]))
        .returning(VoucherBatchLine.id)
    )  # fmt: skip
    return len(rows)


async def totals(batch_id: int) -> list[StatusTotal]:
    rows = (
        await VoucherBatchLine.select(
            VoucherBatchLine.status, Count(alias="n"), Sum(VoucherBatchLine.amount_minor, alias="amount")
        )
        .where(VoucherBatchLine.batch == batch_id)
        .group_by(VoucherBatchLine.status)
    )
    return [StatusTotal(status=str(r["status"]), lines=int(r["n"]), amount_minor=int(r["amount"] or 0)) for r in rows]


# ------------------------------------------------------------------------------------------------ payouts


async def insert_payouts(rows: Sequence[Mapping[str, Any]], *, at: datetime) -> list[int]:
    if not rows:
        return []
    made = await VoucherPayout.insert(*(VoucherPayout(recorded_at=at, **dict(r)) for r in rows)).returning(
        VoucherPayout.id
    )
    return [int(r["id"]) for r in made]


async def payouts(*, batch_id: int | None = None, payee: int | None = None) -> list[PayoutRecord]:
    query = VoucherPayout.select().order_by(VoucherPayout.id)
    if batch_id is not None:
        query = query.where(VoucherPayout.batch == batch_id)
    if payee is not None:
        query = query.where(VoucherPayout.payee == payee)
    return [_payout(r) for r in await query]


async def paid_total(*, programme: int | None = None, batch_id: int | None = None) -> int:
    query = VoucherPayout.select(Sum(VoucherPayout.amount_minor, alias="amount"))
    if programme is not None:
        query = query.where(VoucherPayout.programme == programme)
    if batch_id is not None:
        query = query.where(VoucherPayout.batch == batch_id)
    row = await query.first()
    return int(row["amount"] or 0) if row else 0


# ----------------------------------------------------------------------------------------------- reports


async def paid_by(programme: int, dimension: str) -> list[PaidGroup]:
    """Payouts of a programme by category, region or provider: one GROUP BY on the programme's index."""
    column = DIMENSIONS[dimension]
    rows = await VoucherPayout.raw(
        f"SELECT {column} AS k, COUNT(*) AS n, SUM(amount_minor) AS paid FROM finance_voucher_payout "  # noqa: S608
        f"WHERE programme = {{}} GROUP BY {column} ORDER BY paid DESC",
        programme,
    )
    return [PaidGroup(key=str(r["k"] or ""), payouts=int(r["n"]), paid_minor=int(r["paid"] or 0)) for r in rows]


async def timing_by(programme: int, dimension: str) -> list[Timing]:
    """Days from claim to payment per group: the nearest-rank 50th and 90th percentiles, by window functions the
    database computes (PostgreSQL and SQLite alike), one row per group."""
    column = DIMENSIONS[dimension]
    rows = await VoucherPayout.raw(
        "SELECT k, n, MIN(CASE WHEN rn * 100 >= n * 50 THEN d END) AS p50, "  # noqa: S608
        "MIN(CASE WHEN rn * 100 >= n * 90 THEN d END) AS p90 FROM ("
        f"SELECT {column} AS k, days_to_pay AS d, "
        f"ROW_NUMBER() OVER (PARTITION BY {column} ORDER BY days_to_pay) AS rn, "
        f"COUNT(*) OVER (PARTITION BY {column}) AS n "
        "FROM finance_voucher_payout WHERE programme = {}) ranked GROUP BY k, n ORDER BY n DESC",
        programme,
    )
    return [
        Timing(key=str(r["k"] or ""), payouts=int(r["n"]), p50_days=float(r["p50"] or 0), p90_days=float(r["p90"] or 0))
        for r in rows
    ]


# PostgreSQL: every group of every dimension in one pass, both percentiles by one percentile_disc (the nearest rank,
# one sort per group).
STATS_SQL = (
    "SELECT GROUPING(category) AS g_category, GROUPING(region) AS g_region, GROUPING(provider) AS g_provider, "
    "category, region, CAST(provider AS TEXT) AS provider, COUNT(*) AS n, SUM(amount_minor) AS paid, "
    "percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY days_to_pay) AS p "
    "FROM finance_voucher_payout WHERE programme = {} "
    "GROUP BY GROUPING SETS ((category), (region), (provider), ())"
)


async def payout_stats(programme: int) -> list[PayoutStats]:
    """Payouts by category, region and provider and over the programme, with the days to payment: one query on
    PostgreSQL (grouping sets, ordered-set aggregates), a GROUP BY and a window query per dimension on SQLite."""
    if VoucherPayout._meta.db.engine_type == "postgres":
        out = []
        for r in await VoucherPayout.raw(STATS_SQL, programme):
            if not r["n"]:
                continue  # the empty grand total of a programme without payouts
            dimension = next((d for d in ("category", "region", "provider") if not r[f"g_{d}"]), "all")
            out.append(PayoutStats(dimension=dimension, key=str(r[dimension] or "") if dimension != "all" else "",
                                   payouts=int(r["n"]), paid_minor=int(r["paid"] or 0), p50_days=float(r["p"][0]),
                                   p90_days=float(r["p"][1])))  # fmt: skip
        return out
    stats = []
    for dimension in (*DIMENSIONS,):
        timing = {t.key: t for t in await timing_by(programme, dimension)}
        for g in await paid_by(programme, dimension):
            t = timing.get(g.key)
            stats.append(PayoutStats(dimension=dimension, key=g.key, payouts=g.payouts, paid_minor=g.paid_minor,
                                     p50_days=t.p50_days if t else 0.0, p90_days=t.p90_days if t else 0.0))
    return stats


# -------------------------------------------------------------------------------------------- statements


async def insert_statement(
    *, batch_id: int, payee: int, paid_minor: int, unpaid_minor: int, currency: str, sha256: str, path: str,
    pages: int, template: str, template_version: str, at: datetime,
) -> int:
    rows = await VoucherStatement.insert(
        VoucherStatement(batch=batch_id, payee=payee, natural_key=f"{batch_id}:{payee}", paid_minor=paid_minor,
                         unpaid_minor=unpaid_minor, currency=currency, sha256=sha256, path=path, pages=pages,
                         template=template, template_version=template_version, issued_at=at)
    ).returning(VoucherStatement.id)  # fmt: skip
    return int(rows[0]["id"])


async def statement(batch_id: int, payee: int) -> StatementRecord | None:
    row = await VoucherStatement.select().where(VoucherStatement.natural_key == f"{batch_id}:{payee}").first()
    return _statement(row) if row else None


async def statements(*, payee: int | None = None, batch_id: int | None = None) -> list[StatementRecord]:
    query = VoucherStatement.select().order_by(VoucherStatement.id, ascending=False)
    if payee is not None:
        query = query.where(VoucherStatement.payee == payee)
    if batch_id is not None:
        query = query.where(VoucherStatement.batch == batch_id)
    return [_statement(r) for r in await query]
