from __future__ import annotations

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.desk.tables import DeskCase
from finance.voucher_programmes.tables import VoucherProgramme
from market.orgs.tables import Organisation


class VoucherProvider(Table, tablename="finance_voucher_provider"):
    """An organisation's application to a programme's catalogue, and then its listing: one live row per
    (programme, organisation) (``natural_key``; a refused application frees the key so that the organisation may
    apply again, a delisted provider keeps it: the record stays). Its state and version live on its desk case
    (kind "voucher_provider"); the days that matter to "listed on a day" are kept here: when the public notice
    ends (listed from that day unless an objection is upheld or still open), when it was suspended or delisted."""

    id = Serial(primary_key=True)
    case = ForeignKey(DeskCase, null=True, default=None, unique=True)
    programme = ForeignKey(VoucherProgramme, null=False, index=True)
    programme_version = Integer(default=1)
    org = ForeignKey(Organisation, null=False, index=True)
    issuer = ForeignKey(Organisation, null=False, index=True)
    natural_key = Varchar(length=80, unique=True)  # "programme:org" (refused: "programme:org:refused:id")
    org_kind = Varchar(length=20, default="")  # service_provider, university
    statement = Text(default="")  # the service capability statement, in the applicant's words
    notice_days = Integer(default=7)
    notice_from = Date(null=True, default=None)
    notice_ends_on = Date(null=True, default=None)  # listed from this day
    listed_on = Date(null=True, default=None)
    suspended_on = Date(null=True, default=None)
    delisted_on = Date(null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class VoucherObjection(Table, tablename="finance_voucher_objection"):
    """An objection to a provider lodged during its public notice by anyone signed in: open until the issuer
    upholds it (the application is refused) or dismisses it (with its words)."""

    id = Serial(primary_key=True)
    provider = ForeignKey(VoucherProvider, null=False, index=True)
    lodged_by = Integer(null=True, default=None)
    lodged_by_org = Integer(null=True, default=None)
    text = Text(default="")
    status = Varchar(length=12, default="open")  # open, upheld, dismissed
    lodged_at = Timestamptz(default=TimestamptzNow())
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_text = Text(default="")


class VoucherService(Table, tablename="finance_voucher_service"):
    """A catalogued service of a listed provider in one of the programme's categories, with its price. Never
    edited: a change writes a new row (``supersedes`` the old, which becomes "superseded"), so an order keeps the
    service and price it read. A university's open licences are catalogued here automatically in ``tech_results``
    (``declaration`` set, price the licence's lump sum or entry fee)."""

    id = Serial(primary_key=True)
    provider = ForeignKey(VoucherProvider, null=False, index=True)
    programme = Integer(index=True)
    org = Integer(index=True)
    category = Varchar(length=30)
    title_zh = Varchar(length=200)
    title_en = Varchar(length=200, default="")
    description_zh = Text(default="")
    description_en = Text(default="")
    unit = Varchar(length=40, default="")
    price_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    status = Varchar(length=12, default="active")  # active, superseded, withdrawn
    supersedes = Integer(null=True, default=None)
    declaration = Integer(null=True, default=None, index=True)  # listings_declaration.id (open licences)
    declaration_version = Integer(null=True, default=None)
    natural_key = Varchar(length=80, null=True, default=None, unique=True)  # "licence:provider:declaration:version"
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
