from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class PartyFacts(Table, tablename="finance_party_facts"):
    """One version of an organisation's related-party facts, never changed once written except for
    ``superseded_at``/``live_key`` when the next version replaces it. ``natural_key`` ("org:version") is unique, and
    ``live_key`` ("org") is set on the version in force only: two owners saving at once give one version each or a
    409. The legal representative's ID number is kept as a keyed hash (HMAC-SHA256) and its last four characters
    only; phone and address are kept as typed and as compared (``*_key``)."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    version = Integer(default=1)
    natural_key = Varchar(length=40, unique=True)
    live_key = Varchar(length=20, null=True, default=None, unique=True)
    legal_rep_name = Varchar(length=100, default="")
    legal_rep_name_key = Varchar(length=100, default="", index=True)
    legal_rep_id_hash = Varchar(length=64, default="", index=True)
    legal_rep_id_last4 = Varchar(length=4, default="")
    phone = Varchar(length=40, default="")
    phone_key = Varchar(length=20, default="", index=True)
    address = Text(default="")  # a separately recorded address; the registered one is market.orgs'
    address_key = Text(default="")
    parent_credit_code = Varchar(length=18, default="", index=True)
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())
    superseded_at = Timestamptz(null=True, default=None)


class PartyShareholder(Table, tablename="finance_party_shareholder"):
    """A shareholder as recorded in one version of an organisation's facts: an organisation (by credit code) or a
    natural person (name, and a keyed hash of the ID number when given), with its share in basis points."""

    id = Serial(primary_key=True)
    facts = ForeignKey(PartyFacts, null=False, index=True)
    organisation = Integer(index=True)  # the facts' organisation, for the look-ups across organisations
    position = Integer(default=0)
    name = Varchar(length=200)
    name_key = Varchar(length=200, default="", index=True)
    credit_code = Varchar(length=18, default="", index=True)
    id_hash = Varchar(length=64, default="", index=True)
    id_last4 = Varchar(length=4, default="")
    share_bp = Integer(default=0)
