from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.desk.tables import DeskCase
from listings.patents.tables import Patent
from market.orgs.tables import Organisation


class InsuranceClaim(Table, tablename="finance_insurance_claim"):
    """A claim on an insurance policy (``policy``: finance_insurance_policy's id). Its state and version live on its
    desk case (kind "insurance_claim", subject = this id). A guarantee claim names the defaulted loan (one claim per
    loan: the unique ``loan`` makes the default's job idempotent)."""

    id = Serial(primary_key=True)
    case = ForeignKey(DeskCase, null=True, default=None, unique=True)
    policy = Integer(index=True)
    insured = ForeignKey(Organisation, null=False, index=True)  # the claimant: the SME, or the bank (guarantee)
    insurer = ForeignKey(Organisation, null=False, index=True)
    kind = Varchar(length=30, default="")  # the policy's kind
    patent = ForeignKey(Patent, null=True, default=None, index=True)
    counterparty = Varchar(length=200, default="")
    forum = Varchar(length=20, default="")  # court | arbitration | administrative
    event_on = Date(null=True, default=None)  # when the infringement (the facts) began
    first_claim_on = Date(null=True, default=None)  # the claim first made / the loss found: inside the period
    first_known_on = Date(null=True, default=None)  # when the insured first knew of the dispute
    description = Text(default="")
    acceptance_number = Varchar(length=60, default="")  # 立案/受理 number (enforcement cover)
    accepted_on = Date(null=True, default=None)
    currency = Varchar(length=3, default="CNY")
    claimed_minor = BigInt(default=0)  # a guarantee claim's loss share; otherwise the costs' sum at notice (0)
    loan = Integer(null=True, default=None, unique=True)  # guarantee: the defaulted loan
    pledge_application = Integer(null=True, default=None)
    assessment = JSON(default="{}")  # the last assessment's lines and figures, as decided
    assessed_minor = BigInt(null=True, default=None)
    denial_reasons = JSON(default="[]")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class InsuranceClaimCost(Table, tablename="finance_insurance_claim_cost"):
    """A cost of a claim with its invoice (a dossier document of the claim's case, SHA-256 kept here too) and the
    insurer's pre-approval of it (set once)."""

    id = Serial(primary_key=True)
    claim = ForeignKey(InsuranceClaim, null=False, index=True)
    kind = Varchar(length=30, default="")  # investigation | lawyer | court_fee | ...
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    incurred_on = Date(null=True, default=None)
    description = Text(default="")
    invoice_number = Varchar(length=60, default="")
    document = Integer(null=True, default=None)  # finance_dossier_document id
    sha256 = Varchar(length=64, default="")
    pre_approved = Boolean(default=False)
    pre_approved_by = Integer(null=True, default=None)
    pre_approved_at = Timestamptz(null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class InsuranceClaimPayment(Table, tablename="finance_insurance_claim_payment"):
    """The insurer's payment of a claim: an entry, inserted once per claim and never changed. What a policy's
    aggregate limit has used is the sum of these entries over its claims."""

    id = Serial(primary_key=True)
    claim = ForeignKey(InsuranceClaim, null=False, unique=True)
    policy = Integer(index=True)
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    paid_on = Date(null=True, default=None)
    reference = Varchar(length=60, default="")
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())


class InsuranceGuarantee(Table, tablename="finance_insurance_guarantee"):
    """A pledge_guarantee policy attached to a pledge-loan application (one each way), its schedule issued into the
    application's dossier as ``document``."""

    id = Serial(primary_key=True)
    policy = Integer(unique=True)
    pledge_application = Integer(unique=True)
    document = Integer(null=True, default=None)
    attached_by = Integer(null=True, default=None)
    attached_at = Timestamptz(default=TimestamptzNow())
