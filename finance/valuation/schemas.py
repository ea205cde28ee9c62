"""A valuation asked for and answered: money in minor units, rates in basis points, each line with its message."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from finance.valuation.records import Method
from market.kit.schema import BasisPoints, MinorUnits, Out, Schema
from market.kit.words import MsgOut


class ValuationIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "patent_id": 1,
                "projected_revenue_minor": [500_000_000, 600_000_000, 700_000_000],
                "economic_life_years": "8",
                "discount_rate_bp": 1200,
                "method": "internal",
            }
        ]
    },
):
    """Relief-from-royalty inputs for one of your patents: annual net sales of the products using it (year 1, 2,
    ...; later years keep the last figure), the economic life (the legal term caps it; none: the legal term), the
    discount rate, optionally the tax rate (25% by default) and a royalty rate (else the benchmark of the patent's
    field), and who valued it."""

    patent_id: int
    projected_revenue_minor: list[MinorUnits] = Field(min_length=1, max_length=20)
    currency: str = Field(default="CNY", pattern=r"^CNY$")
    economic_life_years: Decimal | None = Field(default=None, gt=0, le=20, max_digits=4, decimal_places=2)
    discount_rate_bp: BasisPoints = Field(le=9999)
    tax_rate_bp: BasisPoints | None = Field(default=None, le=9999)
    royalty_rate_bp: BasisPoints | None = None
    method: Method
    appraiser: str = Field(default="", max_length=200)
    report_document: int | None = Field(default=None, description="The appraisal report (a dossier document)")


class MoneyOut(Out):
    minor: int
    currency: str


class LineOut(Out):
    key: str
    value: str
    source: str
    message: MsgOut


class ValuationOut(Out):
    amount: MoneyOut
    method: Method
    royalty_rate_bp: int
    years: Decimal
    lines: list[LineOut]
    reasons: list[MsgOut] = Field(description="e.g. an internal value at or above the threshold: external needed")
    threshold: MoneyOut | None = Field(description="Internal or agreed values are accepted below this amount")
