from __future__ import annotations

from piccolo.columns import JSON, BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from listings.patents.tables import Patent
from market.orgs.tables import Organisation


class InsurancePolicy(Table, tablename="finance_insurance_policy"):
    """A bound IP insurance policy: the accepted terms (from the application's frozen quote), its period once the
    premium is received, its state (``finance.policies.machine``) and the current schedule's SHA-256. What was paid
    is never stored here: it is derived from the premium entries. ``version`` guards every move."""

    id = Serial(primary_key=True)
    number = Varchar(length=30, unique=True)  # PB-2026-000001
    application = Integer(unique=True)  # the insurance application (finance.insurance) it was bound from
    insured = ForeignKey(Organisation, null=False, index=True)
    insurer = ForeignKey(Organisation, null=False, index=True)
    kind = Varchar(length=30)  # enforcement, infringement_loss, overseas_liability, pledge_guarantee
    product_version = Integer()
    firm_tier = Varchar(length=20, default="sme")
    state = Varchar(length=30, default="awaiting_premium")  # in_force, cancelled, expired
    version = Integer(default=1)
    requested_start = Date(null=True, default=None)  # the start the insured chose (else the day after payment)
    starts_on = Date(null=True, default=None)
    ends_on = Date(null=True, default=None)  # the last day covered
    retroactive_date = Date(null=True, default=None)
    term_months = Integer(default=12)
    retroactive_days = Integer(default=0)
    premium_minor = BigInt(default=0)  # the annual premium as now endorsed
    per_claim_limit_minor = BigInt(default=0)
    aggregate_limit_minor = BigInt(default=0)
    deductible_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    pledge_application = Integer(null=True, default=None)
    quote_valid_until = Date(null=True, default=None)
    cancelled_on = Date(null=True, default=None)
    cancelled_by = Varchar(length=20, default="")  # insured, insurer
    schedule_version = Integer(default=0)
    schedule_sha256 = Varchar(length=64, default="")
    schedule_path = Text(default="")
    schedule_template_version = Varchar(length=20, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class InsurancePolicyPatent(Table, tablename="finance_insurance_policy_patent"):
    """A patent the policy covers (unique per policy), from binding or from an endorsement."""

    id = Serial(primary_key=True)
    policy = ForeignKey(InsurancePolicy, null=False, index=True)
    patent = ForeignKey(Patent, null=False, index=True)
    natural_key = Varchar(length=80, unique=True)  # "policy:patent"
    endorsement = Integer(null=True, default=None)  # None: bound with the policy
    added_on = Date(null=True, default=None)


class PremiumPayment(Table, tablename="finance_insurance_premium_payment"):
    """One attempt to pay a premium (the first premium, or an endorsement's extra premium). At most one is open per
    policy and purpose: ``open_key`` ("policy:purpose") is unique while the attempt is open and NULL once closed."""

    id = Serial(primary_key=True)
    policy = ForeignKey(InsurancePolicy, null=False, index=True)
    purpose = Varchar(length=30, default="premium")  # premium, endorsement:<id>
    endorsement = Integer(null=True, default=None)
    method = Varchar(length=20)  # bank_transfer, card
    provider = Varchar(length=20)  # bank_transfer, stripe
    provider_id = Varchar(length=80, default="", index=True)
    reference = Varchar(length=20, default="", index=True)  # the bank transfer's reference to quote
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    status = Varchar(length=20, default="awaiting_payer")  # processing, succeeded, canceled
    idempotency_key = Varchar(length=120, unique=True)
    open_key = Varchar(length=80, null=True, default=None, unique=True)
    payee_account = Integer(null=True, default=None)  # the insurer's account instructed (finance.payees)
    received_at = Timestamptz(null=True, default=None)
    confirmed_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Endorsement(Table, tablename="finance_insurance_endorsement"):
    """A change to a policy in force, immutable once made: a patent added (its extra premium pro rata for the days
    left) or the cancellation (the unearned premium refunded pro rata), with the computation's lines."""

    id = Serial(primary_key=True)
    policy = ForeignKey(InsurancePolicy, null=False, index=True)
    seq = Integer()
    natural_key = Varchar(length=80, unique=True)  # "policy:seq"
    kind = Varchar(length=20)  # add_patent, cancellation
    patent = Integer(null=True, default=None)
    effective_on = Date()
    days = Integer(default=0)  # days charged or refunded
    days_in_period = Integer(default=0)
    annual_delta_minor = BigInt(default=0)  # add_patent: the annual premium's increase
    amount_minor = BigInt(default=0)  # the extra premium, or the refund
    currency = Varchar(length=3, default="CNY")
    # add_patent: awaiting_premium, effective, void; cancellation: refund_due, refunded, no_refund
    state = Varchar(length=20)
    lines = JSON(default="[]")
    requested_by = Varchar(length=20, default="")  # insured, insurer
    made_by = Integer(null=True, default=None)
    settled_at = Timestamptz(null=True, default=None)
    settled_by = Integer(null=True, default=None)
    refund_reference = Varchar(length=80, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class PremiumEntry(Table, tablename="finance_insurance_premium_entry"):
    """Money of a policy, insert only: a premium received (from a payment) or a refund owed (from a cancellation).
    ``natural_key`` ("payment:<id>", "refund:<endorsement id>") makes each exactly once. What was paid is the sum."""

    id = Serial(primary_key=True)
    policy = ForeignKey(InsurancePolicy, null=False, index=True)
    insurer = ForeignKey(Organisation, null=False, index=True)
    natural_key = Varchar(length=80, unique=True)
    kind = Varchar(length=20)  # premium, refund
    amount_minor = BigInt(default=0)  # positive; a refund counts against the premium
    currency = Varchar(length=3, default="CNY")
    occurred_on = Date()
    month = Varchar(length=7, index=True)  # YYYY-MM of occurred_on
    method = Varchar(length=20, default="")
    reference = Varchar(length=80, default="")
    payment = Integer(null=True, default=None)
    endorsement = Integer(null=True, default=None)
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())
