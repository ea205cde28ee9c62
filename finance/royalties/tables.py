from __future__ import annotations

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.licences.tables import Licence


class RoyaltyReport(Table, tablename="finance_royalty_report"):
    """A licensee's net sales (or profit, when the licence's royalty is a share of profit) for one period and the
    royalty due on them (rate x base)."""

    id = Serial(primary_key=True)
    licence = ForeignKey(Licence, null=False, index=True)
    period_start = Date()
    period_end = Date()
    net_sales_minor = BigInt()
    currency = Varchar(length=3, default="CNY")
    rate_bp = Integer()
    royalty_due_minor = BigInt()
    base = Varchar(length=10, default="net_sales")  # what rate_bp is a share of: net_sales or profit
    profit_minor = BigInt(null=True, default=None)  # the profit reported, when the base is profit
    status = Varchar(length=12, default="invoiced")  # invoiced, paid
    filed_by = Integer(null=True, default=None)
    filed_at = Timestamptz(default=TimestamptzNow())
