from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz
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
