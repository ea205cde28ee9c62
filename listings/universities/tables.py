from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class UniversityProfile(Table, tablename="listings_university_profile"):
    """A university's settings. The inventor reward share is of net licensing income, in basis points (5000 = 50%,
    the default of the Law on Promoting the Transformation of S&T Achievements Art 45)."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, unique=True)
    inventor_reward_share_bp = Integer(default=5000)
    updated_at = Timestamptz(default=TimestamptzNow())


class PatenteeAlias(Table, tablename="listings_patentee_alias"):
    """Another name a university is recorded under as patentee (a former name, its formal or English name), with the
    evidence for it: a note and a document reference (a notice of the name change, a registration certificate).
    ``name_key`` is the organisation and the normalised name (``names.name_key``): one alias per name."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    name = Varchar(length=200)
    name_key = Varchar(length=240, unique=True)
    kind = Varchar(length=12, default="former")  # former, formal, english
    evidence_note = Text(default="")
    evidence_ref = Varchar(length=300, default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
