from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class RiskPool(Table, tablename="finance_risk_pool"):
    """A risk-compensation pool (风险补偿资金池): who issues it, how a principal loss is split between the parties
    (basis points per party; what no party covers stays with the lending bank), the per-loan caps, whether it covers
    only pure-IP pledges (or the IP share of a mixed one), its size, and where the figures come from (``source``,
    ``reliability``: primary, secondary, tertiary, or ``bank`` for a bank's own entry)."""

    id = Serial(primary_key=True)
    code = Varchar(length=60, unique=True)
    name_zh = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    issuer = Varchar(length=200, default="")
    loss_split_bp = JSON(default="{}")  # {"province": 4000, "city": 2000}
    cap_first_year_minor = BigInt(null=True, default=None)
    cap_later_minor = BigInt(null=True, default=None)
    pure_ip_only = Boolean(default=False)
    size_minor = BigInt(null=True, default=None)
    currency = Varchar(length=3, default="CNY")
    scope = Text(default="")
    source = Text(default="")
    reliability = Varchar(length=20, default="")
    recorded_by_org = ForeignKey(Organisation, null=True, default=None, index=True)  # None: the platform's data
    created_at = Timestamptz(default=TimestamptzNow())


class LoanProduct(Table, tablename="finance_loan_product"):
    """A bank's loan product: the series whose terms are versioned (``LoanProductVersion``). ``version`` is the
    version in force; an edit inserts the next version and moves it (conditionally: of two editors, one wins).
    Published or withdrawn as a whole; an application keeps the version it used."""

    id = Serial(primary_key=True)
    bank = ForeignKey(Organisation, null=False, index=True)
    code = Varchar(length=60)  # unique per bank (finance_0013)
    status = Varchar(length=12, default="draft")  # draft, published, withdrawn
    version = Integer(default=1)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    published_at = Timestamptz(null=True, default=None)


class LoanProductVersion(Table, tablename="finance_loan_product_version"):
    """One version of a product's terms, never changed once written (unique per product and version)."""

    id = Serial(primary_key=True)
    product = ForeignKey(LoanProduct, null=False, index=True)
    version = Integer()
    name_zh = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    kinds = JSON(default="[]")  # patent kinds accepted
    ltv_bp = JSON(default="{}")  # {kind: basis points of the value}
    min_remaining_years = JSON(default="{}")  # {kind: years}
    max_amount_minor = BigInt()
    currency = Varchar(length=3, default="CNY")
    max_term_months = Integer()
    rate_min_bp = Integer(null=True, default=None)
    rate_max_bp = Integer(null=True, default=None)
    documents = JSON(default="[]")  # [{code, required, accepted_types, max_age_days, label_zh, label_en}]
    approval_thresholds = JSON(default="[]")  # [[above_minor, approvals], ...]
    refusal_needs_second = Boolean(default=True)
    pools = JSON(default="[]")  # risk pool ids
    source = Text(default="")
    reliability = Varchar(length=20, default="")
    note = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
