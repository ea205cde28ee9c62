from __future__ import annotations

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.desk.tables import DeskCase
from market.orgs.tables import Organisation


class VoucherBatch(Table, tablename="finance_voucher_batch"):
    """A settlement batch: a programme's captured, unsettled claims up to the end of a settlement cycle
    (``up_to``), paid by the issuer in one bank payment file. Its state and version live on its desk case (kind
    "voucher_batch"): a maker proposes the batch with its file, a different member approves, the issuer records it
    paid or reconciles the bank's return. One batch per (programme, cycle end) (``natural_key``). The file is
    written once at the proposal: its SHA-256, name and where it is stored."""

    id = Serial(primary_key=True)
    case = ForeignKey(DeskCase, null=True, default=None, unique=True)
    programme = Integer(index=True)  # finance_voucher_programme.id (finance.voucher_programmes)
    issuer = ForeignKey(Organisation, null=False, index=True)
    natural_key = Varchar(length=80, unique=True)  # "programme:up_to"
    period_key = Varchar(length=20, default="")  # the cycle, e.g. "2027H1"
    up_to = Date()
    currency = Varchar(length=3, default="CNY")
    file_name = Varchar(length=120, default="")
    file_sha256 = Varchar(length=64, default="")
    file_path = Text(default="")
    file_lines = Integer(default=0)
    return_sha256 = Varchar(length=64, default="")  # the bank's return file, when one was uploaded
    paid_on = Date(null=True, default=None)
    bank_reference = Varchar(length=60, default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    proposed_at = Timestamptz(null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    paid_at = Timestamptz(null=True, default=None)


class VoucherBatchLine(Table, tablename="finance_voucher_batch_line"):
    """One captured claim in a batch, with its payee and the payee's account as read when the batch was made or
    proposed. ``status``: ``payable`` (in the bank file), ``exception`` (not paid: no payee account in force),
    ``paid``, ``failed`` (the bank returned it), ``carried`` (an exception or a failure released to the next batch).
    ``open_claim`` holds the claim's id while the line is live (payable, exception, paid) and is NULL once carried:
    unique, so the database keeps a claim in at most one live line; the next batch's line names the line it was
    carried from."""

    id = Serial(primary_key=True)
    batch = ForeignKey(VoucherBatch, null=False, index=True)
    line_no = Integer(default=0)
    natural_key = Varchar(length=40, unique=True)  # "batch:claim"
    claim = Integer(index=True)  # finance_voucher_claim.id (finance.voucher_redemptions)
    open_claim = Integer(null=True, default=None, unique=True)
    claim_reference = Varchar(length=40, default="")
    payee = ForeignKey(Organisation, null=False, index=True)
    provider = Integer(null=True, default=None, index=True)
    sme = Integer(null=True, default=None)
    category = Varchar(length=40, default="")
    region = Varchar(length=12, default="")
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    claimed_at = Timestamptz(null=True, default=None)  # when the claim was filed (time from claim to payment)
    captured_at = Timestamptz(null=True, default=None)
    account = Integer(null=True, default=None)  # finance_payee_account.id as read
    account_name = Varchar(length=200, default="")
    bank_name = Varchar(length=100, default="")
    account_number = Varchar(length=32, default="")
    status = Varchar(length=12, default="payable")
    exception_code = Varchar(length=80, default="")
    carried_from = Integer(null=True, default=None)  # the earlier batch's line
    paid_on = Date(null=True, default=None)
    bank_reference = Varchar(length=60, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class VoucherPayout(Table, tablename="finance_voucher_payout"):
    """A payout entry: the issuer paid the voucher part of one claim to its payee (once per claim, a unique key).
    What a batch paid, a payee received or a programme spent is summed from these entries. The report's groups
    (category, region, provider) and the days from claim to payment are copied here when it is written, so the
    issuer's report reads one table by its programme index."""

    id = Serial(primary_key=True)
    claim = Integer(unique=True)
    line = ForeignKey(VoucherBatchLine, null=False, unique=True)
    batch = ForeignKey(VoucherBatch, null=False, index=True)
    programme = Integer(index=True)
    payee = ForeignKey(Organisation, null=False, index=True)
    provider = Integer(null=True, default=None)
    category = Varchar(length=40, default="")
    region = Varchar(length=12, default="")
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    paid_on = Date()
    days_to_pay = Integer(default=0)  # from the claim's filing (China's calendar day) to paid_on
    reference = Varchar(length=60, default="")
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())


class VoucherStatement(Table, tablename="finance_voucher_statement"):
    """A payee's statement of one paid batch: the PDF rendered once, stored, its SHA-256 kept (and audited)."""

    id = Serial(primary_key=True)
    batch = ForeignKey(VoucherBatch, null=False, index=True)
    payee = ForeignKey(Organisation, null=False, index=True)
    natural_key = Varchar(length=40, unique=True)  # "batch:payee"
    paid_minor = BigInt(default=0)
    unpaid_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    sha256 = Varchar(length=64)
    path = Text()
    pages = Integer(default=0)
    template = Varchar(length=60)
    template_version = Varchar(length=20)
    issued_at = Timestamptz(default=TimestamptzNow())
