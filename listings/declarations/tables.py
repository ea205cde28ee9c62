from __future__ import annotations

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from listings.patents.tables import Patent
from market.orgs.tables import Organisation


class Declaration(Table, tablename="listings_declaration"):
    """An open-licence declaration of one patent: draft, published or withdrawn. Its terms live in versions; a
    published version is never edited, a change publishes a new one (the history stays readable)."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    patent = ForeignKey(Patent, null=False, index=True)
    status = Varchar(length=12, default="draft")  # draft, published, withdrawn
    current_version = Integer(default=1)
    published_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawal_reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class DeclarationVersion(Table, tablename="listings_declaration_version"):
    id = Serial(primary_key=True)
    declaration = ForeignKey(Declaration, null=False, index=True)
    version = Integer()
    payment_mode = Varchar(length=20)  # PaymentMode
    currency = Varchar(length=3, default="CNY")
    lump_sum_minor = BigInt(null=True, default=None)
    entry_fee_minor = BigInt(null=True, default=None)
    royalty_rate_bp = Integer(null=True, default=None)  # basis points of the royalty base
    royalty_base = Varchar(length=10, default="net_sales")  # net_sales or profit (2024 CNIPA notice)
    term_years = Integer(null=True, default=None)  # None: until the patent expires
    other_matters = Text(default="")
    created_by = Integer(null=True, default=None)  # user id
    created_at = Timestamptz(default=TimestamptzNow())
    published_at = Timestamptz(null=True, default=None)
    superseded_at = Timestamptz(null=True, default=None)
    # CNIPA's announcement of this version (Patent Law Art 50: CNIPA announces the declaration); until it is
    # recorded the version is published on the platform only, to be filed with CNIPA.
    cnipa_number = Varchar(length=40, default="")  # 公告号
    cnipa_announced_on = Date(null=True, default=None)  # 公告日
    cnipa_recorded_at = Timestamptz(null=True, default=None)
    cnipa_reminded_at = Timestamptz(null=True, default=None)  # the last reminder to file it
