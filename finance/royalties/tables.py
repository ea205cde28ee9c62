from __future__ import annotations

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.licences.tables import Licence


class RoyaltyReport(Table, tablename="finance_royalty_report"):
    """A licensee's net sales for one period and the royalty due on them (rate x net sales)."""

    id = Serial(primary_key=True)
    licence = ForeignKey(Licence, null=False, index=True)
    period_start = Date()
    period_end = Date()
    net_sales_minor = BigInt()
    currency = Varchar(length=3, default="CNY")
    rate_bp = Integer()
    royalty_due_minor = BigInt()
    status = Varchar(length=12, default="invoiced")  # invoiced, paid
    filed_by = Integer(null=True, default=None)
    filed_at = Timestamptz(default=TimestamptzNow())
