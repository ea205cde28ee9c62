from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.desk.tables import DeskCase
from finance.loan_products.tables import LoanProduct
from listings.patents.tables import Patent
from market.orgs.tables import Organisation


class PledgeApplication(Table, tablename="finance_pledge_application"):
    """An SME's application for a loan secured by a pledge of its patents, on one version of a bank's product. Its
    state and version live on its desk case (``finance_desk_case``: kind "pledge_loan", subject = this id)."""

    id = Serial(primary_key=True)
    case = ForeignKey(DeskCase, null=True, default=None, unique=True)  # its desk case
    applicant = ForeignKey(Organisation, null=False, index=True)
    bank = ForeignKey(Organisation, null=False, index=True)
    product = ForeignKey(LoanProduct, null=False, index=True)
    product_version = Integer(default=1)
    amount_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    term_months = Integer(default=12)
    purpose = Text(default="")
    pure_ip = Boolean(default=True)  # a pure-IP pledge (no other collateral): risk pools may cover only these
    valuation_method = Varchar(length=10, default="internal")  # external | internal | agreed
    valuation_minor = BigInt(default=0)
    valuation = JSON(default="{}")  # the inputs and lines of the relief-from-royalty valuation, per patent
    acknowledged = JSON(default="[]")  # reason codes the SME accepted with a recorded acknowledgement
    precheck = JSON(default="[]")  # the reasons as shown at submission (codes, sources, severities, params)
    offer_amount_minor = BigInt(null=True, default=None)
    offer_rate_bp = Integer(null=True, default=None)
    offer_term_months = Integer(null=True, default=None)
    offer_expires_on = Date(null=True, default=None)
    created_by = Integer(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    accepted_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PledgePatent(Table, tablename="finance_pledge_patent"):
    """A patent pledged by an application (one row per patent; unique per application, see finance_0014)."""

    id = Serial(primary_key=True)
    application = ForeignKey(PledgeApplication, null=False, index=True)
    patent = ForeignKey(Patent, null=False, index=True)
    value_minor = BigInt(default=0)  # its share of the valuation
