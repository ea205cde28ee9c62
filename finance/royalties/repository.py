"""Every query on royalty reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from finance.royalties.tables import RoyaltyReport


async def create(values: dict[str, Any]) -> int:
    rows = await RoyaltyReport.insert(RoyaltyReport(**values)).returning(RoyaltyReport.id)
    return int(rows[0]["id"])


async def get(report_id: int) -> dict[str, Any] | None:
    return await RoyaltyReport.select().where(RoyaltyReport.id == report_id).first()


async def update(report_id: int, values: dict[str, Any]) -> None:
    await RoyaltyReport.update({getattr(RoyaltyReport, k): v for k, v in values.items()}).where(
        RoyaltyReport.id == report_id
    )


async def for_licence(licence_id: int) -> list[dict[str, Any]]:
    return await RoyaltyReport.select().where(RoyaltyReport.licence == licence_id).order_by(RoyaltyReport.period_start)


async def overlapping(licence_id: int, start: date, end: date) -> list[dict[str, Any]]:
    return await RoyaltyReport.select().where(
        (RoyaltyReport.licence == licence_id)
        & (RoyaltyReport.period_start <= end)
        & (RoyaltyReport.period_end >= start)
    )


async def unpaid_filed_before(day: date) -> list[dict[str, Any]]:
    return await RoyaltyReport.select().where(
        (RoyaltyReport.status == "invoiced") & (RoyaltyReport.royalty_due_minor > 0) & (RoyaltyReport.period_end < day)
    )
