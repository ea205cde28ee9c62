"""Accounts and organisations services, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from market import jobs
from market.accounts import service as accounts
from market.accounts.schemas import SignUpIn, TokenIn
from market.accounts.tables import ApiToken, User
from market.audit.tables import AuditEvent
from market.errors import Conflict, Forbidden, InvalidCredentials, NotFound
from market.i18n import gettext
from market.notifications.tables import Notification
from market.orgs import service as orgs
from market.orgs.schemas import InvitationIn, OrgKind, Role
from market.orgs.tables import Membership, Organisation
from tests.conftest import PASSWORD, make_account
from tests.support.mail import record_mail

KEY = "test-signing-key"


def sign_up_data(email: str = "Alice@Example.cn", kind: OrgKind = OrgKind.sme) -> SignUpIn:
    return SignUpIn(
        email=email,
        password="long enough pw",
        display_name="Alice",
        org_name="Acme 有限公司",
        org_kind=kind,
        credit_code="91350100M000100Y43",
    )


async def test_sign_up_creates_user_org_owner_audit_and_welcome_job(backend, job_queue) -> None:
    async with jobs.unit_of_work():
        principal = await accounts.sign_up(data=sign_up_data())
    assert principal.email == "alice@example.cn"
    assert principal.org_kind is OrgKind.sme
    assert principal.role is Role.owner
    assert await User.count() == 1
    assert await Organisation.count() == 1
    assert await Membership.count() == 1
    actions = [r["action"] for r in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.seq)]
    assert actions == ["accounts.user_created", "orgs.org_created"]
    await job_queue.drain()
    notes = await Notification.select().where(Notification.user == principal.user_id)
    assert sorted(n["kind"] for n in notes) == ["verify_email", "welcome"]


async def test_duplicate_email_writes_nothing_and_tells_the_owner_by_a_job(backend, job_queue) -> None:
    await make_account(email="dup@example.cn")
    mail = record_mail()
    before = (await User.count(), await Organisation.count(), await AuditEvent.count())
    async with jobs.unit_of_work():
        assert await accounts.sign_up(data=sign_up_data(email="DUP@example.cn")) is None
    assert (await User.count(), await Organisation.count(), await AuditEvent.count()) == before
    await job_queue.drain()
    [(to, subject, text)] = mail.sent
    assert to == "dup@example.cn" and subject == gettext("zh", "mail.sign_up_attempt.subject")
    assert "/sign-in" in text


async def test_platform_admin_cannot_be_chosen_at_sign_up() -> None:
    with pytest.raises(ValueError, match="operator"):
        sign_up_data(kind=OrgKind.platform_admin)


async def test_authenticate_checks_the_argon2_hash(backend) -> None:
    account = await make_account()
    stored = await User.select(User.password_hash).where(User.id == account.user_id).first()
    assert stored["password_hash"].startswith("$argon2id$")
    principal = await accounts.authenticate(email=account.email.upper(), password=PASSWORD)
    assert principal.user_id == account.user_id
    with pytest.raises(InvalidCredentials):
        await accounts.authenticate(email=account.email, password="wrong password")
    with pytest.raises(InvalidCredentials):
        await accounts.authenticate(email="nobody@example.cn", password=PASSWORD)


async def test_tokens_are_stored_hashed_and_revocation_is_owner_only(backend) -> None:
    alice = await make_account()
    bob = await make_account()
    p_alice = await accounts.principal_for(user_id=alice.user_id, org_id=None)
    p_bob = await accounts.principal_for(user_id=bob.user_id, org_id=None)
    async with jobs.unit_of_work():
        created = await accounts.create_token(principal=p_alice, data=TokenIn(name="bank system"))
    row = await ApiToken.select().where(ApiToken.id == created.id).first()
    assert created.token not in str(row)  # only the hash is kept
    via_token = await accounts.principal_for_token(created.token)
    assert via_token is not None and via_token.via == "token" and via_token.org_id == alice.org_id
    with pytest.raises(NotFound):
        await accounts.revoke_token(principal=p_bob, token_id=created.id)
    assert await accounts.principal_for_token(created.token) is not None
    async with jobs.unit_of_work():
        revoked = await accounts.revoke_token(principal=p_alice, token_id=created.id)
    assert revoked.revoked_at is not None
    assert await accounts.principal_for_token(created.token) is None
    assert await accounts.principal_for_token("mkt_unknown") is None


async def test_members_are_managed_by_owners_of_that_org_only(backend) -> None:
    owner = await make_account(OrgKind.university.value)
    newcomer = await make_account(OrgKind.sme.value)
    outsider = await make_account(OrgKind.university.value)
    p_owner = await accounts.principal_for(user_id=owner.user_id, org_id=None)
    p_outsider = await accounts.principal_for(user_id=outsider.user_id, org_id=None)
    p_newcomer = await accounts.principal_for(user_id=newcomer.user_id, org_id=None)
    with pytest.raises(NotFound):
        await orgs.list_members(principal=p_outsider, org_id=owner.org_id)
    async with jobs.unit_of_work():
        invited = await orgs.invite(
            principal=p_owner, org_id=owner.org_id, data=InvitationIn(email=newcomer.email), key=KEY
        )
    # invited is not a member: only accepting makes one
    assert await accounts.principal_for(user_id=newcomer.user_id, org_id=owner.org_id) is None
    async with jobs.unit_of_work():
        await orgs.accept_mine(principal=p_newcomer, invitation_id=invited.id)
    p_member = await accounts.principal_for(user_id=newcomer.user_id, org_id=owner.org_id)
    assert p_member is not None and p_member.org_id == owner.org_id and p_member.role is Role.member
    with pytest.raises(Forbidden):
        await orgs.invite(principal=p_member, org_id=owner.org_id, data=InvitationIn(email=outsider.email), key=KEY)
    with pytest.raises(Forbidden):
        await orgs.remove_member(principal=p_member, org_id=owner.org_id, user_id=owner.user_id)
    with pytest.raises(Conflict):
        await orgs.invite(principal=p_owner, org_id=owner.org_id, data=InvitationIn(email=newcomer.email), key=KEY)
    with pytest.raises(Conflict, match=r"org\.last_owner"):
        await orgs.remove_member(principal=p_owner, org_id=owner.org_id, user_id=owner.user_id)
    with pytest.raises(Conflict, match=r"org\.last_owner"):
        await orgs.change_role(principal=p_owner, org_id=owner.org_id, user_id=owner.user_id, role=Role.member)
    async with jobs.unit_of_work():
        await orgs.remove_member(principal=p_owner, org_id=owner.org_id, user_id=newcomer.user_id)
    assert await accounts.principal_for(user_id=newcomer.user_id, org_id=owner.org_id) is None
