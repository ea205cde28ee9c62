"""The market repositories return frozen records of their declared types, on SQLite and PostgreSQL."""

from __future__ import annotations

from market import jobs
from market.accounts import repository as accounts_repo
from market.accounts import service as accounts
from market.accounts.schemas import TokenIn
from market.audit import repository as audit_repo
from market.notifications import repository as notifications_repo
from market.notifications.service import notify
from market.orgs import repository as orgs_repo
from tests.conftest import Backend, make_account
from tests.support.typed_records import assert_typed


async def test_market_repositories_return_typed_frozen_records(backend: Backend) -> None:
    account = await make_account("university")
    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    async with jobs.unit_of_work():
        token = await accounts.create_token(principal=principal, data=TokenIn(name="erp"))
        await accounts.revoke_token(principal=principal, token_id=token.id)
        await notify(user_id=account.user_id, kind="test", title="t", body="b", dedupe_key="records:1")

    user = await accounts_repo.user_by_id(account.user_id)
    assert user is not None and user == await accounts_repo.user_by_email(account.email)
    stored_token = await accounts_repo.token_by_id(token.id)
    assert stored_token is not None and stored_token.revoked_at is not None
    org = await orgs_repo.get_org(account.org_id)
    assert org is not None and org == await orgs_repo.org_by_name(account.org_name)
    membership = await orgs_repo.get_membership(user_id=account.user_id, org_id=account.org_id)
    [mine] = await orgs_repo.memberships_of_user(account.user_id)
    [member] = await orgs_repo.members_of_org(account.org_id)
    [owned] = await orgs_repo.orgs_with_owner("university")
    [note] = await notifications_repo.for_user(account.user_id, limit=10)
    events = await audit_repo.for_org(account.org_id, limit=10, offset=0)
    head = await audit_repo.last()
    assert membership is not None and head is not None
    assert (mine.org_id, member.user_id, owned.owner_id, note.user) == (
        account.org_id,
        account.user_id,
        account.user_id,
        account.user_id,
    )
    revoked = next(e for e in events if e.action == "accounts.token_revoked")
    assert revoked.before == {"revoked_at": None}  # JSON loaded, not its text
    assert head.seq == max(e.seq for e in events)
    for record in (user, stored_token, org, membership, mine, member, owned, note, head, *events):
        assert_typed(record)
    assert [e.seq async for e in audit_repo.iterate()] == sorted(e.seq for e in events)
