from __future__ import annotations

from piccolo.columns import JSON, BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.licences.tables import Licence


class LicencePayment(Table, tablename="finance_payment"):
    """One payment asked of a licensee: the amount due on a licence, or a royalty invoice."""

    id = Serial(primary_key=True)
    licence = ForeignKey(Licence, null=False, index=True)
    purpose = Varchar(length=12)  # initial, royalty
    royalty_report = Integer(null=True, default=None)
    method = Varchar(length=16)  # card, alipay, wechat_pay, bank_transfer
    provider = Varchar(length=16)  # stripe, bank_transfer
    provider_id = Varchar(length=64, default="", index=True)  # the PaymentIntent id, or the bank reference
    reference = Varchar(length=20, default="")  # bank transfer reference to quote
    amount_minor = BigInt()
    currency = Varchar(length=3, default="CNY")
    platform_fee_minor = BigInt(default=0)
    # awaiting_payer, processing (open); succeeded, canceled, refund_due (money received for something no longer
    # due: to be given back), refunded. Each change is a conditional update on (status, version).
    status = Varchar(length=16, default="awaiting_payer")
    version = Integer(default=0)
    idempotency_key = Varchar(length=80, unique=True)
    confirmed_by = Integer(null=True, default=None)  # who confirmed a bank transfer (the university or an admin)
    created_at = Timestamptz(default=TimestamptzNow())
    succeeded_at = Timestamptz(null=True, default=None)
    # Bank transfer: the payee account (finance.payees) in force when the transfer was asked for, as instructed.
    payee_account = Integer(null=True, default=None)
    confirmed_by_org = Integer(null=True, default=None)  # the organisation the confirmer acted for


class PaymentEvent(Table, tablename="finance_payment_event"):
    """A provider's webhook event, stored once by (provider, event id) and processed in a job."""

    id = Serial(primary_key=True)
    provider = Varchar(length=16)
    event_id = Varchar(length=100)
    type = Varchar(length=80)
    object_id = Varchar(length=100, default="")
    payload = JSON(default={})
    received_at = Timestamptz(default=TimestamptzNow())
    deliveries = Integer(default=1)
    processed_at = Timestamptz(null=True, default=None)
    result = Varchar(length=200, default="")


class BankStatementRun(Table, tablename="finance_bank_statement_run"):
    """A bank statement file uploaded by a platform admin, matched in a job: its progress, then its totals."""

    id = Serial(primary_key=True)
    uploaded_by = Integer(null=True, default=None)
    organisation = Integer(null=True, default=None)  # the platform admin's organisation
    filename = Varchar(length=255)
    stored_path = Text(default="")
    size_bytes = BigInt(default=0)
    status = Varchar(length=12, default="queued")  # queued, running, done, failed
    total_rows = Integer(default=0)
    processed_rows = Integer(default=0)
    confirmed = Integer(default=0)
    needs_review = Integer(default=0)
    error_code = Varchar(length=60, default="")  # why the file as a whole could not be read (bank_statement.*)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class BankStatementLine(Table, tablename="finance_bank_statement_line"):
    """The verdict on one row of a matched statement file. One per (run, row) (finance_0007)."""

    id = Serial(primary_key=True)
    run = ForeignKey(BankStatementRun, null=False, index=True)
    row = Integer()
    status = Varchar(length=20)  # matched, already_confirmed, amount_mismatch, unknown_reference, ... (MatchStatus)
    reference = Varchar(length=20, default="")
    payer = Varchar(length=200, default="")
    amount_minor = BigInt(null=True, default=None)
    currency = Varchar(length=3, default="")
    detail_code = Varchar(length=60)
    detail_params = JSON(default={})
    payment = Integer(null=True, default=None)
