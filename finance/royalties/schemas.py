from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, model_validator

from market.kit.schema import MinorUnits, Out, Schema


class RoyaltyReportIn(
    Schema,
    json_schema_extra={
        "examples": [{"period_start": "2026-10-01", "period_end": "2026-12-31", "net_sales_minor": 1_283_450_00}]
    },
):
    period_start: date
    period_end: date
    net_sales_minor: MinorUnits | None = Field(
        default=None, description="Net sales of licensed products in the period, in fen (a royalty on net sales)"
    )
    profit_minor: MinorUnits | None = Field(
        default=None, description="Profit from licensed products in the period, in fen (a royalty on profit)"
    )

    @model_validator(mode="after")
    def _order(self) -> RoyaltyReportIn:
        if self.period_end < self.period_start:
            raise ValueError("the period ends before it starts")
        if (self.net_sales_minor is None) == (self.profit_minor is None):
            raise ValueError("royalty.one_base_amount")
        return self


class RoyaltyReportOut(Out):
    id: int
    licence_id: int
    period_start: date
    period_end: date
    net_sales_minor: int | None
    profit_minor: int | None = None
    base: str = "net_sales"
    currency: str
    rate_bp: int
    royalty_due_minor: int
    status: str
    filed_at: datetime
