from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class Patent(Table, tablename="listings_patent"):
    """One patent record of one organisation; (organisation, number) is unique (see the migration)."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    number = Varchar(length=40)  # normalised (listings.patents.numbers)
    number_type = Varchar(length=12)  # application, publication, foreign
    jurisdiction = Varchar(length=4, default="CN")
    application_number = Varchar(length=40, default="")
    kind = Varchar(length=16)  # PatentKind
    title_zh = Text(default="")
    title_en = Text(default="")
    abstract = Text(default="")
    claims = Text(default="")
    claims_count = Integer(null=True, default=None)
    ipc_codes = JSON(default=[])
    patentees = JSON(default=[])
    inventors = JSON(default=[])
    filing_date = Date(null=True, default=None)
    publication_date = Date(null=True, default=None)
    grant_date = Date(null=True, default=None)
    expiry_date = Date(null=True, default=None)
    legal_status = Varchar(length=16, default="unknown")  # LegalStatus
    annual_fees_paid_through = Date(null=True, default=None)
    other_fee_reduction_pct = Integer(default=0)  # e.g. 85 for the 减缴 of universities; best single one applies
    pledged = Boolean(default=False)
    pledgee_consent = Boolean(default=False)
    suspension = Varchar(length=8, default="")  # Suspension: "", art103, art104
    evaluation_report_ref = Varchar(length=100, default="")
    # Its open-licence declaration as ``listings.declarations`` last reported it (the live one, else the latest
    # withdrawn): the Art 51(3) check and the register's filter read it here, in this module's own table.
    declaration = Integer(null=True, default=None)
    declaration_status = Varchar(length=12, default="")  # draft, published, withdrawn; "" when never declared
    source = Varchar(length=200, default="")  # where the record came from (file and layout, or "api")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class RecordedLicence(Table, tablename="listings_recorded_licence"):
    """A licence on a patent: exclusive (独占), sole (排他), ordinary (普通) or granted under the open licence."""

    id = Serial(primary_key=True)
    patent = ForeignKey(Patent, null=False, index=True)
    kind = Varchar(length=12)  # exclusive, sole, ordinary, open
    licensee_name = Varchar(length=200)
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    reference = Varchar(length=64, default="")  # e.g. the platform licence it came from
    declaration_version = Integer(null=True, default=None)  # open licences: the version whose terms apply
    recorded_at = Timestamptz(default=TimestamptzNow())
