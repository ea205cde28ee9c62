from __future__ import annotations

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from listings.declarations.tables import Declaration
from listings.patents.tables import Patent
from market.orgs.tables import Organisation


class Licence(Table, tablename="finance_licence"):
    """A licence obtained under an open licence: the licensee accepted the announced terms of one version of the
    declaration (a snapshot kept here), and it is active once the amount due is paid (Patent Law Art 51)."""

    id = Serial(primary_key=True)
    number = Varchar(length=32, unique=True)  # OL-LC-2026-000123
    declaration = ForeignKey(Declaration, null=False, index=True)
    declaration_version = Integer()
    declaration_version_id = Integer()  # the version row, for comparables in pricing
    patent = ForeignKey(Patent, null=False, index=True)
    licensor = ForeignKey(Organisation, null=False, index=True)
    licensee = ForeignKey(Organisation, null=False, index=True)
    requested_by = Integer(null=True, default=None)
    status = Varchar(length=16, default="pending_payment")  # pending_payment, active, cancelled
    payment_mode = Varchar(length=20)
    currency = Varchar(length=3, default="CNY")
    lump_sum_minor = BigInt(null=True, default=None)
    entry_fee_minor = BigInt(null=True, default=None)
    royalty_rate_bp = Integer(null=True, default=None)
    royalty_base = Varchar(length=10, default="net_sales")  # net_sales or profit (2024 CNIPA notice)
    term_years = Integer(null=True, default=None)
    amount_due_minor = BigInt(default=0)
    licensee_name = Varchar(length=200)
    licensee_credit_code = Varchar(length=18, default="")
    licensee_address = Text(default="")
    starts_on = Date(null=True, default=None)
    ends_on = Date(null=True, default=None)
    first_report_due = Date(null=True, default=None)
    activated_at = Timestamptz(null=True, default=None)
    # The SHA-256 of its contract once ``finance.contracts`` has stored it ("" until then).
    contract_sha256 = Varchar(length=64, default="")
    cancelled_at = Timestamptz(null=True, default=None)
    # What a service voucher pays of the amount due (finance.voucher_redemptions holds it on the SME's entitlement);
    # the licensee pays the rest (finance_0024).
    voucher_cover_minor = BigInt(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
