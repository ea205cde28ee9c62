from __future__ import annotations

from piccolo.columns import JSON, BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.desk.tables import DeskCase
from market.orgs.tables import Organisation


class VoucherApplication(Table, tablename="finance_voucher_application"):
    """An SME's application to a voucher programme for an entitlement. Its state and version live on its desk case
    (kind "voucher_entitlement"); what it was filed on is frozen here: the programme version, the amount asked (or
    the number of vouchers and their face value), the purpose, the declarations as the SME read and ticked them and
    the eligibility pre-check as computed then. ``tier`` is the index of the review tier now deciding (the
    programme version's tiers, one approval decision each)."""

    id = Serial(primary_key=True)
    case = ForeignKey(DeskCase, null=True, default=None, unique=True)
    programme = Integer(index=True)  # finance_voucher_programme.id (finance.voucher_programmes)
    programme_version = Integer(default=1)
    applicant = ForeignKey(Organisation, null=False, index=True)
    issuer = ForeignKey(Organisation, null=False, index=True)
    value_kind = Varchar(length=12, default="amount")  # amount | face_value
    requested_minor = BigInt(default=0)
    vouchers = Integer(null=True, default=None)  # face-value mode: how many vouchers
    face_value_minor = BigInt(null=True, default=None)
    currency = Varchar(length=3, default="CNY")
    purpose = Text(default="")
    declarations = JSON(default="[]")  # [{code, text_zh, text_en, accepted_at}]
    precheck = JSON(default="[]")  # the pre-check's reasons when filed
    qualifications = JSON(default="{}")  # finance.qualifications' snapshot when filed
    favoured = JSON(default="[]")  # the programme's favoured qualifications the firm held when filed
    priority = Integer(default=0, index=True)  # how many of them: the issuer's queue shows these first
    tiers = JSON(default="[]")  # the programme version's review tiers, in order
    tier = Integer(default=0)
    approved_minor = BigInt(null=True, default=None)
    entitlement = Integer(null=True, default=None, unique=True)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class VoucherEntitlement(Table, tablename="finance_voucher_entitlement"):
    """What an SME may spend in a programme: granted once (the ``grant`` entry), usable until ``expires_at``.
    ``available_minor`` is the database's guard, never the balance's source: every ledger entry moves it in the
    same transaction with a conditional update (``available_minor >= amount`` for a hold), so of holds placed at
    once only those that fit pass; the balance is the sum of ``VoucherEntry`` rows, and tests assert the two
    agree. ``status``: active, revoked (``revoked_*``); an expired one stays active in status and is refused by
    ``expires_at`` at the moment of use."""

    id = Serial(primary_key=True)
    application = Integer(null=True, default=None, unique=True)
    programme = Integer(index=True)
    programme_version = Integer(default=1)
    holder = ForeignKey(Organisation, null=False, index=True)
    issuer = ForeignKey(Organisation, null=False, index=True)
    currency = Varchar(length=3, default="CNY")
    granted_minor = BigInt(default=0)
    vouchers = Integer(null=True, default=None)
    face_value_minor = BigInt(null=True, default=None)
    available_minor = BigInt(default=0)
    issued_on = Date()
    expires_at = Timestamptz()
    status = Varchar(length=12, default="active")
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=80, default="")
    revoked_by = Integer(null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class VoucherHold(Table, tablename="finance_voucher_hold"):
    """Money set aside from an entitlement for one use (``reference``, unique: placing it again returns it). ``status``
    held → captured (``captured_minor``, the rest released) | released, by conditional updates on the status."""

    id = Serial(primary_key=True)
    entitlement = ForeignKey(VoucherEntitlement, null=False, index=True)
    reference = Varchar(length=120, unique=True)
    amount_minor = BigInt(default=0)
    captured_minor = BigInt(default=0)
    paid_minor = BigInt(default=0)  # of the captured amount, paid out to the payee (finance.voucher_settlements)
    status = Varchar(length=12, default="held")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    settled_at = Timestamptz(null=True, default=None)


class VoucherEntry(Table, tablename="finance_voucher_entry"):
    """The voucher ledger: one row per movement, never changed. ``kind`` grant | hold | release | capture | expire
    | revoke | payout; ``amount_minor`` positive. Available = grant − hold + release − expire − revoke; held = hold −
    release − capture; captured = capture; paid out (of the captured, to the payee) = payout."""

    id = Serial(primary_key=True)
    entitlement = ForeignKey(VoucherEntitlement, null=False, index=True)
    kind = Varchar(length=10)
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    hold = Integer(null=True, default=None, index=True)
    reference = Varchar(length=120, default="")  # the hold's ref (claim, order, licence) or a reason code
    at = Timestamptz(default=TimestamptzNow())
    by_user = Integer(null=True, default=None)


class VoucherCap(Table, tablename="finance_voucher_entitlement_cap"):
    """A running total under a cap on entitlements: a programme's budget ("budget:P") and a firm's cap in a
    programme ("firm:P:O"). Approving an entitlement adds its amount with ``reserved + amount <= limit`` decided by
    the database."""

    id = Serial(primary_key=True)
    key = Varchar(length=120, unique=True)
    scope = Varchar(length=20)
    programme = Integer(null=True, default=None, index=True)
    org = Integer(null=True, default=None)
    limit_minor = BigInt(default=0)
    reserved_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    updated_at = Timestamptz(default=TimestamptzNow())
