"""Members and tokens (issue 11, part 2): invitations the invitee accepts, the last owner, token scopes, changes
to members and tokens only from an owner's browser session, enumeration-safe answers, the password policy, and no
session stored for an anonymous visitor."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from market import jobs
from market.accounts import service as accounts
from market.accounts.schemas import SignUpIn
from market.accounts.tables import ApiToken, User
from market.errors import ValidationFailed
from market.orgs.tables import Invitation, Membership
from market.settings import Settings
from tests.conftest import PASSWORD, Backend, Client, make_account, sign_in
from tests.support.mail import RecordingMailer, record_mail

LINK = re.compile(r"/invitations/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")


def problem(r: Any, status: int, type_suffix: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["type"].endswith("/" + type_suffix), body
    return body


async def owners_of(org_id: int) -> set[int]:
    rows = await Membership.select(Membership.user).where(
        (Membership.organisation == org_id) & (Membership.role == "owner")
    )
    return {r["user"] for r in rows}


async def invite(client: Client, org_id: int, email: str, role: str = "member") -> Any:
    return await client.send_json("POST", f"/api/orgs/{org_id}/invitations", {"email": email, "role": role})


async def mailed_token(client: Client, mail: RecordingMailer, to: str) -> str:
    await client.app.state.job_queue.drain()
    links = [LINK.search(text) for rcpt, _, text in mail.sent if rcpt == to]
    assert links and links[-1], mail.sent
    return links[-1].group(1)


async def make_token(client: Client, scopes: list[str]) -> str:
    r = await client.send_json("POST", "/api/tokens", {"name": "erp", "scopes": scopes})
    assert r.status_code == 201, r.text
    assert r.json()["scopes"] == sorted({*scopes, "read"})
    return str(r.json()["token"])


# ------------------------------------------------------------------------------------------------ invitations


async def test_an_invited_account_joins_only_by_accepting(client: Client, app: Any) -> None:
    mail = record_mail()
    owner = await make_account("university")
    invitee = await make_account("sme")
    await sign_in(client, owner)
    r = await invite(client, owner.org_id, invitee.email.upper())
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "pending" and r.json()["email"] == invitee.email
    assert await Membership.count().where(Membership.organisation == owner.org_id) == 1
    token = await mailed_token(client, mail, invitee.email)
    stored = await Invitation.select(Invitation.token_hash).first()
    assert token not in str(stored) and len(stored["token_hash"]) == 64  # only the hash is kept
    listed = (await client.get(f"/api/orgs/{owner.org_id}/invitations")).json()
    assert [i["email"] for i in listed] == [invitee.email]

    async with Client(app) as other:
        await sign_in(other, invitee)
        seen = await other.send_json("POST", "/api/invitations/view", {"token": token})
        assert seen.status_code == 200 and seen.json()["org_name"] == owner.org_name
        accepted = await other.send_json("POST", "/api/invitations/accept", {"token": token})
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["id"] == owner.org_id
        again = await other.send_json("POST", "/api/invitations/accept", {"token": token})
        problem(again, 409, "conflict")  # single use
        me = await other.send_json("POST", "/api/auth/switch-org", {"org_id": owner.org_id})
        assert me.json()["role"] == "member"
    assert (await client.get(f"/api/orgs/{owner.org_id}/invitations")).json() == []


async def test_an_invitee_without_an_account_signs_up_with_the_link(client: Client, app: Any) -> None:
    mail = record_mail()
    owner = await make_account("university")
    await sign_in(client, owner)
    assert (await invite(client, owner.org_id, "new.colleague@example.cn", role="owner")).status_code == 201
    token = await mailed_token(client, mail, "new.colleague@example.cn")
    async with Client(app) as newcomer:
        weak = await newcomer.send_json(
            "POST", "/api/auth/sign-up/invited", {"token": token, "display_name": "新同事", "password": "password12"}
        )
        problem(weak, 422, "validation-failed")
        r = await newcomer.send_json(
            "POST", "/api/auth/sign-up/invited", {"token": token, "display_name": "新同事", "password": PASSWORD}
        )
        assert r.status_code == 201, r.text
        assert (r.json()["org_id"], r.json()["role"], r.json()["email"]) == (
            owner.org_id,
            "owner",
            "new.colleague@example.cn",
        )
        assert (await newcomer.get("/api/me")).status_code == 200  # signed in
    async with Client(app) as replay:
        r = await replay.send_json(
            "POST", "/api/auth/sign-up/invited", {"token": token, "display_name": "x", "password": PASSWORD}
        )
        problem(r, 409, "conflict")


async def test_inviting_answers_the_same_for_known_and_unknown_addresses(client: Client) -> None:
    record_mail()
    owner = await make_account("university")
    known = await make_account("sme", email="known@example.cn")
    await sign_in(client, owner)
    a = await invite(client, owner.org_id, known.email)
    b = await invite(client, owner.org_id, "nobody@example.cn")
    assert a.status_code == b.status_code == 201
    strip = {"id", "email", "created_at", "expires_at"}
    assert {k: v for k, v in a.json().items() if k not in strip} == {
        k: v for k, v in b.json().items() if k not in strip
    }
    assert set(a.json()) == set(b.json())


async def test_a_second_pending_invitation_is_a_409_and_revoking_frees_the_address(client: Client, app: Any) -> None:
    mail = record_mail()
    owner = await make_account("university")
    invitee = await make_account("sme")
    await sign_in(client, owner)
    first = await invite(client, owner.org_id, invitee.email)
    token = await mailed_token(client, mail, invitee.email)
    problem(await invite(client, owner.org_id, invitee.email), 409, "conflict")
    revoked = await client.delete(
        f"/api/orgs/{owner.org_id}/invitations/{first.json()['id']}", headers={"x-csrftoken": await client.csrf()}
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    async with Client(app) as other:
        await sign_in(other, invitee)
        problem(await other.send_json("POST", "/api/invitations/accept", {"token": token}), 409, "conflict")
    assert (await invite(client, owner.org_id, invitee.email)).status_code == 201


async def test_an_invitation_is_accepted_only_by_its_address_before_it_expires(client: Client, app: Any) -> None:
    mail = record_mail()
    owner = await make_account("university")
    invitee = await make_account("sme")
    stranger = await make_account("sme")
    await sign_in(client, owner)
    await invite(client, owner.org_id, invitee.email)
    token = await mailed_token(client, mail, invitee.email)
    async with Client(app) as other:
        await sign_in(other, stranger)
        problem(await other.send_json("POST", "/api/invitations/accept", {"token": token}), 403, "forbidden")
        forged = token.split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        problem(await other.send_json("POST", "/api/invitations/accept", {"token": forged}), 404, "not-found")
    await Invitation.update({Invitation.expires_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
        Invitation.email == invitee.email
    )
    async with Client(app) as other:
        await sign_in(other, invitee)
        r = await other.send_json("POST", "/api/invitations/accept", {"token": token})
        assert problem(r, 409, "conflict")["message_code"] == "org.invitation_expired"
    assert await Membership.count().where(Membership.organisation == owner.org_id) == 1


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_parallel_acceptances_of_one_invitation_make_one_member(backend: Backend, client: Client) -> None:
    owner = await make_account("university")
    invitee = await make_account("sme")
    await sign_in(client, owner)
    invited = (await invite(client, owner.org_id, invitee.email)).json()
    client.cookies.clear()
    await sign_in(client, invitee)
    token = await client.csrf()
    answers = await asyncio.gather(
        *(client.post(f"/api/invitations/{invited['id']}/accept", headers={"x-csrftoken": token}) for _ in range(20))
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(200) == 1 and set(statuses) == {200, 409}, statuses
    assert await Membership.count().where(Membership.organisation == owner.org_id) == 2


# ------------------------------------------------------------------------------------------ owners and members


async def test_the_last_owner_can_be_neither_removed_nor_demoted(client: Client, app: Any) -> None:
    owner = await make_account("university")
    await sign_in(client, owner)
    url = f"/api/orgs/{owner.org_id}/members/{owner.user_id}"
    r = await client.delete(url, headers={"x-csrftoken": await client.csrf()})
    assert problem(r, 409, "conflict")["message_code"] == "org.last_owner"
    r = await client.send_json("PATCH", url, {"role": "member"})
    assert problem(r, 409, "conflict")["message_code"] == "org.last_owner"
    # a member (not an owner) cannot remove an owner
    member = await make_account("sme")
    await Membership.insert(Membership(user=member.user_id, organisation=owner.org_id, role="member"))
    async with Client(app) as other:
        await sign_in(other, member)
        await other.send_json("POST", "/api/auth/switch-org", {"org_id": owner.org_id})
        r = await other.delete(url, headers={"x-csrftoken": await other.csrf()})
        problem(r, 403, "forbidden")
    assert await owners_of(owner.org_id) == {owner.user_id}


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_two_owners_removing_each_other_at_once_leave_one(backend: Backend, app: Any) -> None:
    first = await make_account("university")
    second = await make_account("sme")
    await Membership.insert(Membership(user=second.user_id, organisation=first.org_id, role="owner"))
    async with Client(app) as a, Client(app) as b:
        await sign_in(a, first)
        await sign_in(b, second)
        await b.send_json("POST", "/api/auth/switch-org", {"org_id": first.org_id})
        ra, rb = await asyncio.gather(
            a.delete(f"/api/orgs/{first.org_id}/members/{second.user_id}", headers={"x-csrftoken": await a.csrf()}),
            b.delete(f"/api/orgs/{first.org_id}/members/{first.user_id}", headers={"x-csrftoken": await b.csrf()}),
        )
    # one wins; the other finds the last owner (409) or is no longer a member by the time it is read (401)
    assert sorted((ra.status_code, rb.status_code)) in ([204, 401], [204, 409]), (ra.text, rb.text)
    assert len(await owners_of(first.org_id)) == 1


# -------------------------------------------------------------------------------------------------- tokens


async def test_a_read_token_is_refused_every_unsafe_method(client: Client) -> None:
    owner = await make_account("university")
    await sign_in(client, owner)
    token = await make_token(client, ["read"])
    client.cookies.clear()
    bearer = {"authorization": f"Bearer {token}"}
    assert (await client.get("/api/me", headers=bearer)).status_code == 200
    for method, url in (
        ("POST", "/api/notifications/1/read"),
        ("POST", "/api/auth/switch-org"),
        ("DELETE", "/api/tokens/1"),
        ("PATCH", f"/api/orgs/{owner.org_id}/members/{owner.user_id}"),
    ):
        r = await client.request(method, url, json={}, headers=bearer)
        body = problem(r, 403, "insufficient-scope")
        assert body["message_code"] == "problem.detail.token-read-only" and body["required_scope"] == "write"


async def test_a_leaked_write_token_cannot_add_an_owner_nor_remove_the_real_one(client: Client) -> None:
    owner = await make_account("university")
    attacker = await make_account("sme", email="attacker@example.cn")
    await sign_in(client, owner)
    token = await make_token(client, ["read", "write"])
    client.cookies.clear()  # the thief has the token, not the browser
    bearer = {"authorization": f"Bearer {token}"}
    tokens_before = await ApiToken.count()
    attempts = [
        ("POST", f"/api/orgs/{owner.org_id}/invitations", {"email": attacker.email, "role": "owner"}),
        ("POST", f"/api/orgs/{owner.org_id}/members", {"email": attacker.email, "role": "owner"}),
        ("PATCH", f"/api/orgs/{owner.org_id}/members/{owner.user_id}", {"role": "member"}),
        ("DELETE", f"/api/orgs/{owner.org_id}/members/{owner.user_id}", None),
        ("POST", "/api/tokens", {"name": "mine now", "scopes": ["write"]}),
        ("DELETE", "/api/tokens/1", None),
    ]
    for method, url, body in attempts:
        r = await client.request(method, url, json=body, headers=bearer)
        assert r.status_code in (403, 405), (method, url, r.status_code, r.text)
        if r.status_code == 403:
            assert r.json()["message_code"] == "problem.detail.browser-only"
    assert await owners_of(owner.org_id) == {owner.user_id}
    assert await Invitation.count() == 0
    assert await ApiToken.count() == tokens_before


# ------------------------------------------------------------------------------------- enumeration, passwords


async def test_sign_in_fails_alike_for_an_unknown_address_and_a_wrong_password(client: Client) -> None:
    account = await make_account()
    wrong = await client.send_json("POST", "/api/auth/sign-in", {"email": account.email, "password": "not it at all"})
    unknown = await client.send_json("POST", "/api/auth/sign-in", {"email": "ghost@example.cn", "password": "x" * 12})

    def same(r: Any) -> dict[str, Any]:
        return {k: v for k, v in r.json().items() if k != "request_id"}

    assert wrong.status_code == unknown.status_code == 401
    assert same(wrong) == same(unknown)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("password12", "account.password_common"),
        ("Qwerty123456", "account.password_common"),
        ("li.ming-2026-secret", "account.password_has_email"),
    ],
)
async def test_weak_passwords_are_refused_on_their_field(client: Client, password: str, code: str) -> None:
    body = {"email": "li.ming@example.cn", "password": password, "display_name": "李明", "org_name": "某企业",
            "org_kind": "sme", "credit_code": "91350100M000100Y43"}  # fmt: skip
    r = await client.send_json("POST", "/api/auth/sign-up", body)
    problem_body = problem(r, 422, "validation-failed")
    assert {"field": "password", "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in problem_body["errors"]
    ]
    assert await User.count() == 0


async def test_the_length_floor_comes_from_settings(backend: Backend) -> None:
    assert Settings().password_min_length == 10
    data = SignUpIn(
        email="a@example.cn",
        password="fifteen chars!!",
        display_name="甲",
        org_name="某企业",
        org_kind="sme",
        credit_code="91350100M000100Y43",
    )
    with pytest.raises(ValidationFailed) as refused:
        async with jobs.unit_of_work():
            await accounts.sign_up(data=data, min_password_length=16)
    assert refused.value.errors[0].code == "account.password_too_short"
    assert dict(refused.value.errors[0].params) == {"min": 16}
    async with jobs.unit_of_work():
        assert await accounts.sign_up(data=data, min_password_length=15) is not None


async def test_the_sign_up_page_answers_alike_for_a_taken_address(client: Client) -> None:
    await make_account(email="taken@example.cn")
    form = {"password": PASSWORD, "display_name": "甲", "org_name": "某企业", "org_kind": "sme",
            "credit_code": "91350100M000100Y43"}  # fmt: skip
    await client.csrf()
    pages = []
    for email in ("taken@example.cn", "fresh@example.cn"):
        client.cookies.delete("market_session")
        r = await client.post("/sign-up", data={**form, "email": email, "_csrf_token": client.cookies["csrftoken"]})
        pages.append((r.status_code, r.text.replace(email, "EMAIL")))
    assert pages[0][0] == 200 and pages[0][1].count('id="sign-up-done"') == 1
    strip = re.compile(r'name="_csrf_token" value="[^"]*"')
    assert strip.sub("", pages[0][1]) == strip.sub("", pages[1][1])


# -------------------------------------------------------------------------------------------------- sessions


def session_keys(app: Any) -> int:
    store = app.stores.get("sessions")
    return len(store._store)


async def test_an_anonymous_get_stores_no_session_and_the_sign_in_form_still_works(client: Client, app: Any) -> None:
    account = await make_account()
    before = session_keys(app)
    for path in ("/sign-in", "/sign-up", "/api/auth/csrf", "/health", "/listings", "/"):
        r = await client.get(path, follow_redirects=False)
        assert "market_session" not in " ".join(r.headers.get_list("set-cookie")), path
    assert session_keys(app) == before
    assert "csrftoken" in client.cookies  # the form's CSRF token is its own cookie
    r = await client.post(
        "/sign-in",
        data={"email": account.email, "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
        follow_redirects=False,
    )
    assert r.status_code in (301, 302, 303), r.text
    assert session_keys(app) == before + 1 and "market_session" in client.cookies
    r = await client.post("/sign-out", data={"_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)
    assert session_keys(app) == before


async def test_the_pages_invite_and_an_invitee_signs_up_from_the_link(client: Client, app: Any) -> None:
    mail = record_mail()
    owner = await make_account("university")
    await sign_in(client, owner)
    csrf = await client.csrf()
    r = await client.post("/members/invite", data={"email": "page.invitee@example.cn", "role": "member",
                                                    "_csrf_token": csrf})  # fmt: skip
    assert r.status_code == 201 and 'id="invited-notice"' in r.text
    assert "page.invitee@example.cn" in (await client.get("/members")).text
    r = await client.post("/members/invite", data={"email": "page.invitee@example.cn", "_csrf_token": csrf})
    assert r.status_code == 409 and 'data-field="email"' in r.text  # the error beside the field
    token = await mailed_token(client, mail, "page.invitee@example.cn")
    async with Client(app) as invitee:
        page = await invitee.get(f"/invitations/{token}")
        assert page.status_code == 200 and owner.org_name in page.text
        assert "market_session" not in invitee.cookies
        r = await invitee.post(f"/invitations/{token}/sign-up",
                               data={"display_name": "新同事", "password": "password12",
                                     "_csrf_token": invitee.cookies["csrftoken"]})  # fmt: skip
        assert r.status_code == 422 and 'data-field="password"' in r.text
        r = await invitee.post(f"/invitations/{token}/sign-up",
                               data={"display_name": "新同事", "password": PASSWORD,
                                     "_csrf_token": invitee.cookies["csrftoken"]})  # fmt: skip
        assert r.status_code == 200 and str(r.url).endswith("/dashboard")
        assert owner.org_name in r.text
        gone = await invitee.get(f"/invitations/{token}")
        assert gone.status_code == 409 and 'id="invitation-problem"' in gone.text
