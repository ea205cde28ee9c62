from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.registrations.tables import PledgeRegistration
from market.orgs.tables import Organisation


class Loan(Table, tablename="finance_loan"):
    """A registered pledge loan being serviced. Its balance is never stored: it is derived from its entries.
    ``version`` is bumped by every entry (conditional update), so two entries recorded at once never both pass."""

    id = Serial(primary_key=True)
    registration = ForeignKey(PledgeRegistration, null=False, unique=True)
    lender = ForeignKey(Organisation, null=False, index=True)
    borrower = ForeignKey(Organisation, null=False, index=True)
    principal_minor = BigInt(default=0)  # as agreed (the most that may be disbursed)
    currency = Varchar(length=3, default="CNY")
    pure_ip = Boolean(default=True)
    state = Varchar(length=30, default="awaiting_disbursement")  # running, repaid, defaulted
    version = Integer(default=1)
    disbursed_on = Date(null=True, default=None)
    defaulted_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class LoanEntry(Table, tablename="finance_loan_entry"):
    """A movement recorded by the lender (disbursement, repayment): insert only; ``seq`` is the loan's version it
    was recorded at (unique per loan)."""

    id = Serial(primary_key=True)
    loan = ForeignKey(Loan, null=False, index=True)
    seq = Integer()
    natural_key = Varchar(length=80, unique=True)  # "loan:seq"
    kind = Varchar(length=20)  # disbursement, repayment
    principal_minor = BigInt(default=0)
    interest_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    occurred_on = Date()
    reference = Varchar(length=60, default="")
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())


class PoolClaim(Table, tablename="finance_pool_claim"):
    """The claim on a risk-compensation pool computed when a default is declared: an immutable decision with the
    snapshot of what it was computed from (loan, balance, pool terms and their source)."""

    id = Serial(primary_key=True)
    loan = ForeignKey(Loan, null=False, unique=True)
    pool = Varchar(length=60)
    outcome = Varchar(length=20)  # claimable, not_eligible
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    reasons = JSON(default="[]")
    lines = JSON(default="[]")
    snapshot = JSON(default="{}")
    text = Text(default="")
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(default=TimestamptzNow())
