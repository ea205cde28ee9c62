"""Voucher entitlement pages and API on PostgreSQL: the SME applies from its page (the declaration ticked, every
problem beside its field), the issuer reviews tier by tier from the case page and the SME sees its entitlement with
its ledger, in both languages; the API files with an idempotency key (a replay answers the first answer), refuses
bad input with problem+json and hides another organisation's application and entitlement."""

from __future__ import annotations

from typing import Any

from finance.voucher_entitlements import applications
from tests.conftest import Account, Client, make_account, sign_in
from tests.finance.support import principal_of
from tests.finance.voucher_entitlement_support import Issuing, issuing

HTML = {"accept": "text/html"}
API = "/api/voucher-entitlements"
KEY = "7a1c2d3e-4b5c-4d6e-8f70-a1b2c3d4e5f6"


async def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    headers = {"x-csrftoken": await client.csrf(), **HTML}
    return await client.post(url, data=data, headers=headers, follow_redirects=False)


async def test_the_sme_applies_the_issuer_approves_two_tiers_and_the_sme_sees_its_balance(client: Client) -> None:
    owner = await issuing()
    firm = await make_account("sme", org_name="杭州页面测试科技有限公司")
    await sign_in(client, firm)
    mine = await client.get("/sme/vouchers", headers=HTML)
    assert mine.status_code == 200 and f'id="programme-{owner.programme_id}"' in mine.text
    form = await client.get(f"/sme/vouchers/apply?programme_id={owner.programme_id}", headers=HTML)
    assert "本企业承诺：该项目未获得其他财政资金支持。" in form.text
    typed = {"programme_id": str(owner.programme_id), "amount": "30,000", "purpose": "购买专利实施许可"}
    bad = await post(client, "/sme/vouchers/apply", {**typed, "amount": "12.345"})
    assert bad.status_code == 400 and 'id="amount_minor-error"' in bad.text
    undeclared = await post(client, "/sme/vouchers/apply", typed)
    assert undeclared.status_code == 422 and 'id="declarations-error"' in undeclared.text
    assert 'value="30,000"' in undeclared.text  # what was typed stays
    filed = await post(client, "/sme/vouchers/apply", {**typed, "declarations": "no_double_funding"})
    assert filed.status_code in (302, 303), filed.text
    application_id = int(filed.headers["location"].split("/")[4].split("?")[0])
    page = await client.get(f"/sme/vouchers/applications/{application_id}", headers=HTML)
    assert 'id="application-state">已提交' in page.text

    client.cookies.clear()
    await sign_in(client, maker_account(owner))
    queue = await client.get("/issuer/voucher-applications", headers=HTML)
    assert f'id="application-{application_id}"' in queue.text
    for _ in range(3):  # review, district, city
        found = await applications.get_application(principal=owner.maker, application_id=application_id)
        action = "review" if found.state == "submitted" else "approve"
        done = await post(client, f"/issuer/voucher-applications/{application_id}/{action}",
                          {"expected_version": str(found.version)})  # fmt: skip
        assert done.status_code in (302, 303), done.text
    found = await applications.get_application(principal=owner.maker, application_id=application_id)
    assert found.state == "approved" and found.entitlement_id is not None
    stale = await post(client, f"/issuer/voucher-applications/{application_id}/approve", {"expected_version": "1"})
    assert stale.status_code == 409

    client.cookies.clear()
    await sign_in(client, firm)
    client.cookies.set("lang", "en")
    seen = await client.get(f"/sme/vouchers/entitlements/{found.entitlement_id}", headers=HTML)
    assert seen.status_code == 200 and 'id="entitlement-available">' in seen.text
    assert "¥30,000.00" in seen.text and 'data-kind="grant"' in seen.text and "Ledger" in seen.text


def maker_account(owner: Issuing) -> Account:
    """The issuer's maker as the sign-in factory wants it (the factories' password)."""
    p = owner.maker
    return Account(user_id=p.user_id, org_id=p.org_id, email=p.email, org_name=p.org_name, kind="voucher_issuer")


async def test_the_api_files_once_per_idempotency_key_and_hides_others(client: Client) -> None:
    owner = await issuing()
    firm = await make_account("sme")
    await sign_in(client, firm)
    body = {"programme_id": owner.programme_id, "amount_minor": 2_000_000, "purpose": "检测服务",
            "declarations": ["no_double_funding"]}  # fmt: skip
    headers = {"x-csrftoken": await client.csrf(), "idempotency-key": KEY}
    first = await client.post(f"{API}/applications", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post(f"{API}/applications", json=body, headers=headers)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(await applications.applications_of(principal=await principal_of(firm))) == 1
    bad_input = [({**body, "amount_minor": -1}, 400, "amount_minor"),
                 ({**body, "amount_minor": 1.5}, 400, "amount_minor"),
                 ({**body, "declarations": []}, 422, "declarations")]  # fmt: skip
    for bad, status, field in bad_input:
        r = await client.send_json("POST", f"{API}/applications", bad)
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == [field]
    other = await make_account("sme")
    await sign_in(client, other)
    assert (await client.get(f"{API}/applications/{first.json()['id']}")).status_code == 404
    check = await client.get(f"{API}/eligibility?programme_id={owner.programme_id}&amount_minor=1000000")
    assert check.status_code == 200 and check.json()["eligible"] is True
