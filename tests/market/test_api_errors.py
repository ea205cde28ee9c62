"""Bad input gets a clear problem+json and writes nothing (acceptance of the foundation issue)."""

from __future__ import annotations

import re

from market.accounts.tables import ApiToken, User
from market.audit.tables import AuditEvent
from market.orgs.tables import Organisation
from tests.conftest import make_account, sign_in

SIGN_UP = {
    "email": "new@example.cn",
    "password": "a long password",
    "display_name": "新用户",
    "org_name": "新企业",
    "org_kind": "sme",
    "credit_code": "91350100M000100Y43",
}


async def counts() -> tuple[int, int, int, int]:
    return (await User.count(), await Organisation.count(), await ApiToken.count(), await AuditEvent.count())


def assert_problem(response, status: int, type_suffix: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"].endswith("/" + type_suffix)
    assert body["title"] and body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_wrong_password(client) -> None:
    account = await make_account()
    before = await counts()
    r = await client.send_json("POST", "/api/auth/sign-in", {"email": account.email, "password": "nope nope"})
    body = assert_problem(r, 401, "invalid-credentials")
    assert body["errors"][0]["field"] == "password"
    assert (await client.get("/api/me")).status_code == 401  # not signed in
    assert await counts() == before


async def test_duplicate_email_is_answered_as_a_new_sign_up(client) -> None:
    """Sign-up does not reveal that an address has an account: the same answer, and nothing written."""
    await make_account(email="new@example.cn")
    before = await counts()
    taken = await client.send_json("POST", "/api/auth/sign-up", SIGN_UP)
    assert await counts() == before
    fresh = await client.send_json("POST", "/api/auth/sign-up", {**SIGN_UP, "email": "other@example.cn"})
    assert (taken.status_code, fresh.status_code) == (202, 202)
    assert taken.json() == {"status": "check_email", "email": "new@example.cn"}
    assert fresh.json() == {"status": "check_email", "email": "other@example.cn"}
    for r in (taken, fresh):  # no session either way: both sign in next
        assert "market_session" not in " ".join(r.headers.get_list("set-cookie"))


async def test_missing_csrf_token(client) -> None:
    before = await counts()
    r = await client.post("/api/auth/sign-up", json=SIGN_UP)  # no x-csrftoken header
    assert_problem(r, 403, "csrf-failed")
    assert await counts() == before


async def test_missing_csrf_token_on_a_page_form_shows_a_page(client) -> None:
    r = await client.post("/sign-up", data={**SIGN_UP}, headers={"accept": "text/html"})
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "CSRF" in r.text
    assert await User.count() == 0


async def test_revoked_api_token(client) -> None:
    account = await make_account()
    await sign_in(client, account)
    created = (await client.send_json("POST", "/api/tokens", {"name": "bank"})).json()
    token = created["token"]
    ok = await client.get("/api/me", headers={"authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json()["org_id"] == account.org_id
    assert (
        await client.delete(f"/api/tokens/{created['id']}", headers={"x-csrftoken": await client.csrf()})
    ).status_code == 200
    before = await counts()
    client.cookies.clear()  # a machine client: the token alone
    r = await client.post("/api/tokens", json={"name": "again"}, headers={"authorization": f"Bearer {token}"})
    assert_problem(r, 401, "not-authenticated")
    r = await client.get("/api/me", headers={"authorization": f"Bearer {token}", "accept-language": "en"})
    body = assert_problem(r, 401, "not-authenticated")
    assert body["message_code"] == "problem.detail.token-invalid" and "revoked" in body["detail"]
    assert await counts() == before


async def test_malformed_json_body(client) -> None:
    before = await counts()
    r = await client.post(
        "/api/auth/sign-up",
        content=b'{"email": "x@example.cn", ',
        headers={"content-type": "application/json", "x-csrftoken": await client.csrf(), "accept-language": "en"},
    )
    body = assert_problem(r, 400, "invalid-request")
    assert body["message_code"] == "problem.detail.invalid-json" and "not valid JSON" in body["detail"]
    assert await counts() == before


async def test_invalid_fields_are_all_reported(client) -> None:
    r = await client.send_json("POST", "/api/auth/sign-up", {**SIGN_UP, "email": "not-an-email", "password": "short"})
    body = assert_problem(r, 400, "invalid-request")
    fields = {e["field"] for e in body["errors"]}
    assert {"email", "password"} <= fields
    assert await User.count() == 0


async def test_unknown_route_and_unauthenticated_are_problems(client) -> None:
    assert_problem(await client.get("/api/nothing-here"), 404, "not-found")
    assert_problem(await client.get("/api/me"), 401, "not-authenticated")


async def test_sign_in_is_rate_limited(client, app) -> None:
    account = await make_account()
    limit = app.state.settings.sign_in_rate_per_minute
    statuses = []
    for _ in range(limit + 2):
        r = await client.send_json("POST", "/api/auth/sign-in", {"email": account.email, "password": "wrong wrong"})
        statuses.append(r.status_code)
    assert statuses[:limit] == [401] * limit
    assert_problem(r, 429, "too-many-requests")
    # other endpoints are not throttled
    assert (await client.get("/health")).status_code == 200


async def test_security_headers_and_request_id(client) -> None:
    r = await client.get("/sign-in", headers={"x-request-id": "abc12345-from-proxy"})
    assert r.headers["x-request-id"] == "abc12345-from-proxy"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    r = await client.get("/health", headers={"x-request-id": "bad id with spaces"})
    assert r.headers["x-request-id"] != "bad id with spaces" and len(r.headers["x-request-id"]) == 32


async def test_session_id_changes_at_sign_in(client) -> None:
    account = await make_account()
    await client.get("/sign-in")
    before = client.cookies.get("market_session")
    await sign_in(client, account)
    after = client.cookies.get("market_session")
    assert after and after != before


async def test_bearer_token_needs_no_csrf_but_session_does(client) -> None:
    account = await make_account()
    await sign_in(client, account)
    r = await client.post("/api/notifications/999/read")  # session cookie, no CSRF header
    assert_problem(r, 403, "csrf-failed")
    token = (await client.send_json("POST", "/api/tokens", {"name": "t", "scopes": ["write"]})).json()["token"]
    r = await client.post("/api/notifications/999/read", headers={"authorization": f"Bearer {token}"})
    assert_problem(r, 404, "not-found")


ZH = {"accept-language": "zh-CN,zh;q=0.9"}
EN = {"accept-language": "en-GB,en;q=0.9"}


def codes_of(body: dict) -> tuple:
    errors = tuple((e["field"], e["code"], tuple(sorted(e.get("params", {}).items()))) for e in body.get("errors", []))
    return body["type"], body["status"], body["message_code"], errors


def words_of(body: dict) -> list[str]:
    return [body["title"], body["detail"], *(e["message"] for e in body.get("errors", []))]


async def in_both_languages(client, method: str, path: str, json=None, headers=None) -> tuple[dict, dict]:
    """The same request in Chinese and in English: the same codes, every word different."""
    bodies = []
    for lang in (ZH, EN):
        r = await client.send_json(method, path, json, headers={**(headers or {}), **lang})
        assert r.headers["content-type"].startswith("application/problem+json"), r.text
        bodies.append(r.json())
    zh, en = bodies
    assert codes_of(zh) == codes_of(en)
    assert zh["message_code"], "the problem always names its message's code"
    for zh_text, en_text in zip(words_of(zh), words_of(en), strict=True):
        assert zh_text != en_text, (zh_text, en_text)
    return zh, en


async def test_a_404_speaks_the_readers_language_with_the_same_codes(client) -> None:
    zh, en = await in_both_languages(client, "GET", "/api/nothing-here")
    assert zh["status"] == 404 and zh["message_code"] == "problem.detail.not-found"
    assert (zh["title"], en["title"]) == ("未找到", "Not found")


async def test_a_401_speaks_the_readers_language_with_the_same_codes(client) -> None:
    zh, en = await in_both_languages(client, "GET", "/api/me")
    assert zh["status"] == 401 and zh["type"].endswith("/not-authenticated")
    assert zh["message_code"] == "problem.detail.not-authenticated"
    assert (zh["detail"], en["detail"]) == ("请先登录。", "Sign in to continue.")


async def test_a_403_speaks_the_readers_language_with_the_same_codes(client) -> None:
    account = await make_account("sme")
    await sign_in(client, account)
    zh, en = await in_both_languages(client, "GET", "/api/admin/audit/verify")
    assert zh["status"] == 403 and zh["message_code"] == "problem.detail.kinds-only"
    # the kinds named in words in the reader's language; the codes stay in allowed_kinds
    assert "platform_admin" not in zh["detail"] and "platform_admin" not in en["detail"]
    assert zh["detail"] == "只有平台运营方可以执行此操作。"
    assert en["detail"] == "Only the platform's operators may do this."
    assert zh["allowed_kinds"] == en["allowed_kinds"] == ["platform_admin"]


async def test_a_refused_input_speaks_the_readers_language_with_the_same_codes(client) -> None:
    zh, en = await in_both_languages(client, "POST", "/api/auth/sign-up", {**SIGN_UP, "password": "short"})
    assert zh["status"] == 400 and zh["message_code"] == "problem.detail.invalid-request"
    assert [(e["field"], e["code"]) for e in zh["errors"]] == [("password", "validation.string_too_short")]
    assert zh["errors"][0]["params"] == {"min_length": 10}
    assert (zh["errors"][0]["message"], en["errors"][0]["message"]) == ("至少 10 个字符", "at least 10 characters")
    assert await User.count() == 0


async def test_error_pages_speak_the_page_language_only(client) -> None:
    account = await make_account("sme")
    await sign_in(client, account)
    cases = {
        "zh": ("未找到", "这里什么也没有。", "只有高校 / 科研院所可以执行此操作。"),
        "en": ("Not found", "There is nothing here.", "Only universities and research institutes may do this."),
    }
    for lang, (title, detail, kinds_only) in cases.items():
        client.cookies.set("lang", lang)
        missing = await client.get("/nothing-here", headers={"accept": "text/html"})
        refused = await client.get("/declarations", headers={"accept": "text/html"})  # an SME declares nothing
        assert (missing.status_code, refused.status_code) == (404, 403)
        for page, words in ((missing, (title, detail)), (refused, (kinds_only,))):
            alert = page.text[page.text.index('role="alert"') : page.text.index("</section>")]
            assert all(w in alert for w in words), alert
            has_chinese = re.search(r"[\u4e00-\u9fff]", alert) is not None
            assert has_chinese is (lang == "zh"), alert
