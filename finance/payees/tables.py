from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class PayeeAccount(Table, tablename="finance_payee_account"):
    """A university's account for receiving transfers (户名, 开户行, 账号). A row is never changed: a new account
    supersedes the one in force (``superseded_at``), so what a payment or contract showed can always be read back.
    At most one row per organisation is in force (a partial unique index, see finance_0007)."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    account_name = Varchar(length=200)
    bank_name = Varchar(length=100)
    account_number = Varchar(length=32)
    recorded_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    superseded_at = Timestamptz(null=True, default=None)
