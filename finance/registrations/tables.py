from __future__ import annotations

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from listings.patents.tables import Patent
from market.orgs.tables import Organisation


class PledgeRegistration(Table, tablename="finance_pledge_registration"):
    """One accepted pledge loan's CNIPA registration: the parties, the secured debt, and where the registration
    stands (``finance.registrations.machine``); ``version`` guards every move (conditional update)."""

    id = Serial(primary_key=True)
    application = Integer(unique=True)  # the pledge application (finance.pledges) it was accepted from
    reference = Varchar(length=30, unique=True)  # PR-2026-000012
    pledgor = ForeignKey(Organisation, null=False, index=True)  # the SME (出质人)
    pledgee = ForeignKey(Organisation, null=False, index=True)  # the bank (质权人)
    state = Varchar(length=30, default="awaiting_signatures")
    version = Integer(default=1)
    amount_minor = BigInt(default=0)  # the secured principal
    currency = Varchar(length=3, default="CNY")
    rate_bp = Integer(null=True, default=None)
    term_months = Integer(default=12)
    debt_starts_on = Date(null=True, default=None)
    debt_ends_on = Date(null=True, default=None)
    pure_ip = Boolean(default=True)  # pure IP pledge (no other security): some risk pools pay only these
    filed_on = Date(null=True, default=None)
    due_on = Date(null=True, default=None)  # CNIPA's 7 working days from filing, moved on by pauses
    paused_since = Date(null=True, default=None)
    paused_working_days = Integer(default=0)
    registration_number = Varchar(length=40, default="")
    registered_on = Date(null=True, default=None)
    refusal_ground = Varchar(length=30, default="")  # pledge.ground.01 ... 12
    cnipa_note = Text(default="")
    release_filed_on = Date(null=True, default=None)
    released_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PledgeRegistrationPatent(Table, tablename="finance_pledge_registration_patent"):
    """A patent the pledge covers (unique per registration)."""

    id = Serial(primary_key=True)
    registration = ForeignKey(PledgeRegistration, null=False, index=True)
    patent = ForeignKey(Patent, null=False, index=True)
    natural_key = Varchar(length=80, unique=True)  # "registration:patent"


class PledgeDocument(Table, tablename="finance_pledge_document"):
    """A rendered and sealed document of a registration (the pledge contract, the joint application form): its
    template version and SHA-256 (what each party signs); one of each kind per registration."""

    id = Serial(primary_key=True)
    registration = ForeignKey(PledgeRegistration, null=False, index=True)
    kind = Varchar(length=30)  # pledge_contract, pledge_registration_form
    natural_key = Varchar(length=80, unique=True)  # "registration:kind"
    template = Varchar(length=60)
    template_version = Varchar(length=20)
    sha256 = Varchar(length=64)
    path = Text()
    pages = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
