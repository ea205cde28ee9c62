from __future__ import annotations

from piccolo.columns import JSON, BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.desk.tables import DeskCase
from listings.patents.tables import Patent
from market.orgs.tables import Organisation


class InsuranceApplication(Table, tablename="finance_insurance_application"):
    """An SME's application for IP insurance on one version of an insurer's product (``product_version``: the id of
    a ``finance_insurance_product_version`` row). Its state and version live on its desk case (kind "insurance",
    subject = this id). The answers are written once, with the questionnaire as it was and the Art 16
    acknowledgement; the quote is frozen at that moment."""

    id = Serial(primary_key=True)
    case = ForeignKey(DeskCase, null=True, default=None, unique=True)
    applicant = ForeignKey(Organisation, null=False, index=True)
    insurer = ForeignKey(Organisation, null=False, index=True)
    product = Integer(default=0)  # the insurer's product (finance_insurance_product id)
    product_version = Integer(default=0, index=True)  # finance_insurance_product_version id
    kind = Varchar(length=30, default="")  # the product's insurance kind
    firm_tier = Varchar(length=20, default="sme")
    currency = Varchar(length=3, default="CNY")
    eligibility = JSON(default="[]")  # the reasons per patent as shown at creation (codes, sources, params)
    questionnaire_version = Integer(null=True, default=None)
    questionnaire = JSON(default="{}")  # the questions as they were when answered (frozen with the answers)
    answers = JSON(default="{}")
    answered_at = Timestamptz(null=True, default=None)
    disclosure_ack_at = Timestamptz(null=True, default=None)  # Insurance Law Art 16 acknowledged: when
    disclosure_ack_by = Integer(null=True, default=None)  # and by whom (user id)
    quote = JSON(default="{}")  # frozen at answering: premium, limits, deductible, lines, table, valid_until
    premium_minor = BigInt(null=True, default=None)
    aggregate_limit_minor = BigInt(null=True, default=None)
    quote_valid_until = Date(null=True, default=None)
    conditions = JSON(default="[]")  # accepted with conditions: the conditions' texts
    pledge_application = Integer(null=True, default=None)  # a pledge_guarantee cover: the pledge application
    policy = Integer(null=True, default=None)  # once bound (finance.policies)
    created_by = Integer(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    bound_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class InsuranceApplicationPatent(Table, tablename="finance_insurance_application_patent"):
    """A patent an application asks cover for; one per (application, patent): ``natural_key``."""

    id = Serial(primary_key=True)
    application = ForeignKey(InsuranceApplication, null=False, index=True)
    patent = ForeignKey(Patent, null=False, index=True)
    natural_key = Varchar(length=80, unique=True)  # "<application>:<patent>"
    role = Varchar(length=12, default="patentee")  # patentee | licensee
    licence = Integer(null=True, default=None)  # a licensee's: the platform licence (finance.licences)


class InsuranceConsent(Table, tablename="finance_insurance_consent"):
    """A licensee's request to the patentee for consent to insure the licensed patent, and the patentee's answer:
    one per licence (``licence`` unique): requested → granted | refused (a refused one may be asked again)."""

    id = Serial(primary_key=True)
    licence = Integer(unique=True)  # the platform licence (finance_licence id)
    patent = ForeignKey(Patent, null=False, index=True)
    licensee = ForeignKey(Organisation, null=False, index=True)
    patentee = ForeignKey(Organisation, null=False, index=True)
    state = Varchar(length=12, default="requested")  # requested | granted | refused
    version = Integer(default=1)
    note = Text(default="")
    requested_by = Integer(null=True, default=None)
    requested_at = Timestamptz(default=TimestamptzNow())
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
