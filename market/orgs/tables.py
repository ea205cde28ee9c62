from __future__ import annotations

from piccolo.columns import JSON, Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class Organisation(Table, tablename="market_organisation"):
    id = Serial(primary_key=True)
    name = Varchar(length=200)
    kind = Varchar(length=20, index=True)  # OrgKind
    region = Varchar(length=20, default="")  # administrative division code, e.g. 110000 (Beijing)
    created_at = Timestamptz(default=TimestamptzNow())
    # The name as compared for duplicates (trimmed, full-width made half-width, case folded): one organisation each.
    name_key = Varchar(length=200, unique=True)
    credit_code = Varchar(length=18, null=True, default=None, unique=True)  # GB 32100-2015; operators' orgs: none
    address = Varchar(length=300, default="")
    status = Varchar(length=12, default="pending", index=True)  # OrgStatus
    version = Integer(default=1)  # bumped by every status change (conditional update on status and version)


class OrgDecision(Table, tablename="market_org_decision"):
    """A platform administrator's decision on an organisation: immutable, with its coded reason, the note and a
    snapshot of what was reviewed (documents with their hashes, the credit code, the e-mail check)."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    action = Varchar(length=12)  # approve, reject, suspend, reinstate
    from_status = Varchar(length=12)
    to_status = Varchar(length=12)
    reason_code = Varchar(length=60)
    note = Text(default="")
    snapshot = JSON(default={})
    decided_by = Integer()  # the administrator's user id
    decided_at = Timestamptz(default=TimestamptzNow())


class OrgDocument(Table, tablename="market_org_document"):
    """Evidence an organisation uploads for its approval: a scan of its business licence or legal-person
    certificate (PDF, PNG or JPEG, checked by content)."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    kind = Varchar(length=30)  # DocumentKind
    filename = Varchar(length=200)
    content_type = Varchar(length=40)
    size = Integer()
    sha256 = Varchar(length=64)
    content = Bytea()
    uploaded_by = Integer()
    uploaded_at = Timestamptz(default=TimestamptzNow())


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
