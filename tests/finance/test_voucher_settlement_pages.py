"""Voucher settlement pages and API on PostgreSQL: the issuer's batch page (propose, the maker refused, another
member approves, paid after a confirmation), the bank file's download with its SHA-256, the payee's statements and
its account form, another issuer's batch not found."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from typing import Any

import pytest

from finance.voucher_settlements import service as settlements
from market.audit.service import Actor
from market.jobs import unit_of_work
from tests.conftest import PASSWORD, Client
from tests.finance.support import drain
from tests.finance.voucher_redemption_support import LICENCE_PRICE
from tests.finance.voucher_settlement_support import captured_through_checkout, claim, issuer, payee, programme

HALF = LICENCE_PRICE // 2


async def sign_in_as(client: Client, email: str) -> None:
    await client.send_json("POST", "/api/auth/sign-out")
    client.cookies.clear()
    r = await client.send_json("POST", "/api/auth/sign-in", {"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text


async def post_form(client: Client, url: str, data: dict[str, Any]) -> Any:
    return await client.post(url, data={**data, "_csrf_token": await client.csrf()},
                             headers={"x-csrftoken": await client.csrf()})  # fmt: skip


def version_of(html: str) -> str:
    found = re.search(r'name="expected_version" value="(\d+)"', html)
    assert found, html
    return found.group(1)


async def test_the_issuer_runs_a_batch_through_its_pages_and_the_payee_gets_its_statement(client: Client) -> None:
    owner = await issuer()
    uni = await payee("university", email="uni-payee@example.cn")
    bare = await payee("service_provider", account=False, email="bare-payee@example.cn")
    async with unit_of_work():
        made = await settlements.assemble(programme=programme(owner.maker), up_to=date.today(),
                                          claims=[await claim(uni.org_id, 2_000_000), await claim(bare.org_id, 50_000)],
                                          actor=Actor(owner.maker.user_id, owner.maker.org_id))  # fmt: skip
    url = f"/issuer/voucher-settlements/{made.id}"
    await sign_in_as(client, owner.maker_email)
    listed = await client.get("/issuer/voucher-settlements")
    assert listed.status_code == 200 and f'id="batch-{made.id}"' in listed.text
    shown = await client.get(url)
    assert 'data-status="exception"' in shown.text and 'id="propose-form"' in shown.text
    r = await post_form(client, f"{url}/propose", {"expected_version": version_of(shown.text)})
    assert r.status_code == 200 and 'id="file-sha256"' in r.text and 'id="maker-note"' in r.text
    sha = re.search(r'id="file-sha256">([0-9a-f]{64})<', r.text)
    assert sha
    csv = await client.get(f"{url}/file")
    assert csv.status_code == 200 and hashlib.sha256(csv.content).hexdigest() == sha.group(1)
    proposal = re.search(r'name="proposal_id" value="(\d+)"', r.text)
    assert proposal
    refused = await post_form(client, f"{url}/approve", {"expected_version": version_of(r.text),
                                                         "proposal_id": proposal.group(1)})  # fmt: skip
    assert refused.status_code == 403 and 'data-state="proposed"' in refused.text
    await sign_in_as(client, owner.checker_email)
    approved = await post_form(client, f"{url}/approve", {"expected_version": version_of(r.text),
                                                          "proposal_id": proposal.group(1)})  # fmt: skip
    assert approved.status_code == 200 and 'data-state="approved"' in approved.text
    paid_form = {"expected_version": version_of(approved.text), "paid_on": date.today().isoformat(),
                 "reference": "ICBC-77"}  # fmt: skip
    asked = await post_form(client, f"{url}/paid", paid_form)
    assert 'name="confirmed"' in asked.text  # a confirmation first: nothing recorded yet
    assert (await settlements.get_batch(principal=owner.maker, batch_id=made.id)).state == "approved"
    paid = await post_form(client, f"{url}/paid", {**paid_form, "confirmed": "yes"})
    assert paid.status_code == 200 and 'data-state="paid"' in paid.text
    api = await client.get(f"/api/voucher-settlements/{made.id}")
    assert api.json()["paid"] == {"minor": 2_000_000, "currency": "CNY"} and api.json()["approved_by"] is not None
    from_desk = await client.get(f"/desk/cases/{api.json()['case_id']}")  # the desk's case link leads to the batch
    assert from_desk.status_code == 200 and from_desk.url.path == url
    await drain()
    await sign_in_as(client, "uni-payee@example.cn")
    mine = await client.get("/provider/voucher-statements")
    link = re.search(r'href="(/provider/voucher-statements/\d+/pdf)"', mine.text)
    assert link and 'id="account-current"' in mine.text
    pdf = await client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ledger = await client.get("/ledger")
    assert 'id="ledger-vouchers"' in ledger.text and 'id="total-vouchers"' in ledger.text
    await sign_in_as(client, "bare-payee@example.cn")
    theirs = await client.get("/provider/voucher-statements")
    assert 'id="account-missing"' in theirs.text
    assert (await client.get(link.group(1))).status_code == 404  # another payee's statement
    bad = await post_form(client, "/provider/voucher-statements/account",
                          {"account_name": "别人的名字", "bank_name": "中国银行", "account_number": "62220000111"})
    assert bad.status_code == 422 and 'id="account_name-error"' in bad.text
    good = await post_form(client, "/provider/voucher-statements/account",
                           {"account_name": bare.org_name, "bank_name": "中国银行", "account_number": "6222 0000 111"})
    assert good.status_code == 200 and 'id="account-current"' in good.text
    other = await issuer("另一个科技局（测试）")
    await sign_in_as(client, other.maker_email)
    assert (await client.get(url)).status_code == 404
    assert (await client.get(f"/api/voucher-settlements/{made.id}")).status_code == 404


async def test_the_api_takes_the_bank_return_all_or_nothing(client: Client) -> None:
    owner = await issuer()
    uni = await payee("university")
    async with unit_of_work():
        made = await settlements.assemble(programme=programme(owner.maker), up_to=date.today(),
                                          claims=[await claim(uni.org_id, 12_345), await claim(uni.org_id, 67_800)],
                                          actor=Actor(owner.maker.user_id, owner.maker.org_id))  # fmt: skip
    base = f"/api/voucher-settlements/{made.id}"
    await sign_in_as(client, owner.maker_email)
    proposed = await client.send_json("POST", f"{base}/propose", {"expected_version": 0})
    assert proposed.status_code == 200, proposed.text
    body = proposed.json()
    assert body["state"] == "proposed" and len(body["file_sha256"]) == 64
    refused = await client.send_json("POST", f"{base}/approve", {"expected_version": body["version"],
                                                                "proposal_id": body["pending_proposal_id"]})
    assert refused.status_code == 403 and refused.json()["message_code"] == "desk.four_eyes"
    await sign_in_as(client, owner.checker_email)
    approved = await client.send_json("POST", f"{base}/approve", {"expected_version": body["version"],
                                                                 "proposal_id": body["pending_proposal_id"]})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    version = approved.json()["version"]
    lines = approved.json()["lines"]
    header = "batch_number,line_no,amount,reference,status,paid_on,bank_reference\r\n"
    today = date.today().isoformat()
    first = f"{body['number']},{lines[0]['line_no']},123.45,{lines[0]['claim_reference']},paid,{today},B1\r\n"
    files = {"file": ("return.csv", (header + first).encode(), "text/csv")}
    half = await client.post(f"{base}/return", data={"expected_version": str(version)}, files=files,
                             headers={"x-csrftoken": await client.csrf()})  # fmt: skip
    assert half.status_code == 422 and [e["code"] for e in half.json()["errors"]] == ["missing"]
    assert (await client.get(base)).json()["state"] == "approved"  # nothing recorded
    second = f"{body['number']},{lines[1]['line_no']},678.00,{lines[1]['claim_reference']},failed,,\r\n"
    files = {"file": ("return.csv", ("\ufeff" + header + first + second).encode(), "text/csv")}
    done = await client.post(f"{base}/return", data={"expected_version": str(version)}, files=files,
                             headers={"x-csrftoken": await client.csrf()})  # fmt: skip
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "paid" and done.json()["paid"]["minor"] == 12_345
    assert {line["status"] for line in done.json()["lines"]} == {"paid", "carried"}
    csv = await client.get(f"{base}/file")
    assert csv.headers["content-type"].startswith("text/csv") and csv.content.startswith(b"\xef\xbb\xbf")


async def test_the_issuer_makes_a_batch_once_by_its_key_and_reads_the_report(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, claim_id = await captured_through_checkout(monkeypatch)
    await sign_in_as(client, w.accounts[w.issuer.org_id].email)
    body = {"programme_id": w.programme_id, "up_to": date.today().isoformat()}
    headers = {"Idempotency-Key": "batch-2027H1"}
    first = await client.send_json("POST", "/api/voucher-settlements", body, headers=headers)
    assert first.status_code == 201, first.text
    again = await client.send_json("POST", "/api/voucher-settlements", body, headers=headers)
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    other = await client.send_json("POST", "/api/voucher-settlements", body)  # no key: the cycle's batch exists
    assert other.status_code == 409
    future = await client.send_json("POST", "/api/voucher-settlements",
                                    {**body, "up_to": (date.today() + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "up_to"
    assert [line["claim_id"] for line in first.json()["lines"]] == [claim_id]
    report = await client.get(f"/api/voucher-reports/{w.programme_id}")
    assert report.status_code == 200, report.text
    r = report.json()
    assert (r["claims_captured"], r["captured"]["minor"], r["committed"]["minor"]) == (1, HALF,
                                                                                      w.entitlement.granted_minor)
    assert r["redemption_rate_bp"] == HALF * 10_000 // w.entitlement.granted_minor and r["payouts"] == 0
    assert [g["key"] for g in r["by_category"]] == ["tech_results"]
    assert [g["key"] for g in r["by_provider"]] == [str(w.university.org_id)]
    csv = await client.get(f"/api/voucher-reports/{w.programme_id}/csv")
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").startswith("dimension,key,label")
    page = await client.get(f"/issuer/voucher-reports?programme_id={w.programme_id}")
    assert page.status_code == 200 and 'id="by-category"' in page.text and 'data-key="tech_results"' in page.text
    stranger = await issuer("另一个科技局（测试）")
    await sign_in_as(client, stranger.maker_email)
    assert (await client.get(f"/api/voucher-reports/{w.programme_id}")).status_code == 404
    assert (await client.get(f"/issuer/voucher-reports?programme_id={w.programme_id}")).status_code == 404


async def test_the_issuer_makes_a_batch_on_its_page_with_errors_beside_the_fields(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, claim_id = await captured_through_checkout(monkeypatch)
    await sign_in_as(client, w.accounts[w.issuer.org_id].email)
    listed = await client.get("/issuer/voucher-settlements")
    assert 'id="new-batch"' in listed.text and f'<option value="{w.programme_id}"' in listed.text
    future = (date.today() + timedelta(days=1)).isoformat()
    late = await post_form(client, "/issuer/voucher-settlements/new", {"programme_id": w.programme_id, "up_to": future})
    assert late.status_code == 422 and 'id="up_to-error"' in late.text and f'value="{future}"' in late.text
    blank = await post_form(client, "/issuer/voucher-settlements/new", {"programme_id": "", "up_to": ""})
    assert blank.status_code == 400 and 'id="programme_id-error"' in blank.text and 'id="up_to-error"' in blank.text
    assert 'id="batch-' not in (await client.get("/issuer/voucher-settlements")).text  # nothing made
    made = await post_form(client, "/issuer/voucher-settlements/new",
                           {"programme_id": w.programme_id, "up_to": date.today().isoformat()})
    assert made.status_code == 200 and 'data-state="assembled"' in made.text, made.text
    batch_id = int(made.url.path.rsplit("/", 1)[1])
    shown = await settlements.get_batch(principal=w.issuer, batch_id=batch_id)
    assert [line.claim_id for line in shown.lines] == [claim_id]
    again = await post_form(client, "/issuer/voucher-settlements/new",
                            {"programme_id": w.programme_id, "up_to": date.today().isoformat()})
    assert again.status_code == 409 and 'id="form-errors"' in again.text  # the cycle's batch exists
    stranger = await issuer("另一个科技局（测试）")
    await sign_in_as(client, stranger.maker_email)
    theirs = await post_form(client, "/issuer/voucher-settlements/new",
                             {"programme_id": w.programme_id, "up_to": date.today().isoformat()})
    assert theirs.status_code == 404
