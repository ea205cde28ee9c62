from __future__ import annotations

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.licences.tables import Licence
from finance.payments.tables import LicencePayment
from market.orgs.tables import Organisation


class LedgerEntry(Table, tablename="finance_ledger_entry"):
    """Money a university received: one entry per succeeded payment, made when it succeeds and never changed.

    The platform fee (basis points and amount) and the inventor reward share (basis points and amount) are the ones
    in force when the entry is made, so a later change of either setting never changes a past month."""

    id = Serial(primary_key=True)
    payment = ForeignKey(LicencePayment, null=False, unique=True)
    licence = ForeignKey(Licence, null=False, index=True)
    university = ForeignKey(Organisation, null=False, index=True)
    month = Varchar(length=7, index=True)  # YYYY-MM of received_at (UTC)
    received_at = Timestamptz()
    kind = Varchar(length=12)  # lump_sum, entry_fee, royalty
    licence_number = Varchar(length=32)
    licensee_name = Varchar(length=200)
    patent_number = Varchar(length=40)
    currency = Varchar(length=3, default="CNY")
    gross_minor = BigInt()
    platform_fee_bp = Integer()
    platform_fee_minor = BigInt()
    net_minor = BigInt()
    inventor_reward_bp = Integer()
    inventor_reward_minor = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())


class Statement(Table, tablename="finance_statement"):
    """A university's monthly statement once the month is closed: its totals, the rates used, and the PDF issued
    (stored once, its SHA-256 also in the audit trail). One per (university, month, currency)."""

    id = Serial(primary_key=True)
    number = Varchar(length=40, unique=True)  # ST-2026-10-0007
    university = ForeignKey(Organisation, null=False, index=True)
    month = Varchar(length=7)
    currency = Varchar(length=3, default="CNY")
    gross_minor = BigInt()
    platform_fee_minor = BigInt()
    net_minor = BigInt()
    inventor_reward_minor = BigInt()
    platform_fee_bp = Integer()  # the rate of the month's entries (the most frequent, should it have changed)
    inventor_reward_bp = Integer()
    template = Varchar(length=60)
    template_version = Varchar(length=20)
    sha256 = Varchar(length=64)
    path = Text()
    pages = Integer(default=0)
    issued_on = Date()
    issued_at = Timestamptz(default=TimestamptzNow())


class StatementRow(Table, tablename="finance_statement_row"):
    """One line of an issued statement: a copy of its ledger entry as issued."""

    id = Serial(primary_key=True)
    statement = ForeignKey(Statement, null=False, index=True)
    position = Integer()
    entry = ForeignKey(LedgerEntry, null=False, unique=True)
    licence = Integer()
    licence_number = Varchar(length=32)
    licensee_name = Varchar(length=200)
    patent_number = Varchar(length=40)
    kind = Varchar(length=12)
    received_on = Date()
    gross_minor = BigInt()
    platform_fee_bp = Integer()
    platform_fee_minor = BigInt()
    net_minor = BigInt()
    inventor_reward_bp = Integer()
    inventor_reward_minor = BigInt()


class VoucherIncomeEntry(Table, tablename="finance_ledger_voucher_entry"):
    """Voucher income a university received: the issuer's payout of a voucher claim's part (``finance.
    voucher_settlements``), one entry per payout, made when the payout is recorded and never changed. No platform
    fee: the issuer pays the university directly. The inventor reward share in force then applies to it as to
    other licensing income."""

    id = Serial(primary_key=True)
    payout = Integer(unique=True)  # finance_voucher_payout.id
    university = ForeignKey(Organisation, null=False, index=True)
    month = Varchar(length=7, index=True)  # YYYY-MM of received_on
    received_on = Date()
    claim_reference = Varchar(length=40, default="")
    batch_number = Varchar(length=40, default="")
    licence = Integer(null=True, default=None)
    licence_number = Varchar(length=32, default="")
    licensee_name = Varchar(length=200, default="")
    programme_name = Varchar(length=200, default="")
    currency = Varchar(length=3, default="CNY")
    gross_minor = BigInt()
    inventor_reward_bp = Integer()
    inventor_reward_minor = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())
