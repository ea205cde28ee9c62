from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.desk.tables import DeskCase
from market.orgs.tables import Organisation


class SubsidyProgramme(Table, tablename="finance_subsidy_programme"):
    """A premium-subsidy programme run by a ``voucher_issuer`` organisation: the series whose terms are versioned
    (``SubsidyProgrammeVersion``). ``version`` is the version in force; an edit inserts the next version and moves it
    conditionally (of two editors, one wins). A claim keeps the version it was filed under."""

    id = Serial(primary_key=True)
    issuer = ForeignKey(Organisation, null=False, index=True)
    code = Varchar(length=60)
    natural_key = Varchar(length=120, unique=True)  # "issuer:code"
    status = Varchar(length=12, default="draft")  # draft, open, closed
    version = Integer(default=1)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    opened_at = Timestamptz(null=True, default=None)


class SubsidyProgrammeVersion(Table, tablename="finance_subsidy_programme_version"):
    """One version of a programme's terms, never changed once written (unique per programme and version). Shares in
    basis points of the premium per firm tier, for the firm's first subsidised policy and for later ones; caps per
    firm (any tier), per firm tier and per insurance kind, in minor units; the budget (first come, first served)."""

    id = Serial(primary_key=True)
    programme = ForeignKey(SubsidyProgramme, null=False, index=True)
    version = Integer()
    natural_key = Varchar(length=80, unique=True)  # "programme:version"
    name_zh = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    kinds = JSON(default="[]")  # insurance kinds covered
    share_first_bp = JSON(default="{}")  # {tier: bp}
    share_later_bp = JSON(default="{}")  # {tier: bp}
    cap_per_firm_minor = BigInt(null=True, default=None)
    tier_caps = JSON(default="{}")  # {tier: minor}
    kind_caps = JSON(default="{}")  # {kind: minor}
    budget_minor = BigInt(null=True, default=None)
    currency = Varchar(length=3, default="CNY")
    approval_thresholds = JSON(default="[]")  # [[above_minor, approvals], ...]
    refusal_needs_second = Boolean(default=False)
    source = Text(default="")
    reliability = Varchar(length=20, default="")
    note = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class SubsidyClaim(Table, tablename="finance_subsidy_claim"):
    """A firm's claim on a programme for one of its policies: one per (policy, programme) (``natural_key``). Its
    state and version live on its desk case (kind "subsidy_claim"). What it was filed on is frozen here: the
    programme version, the premium paid and its proof, the estimate's lines and amount."""

    id = Serial(primary_key=True)
    case = ForeignKey(DeskCase, null=True, default=None, unique=True)
    programme = ForeignKey(SubsidyProgramme, null=False, index=True)
    programme_version = Integer(default=1)
    policy = Integer(index=True)  # finance_insurance_policy.id (finance.policies)
    natural_key = Varchar(length=80, unique=True)  # "policy:programme"
    applicant = ForeignKey(Organisation, null=False, index=True)
    issuer = ForeignKey(Organisation, null=False, index=True)
    kind = Varchar(length=30, default="")
    firm_tier = Varchar(length=20, default="sme")
    first_policy = Boolean(default=True)
    premium_minor = BigInt(default=0)  # premium paid, net of refunds, when filed
    currency = Varchar(length=3, default="CNY")
    requested_minor = BigInt(default=0)
    approved_minor = BigInt(null=True, default=None)
    paid_minor = BigInt(default=0)
    proof = JSON(default="{}")  # finance.policies' proof of the premium payment, as read when filed
    lines = JSON(default="[]")  # the estimate's lines, as shown when filed
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    approved_at = Timestamptz(null=True, default=None)
    paid_at = Timestamptz(null=True, default=None)


class SubsidyPayment(Table, tablename="finance_subsidy_payment"):
    """The issuer's payment of an approved claim: once per claim."""

    id = Serial(primary_key=True)
    claim = ForeignKey(SubsidyClaim, null=False, unique=True)
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    paid_on = Date()
    reference = Varchar(length=60, default="")
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())


class SubsidyCap(Table, tablename="finance_subsidy_cap"):
    """A running total under a cap: a programme's budget, a firm's cap in a programme (by its tier), a firm's cap for
    one insurance kind in a programme, and a policy's premium (all programmes together never pay more than it).
    Approving a claim adds its amount to every row it falls under with a conditional update the database decides
    (``reserved + amount <= limit``); a row is never lowered below what was reserved."""

    id = Serial(primary_key=True)
    key = Varchar(length=120, unique=True)  # "budget:P", "firm:P:O", "firm_kind:P:O:kind", "policy:X"
    scope = Varchar(length=20)  # budget, firm, firm_kind, policy
    programme = Integer(null=True, default=None)
    org = Integer(null=True, default=None, index=True)
    policy = Integer(null=True, default=None)
    limit_minor = BigInt(default=0)  # the limit the last reservation was checked against
    reserved_minor = BigInt(default=0)  # approved (paid or not)
    paid_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    updated_at = Timestamptz(default=TimestamptzNow())
