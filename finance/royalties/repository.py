"""Every query on royalty reports."""

from __future__ import annotations

from datetime import date

from finance.royalties.records import RoyaltyReportRecord
from finance.royalties.tables import RoyaltyReport


async def create(
    *,
    licence: int,
    period_start: date,
    period_end: date,
    net_sales_minor: int,
    rate_bp: int,
    royalty_due_minor: int,
    currency: str = "CNY",
    status: str = "invoiced",
    filed_by: int | None = None,
    base: str = "net_sales",
    profit_minor: int | None = None,
) -> int:
    rows = await RoyaltyReport.insert(
        RoyaltyReport(
            licence=licence,
            period_start=period_start,
            period_end=period_end,
            net_sales_minor=net_sales_minor,
            currency=currency,
            rate_bp=rate_bp,
            royalty_due_minor=royalty_due_minor,
            status=status,
            filed_by=filed_by,
            base=base,
            profit_minor=profit_minor,
        )
    ).returning(RoyaltyReport.id)
    return int(rows[0]["id"])


async def get(report_id: int) -> RoyaltyReportRecord | None:
    row = await RoyaltyReport.select().where(RoyaltyReport.id == report_id).first()
    return RoyaltyReportRecord(**row) if row else None


async def set_status(report_id: int, status: str) -> None:
    await RoyaltyReport.update({RoyaltyReport.status: status}).where(RoyaltyReport.id == report_id)


async def for_licence(licence_id: int) -> list[RoyaltyReportRecord]:
    rows = await RoyaltyReport.select().where(RoyaltyReport.licence == licence_id).order_by(RoyaltyReport.period_start)
    return [RoyaltyReportRecord(**r) for r in rows]


async def overlapping(licence_id: int, start: date, end: date) -> list[RoyaltyReportRecord]:
    rows = await RoyaltyReport.select().where(
        (RoyaltyReport.licence == licence_id)
        & (RoyaltyReport.period_start <= end)
        & (RoyaltyReport.period_end >= start)
    )
    return [RoyaltyReportRecord(**r) for r in rows]


async def unpaid_filed_before(day: date) -> list[RoyaltyReportRecord]:
    rows = await RoyaltyReport.select().where(
        (RoyaltyReport.status == "invoiced") & (RoyaltyReport.royalty_due_minor > 0) & (RoyaltyReport.period_end < day)
    )
    return [RoyaltyReportRecord(**r) for r in rows]
