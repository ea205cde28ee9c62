from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class Organisation(Table, tablename="market_organisation"):
    id = Serial(primary_key=True)
    name = Varchar(length=200)
    kind = Varchar(length=20, index=True)  # OrgKind
    region = Varchar(length=20, default="")  # administrative division code, e.g. 110000 (Beijing)
    created_at = Timestamptz(default=TimestamptzNow())


class Membership(Table, tablename="market_membership"):
    id = Serial(primary_key=True)
    # (user, organisation) is unique: see the migration's unique index.
    user: ForeignKey[Table] = ForeignKey(LazyTableReference("User", module_path="market.accounts.tables"), null=False)
    organisation = ForeignKey(Organisation, null=False)
    role = Varchar(length=10)  # Role
    created_at = Timestamptz(default=TimestamptzNow())


class Invitation(Table, tablename="market_invitation"):
    """An owner's invitation of an e-mail address into the organisation with a role. ``state``: pending, then
    accepted, revoked or expired (InvitationState). One pending invitation per (organisation, e-mail): see the
    migration's partial unique index. Only the SHA-256 of the invitation's token is stored."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False)
    email = Varchar(length=254)
    role = Varchar(length=10)  # Role
    state = Varchar(length=10, default="pending")
    token_hash = Varchar(length=64, unique=True, index=True)
    invited_by: ForeignKey[Table] = ForeignKey(
        LazyTableReference("User", module_path="market.accounts.tables"), null=False
    )
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    accepted_by: ForeignKey[Table] = ForeignKey(
        LazyTableReference("User", module_path="market.accounts.tables"), null=True, default=None
    )
