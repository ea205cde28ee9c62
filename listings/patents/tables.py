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
from piccolo.columns.base import OnDelete
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
    # Pledge (质押): ``pledged`` and ``pledgee_consent`` are what the rules read. A pledge registered through the
    # platform (``service.mark_pledged``) also names its pledgee and CNIPA registration, and then both booleans are
    # derived: pledged while it stands, consent when the pledgee's consent to an open licence is recorded
    # (``PledgeeConsent``). Without a pledgee on record they are what the patentee stated (import, form).
    pledged = Boolean(default=False)
    pledgee_consent = Boolean(default=False)
    pledgee_org = ForeignKey(Organisation, null=True, default=None, index=True, on_delete=OnDelete.restrict)
    pledge_registration_number = Varchar(length=40, default="")
    pledge_registered_on = Date(null=True, default=None)
    suspension = Varchar(length=8, default="")  # Suspension: "", art103, art104
    # A pending infringement dispute the patentee records (insurance eligibility reads it): "" none, "pending"
    infringement_dispute = Varchar(length=12, default="")
    infringement_dispute_note = Text(default="")
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


class PledgeeConsent(Table, tablename="listings_pledgee_consent"):
    """The pledgee's recorded consent, under one registered pledge, to an open-licence declaration of the patent
    (scope ``open_licence``: Implementing Regulations Art 86(4)) or to licensing it (``licence``: Civil Code Art
    444). Kept after the pledge ends; it counts only for the pledge it names. One per (patent, pledge, scope)."""

    id = Serial(primary_key=True)
    patent = ForeignKey(Patent, null=False, index=True)
    pledgee_org = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    registration_number = Varchar(length=40, default="")
    scope = Varchar(length=16)  # open_licence, licence
    consent_key = Varchar(length=80, unique=True)  # "<patent>:<registration number>:<scope>"
    recorded_by = Integer(null=True, default=None)  # the pledgee's user who recorded it
    recorded_at = Timestamptz(default=TimestamptzNow())
