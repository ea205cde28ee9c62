"""The pledges API and pages on PostgreSQL: a bank's token sees only its own cases; twenty submissions of one draft
at once give one success and nineteen 409s with one decision written; the SME's and the bank's pages in both
languages."""

from __future__ import annotations

import asyncio

from finance.desk.tables import DeskDecision
from finance.pledges import service as pledges
from finance.pledges.schemas import DraftIn, SubmitIn
from market.jobs import unit_of_work
from tests.conftest import Client, sign_in
from tests.finance.pledge_support import PDF, SALES, bank, draft, sme
from tests.finance.test_pledge_flow import complete_checklist

N = 20


async def token_of(client: Client, scopes: list[str]) -> str:
    r = await client.send_json("POST", "/api/tokens", {"name": "core banking", "scopes": scopes})
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


async def test_twenty_submissions_at_once_give_one_success(client: Client) -> None:
    lender = await bank()
    applicant = await sme()
    app = await draft(applicant, lender.product_id)
    await complete_checklist(applicant, app.id)
    await sign_in(client, applicant.account)
    token = await client.csrf()
    body = {"expected_version": app.version, "acknowledged": []}
    answers = await asyncio.gather(
        *(
            client.post(f"/api/pledges/{app.id}/submit", json=body, headers={"x-csrftoken": token})
            for _ in range(N)
        )
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] + [409] * (N - 1), [r.text for r in answers if r.status_code not in (200, 409)]
    assert await DeskDecision.count().where(DeskDecision.kind == "precheck") == 1
    conflicts = [r for r in answers if r.status_code == 409]
    assert all(r.headers["content-type"].startswith("application/problem+json") for r in conflicts)


async def test_a_bank_token_sees_only_its_own_cases(client: Client) -> None:
    lender = await bank()
    other = await bank("招商银行宁波分行")
    applicant = await sme()
    app = await draft(applicant, lender.product_id)
    await complete_checklist(applicant, app.id)
    await sign_in(client, applicant.account)
    r = await client.send_json("POST", f"/api/pledges/{app.id}/submit", {"expected_version": app.version})
    assert r.status_code == 200, r.text
    client.cookies.clear()

    await sign_in(client, other.account)
    bearer = {"authorization": f"Bearer {await token_of(client, ['read', 'write'])}"}
    client.cookies.clear()
    assert (await client.get(f"/api/pledges/{app.id}", headers=bearer)).status_code == 404
    assert (await client.get("/api/pledges", headers=bearer)).json() == []
    moved = await client.post(f"/api/pledges/{app.id}/review", json={"expected_version": 1}, headers=bearer)
    assert moved.status_code == 404

    await sign_in(client, lender.account)
    bearer = {"authorization": f"Bearer {await token_of(client, ['read', 'write'])}"}
    client.cookies.clear()
    mine = (await client.get("/api/pledges", headers=bearer)).json()
    assert [a["id"] for a in mine] == [app.id]
    seen = (await client.get(f"/api/pledges/{app.id}", headers=bearer)).json()
    assert seen["state"] == "submitted"
    forged = await client.post(
        f"/api/pledges/{app.id}/review", json={"expected_version": seen["version"] + 3}, headers=bearer
    )
    assert forged.status_code == 409
    body = {"expected_version": seen["version"]}
    moved = await client.post(f"/api/pledges/{app.id}/review", json=body, headers=bearer)
    assert moved.status_code == 200 and moved.json()["state"] == "in_review"


async def test_the_pages_in_both_languages(client: Client) -> None:
    lender = await bank()
    applicant = await sme()
    app = await draft(applicant, lender.product_id, applicant.good, applicant.unpaid)
    await sign_in(client, applicant.account)
    for lang, words in (("zh", "提交前预审"), ("en", "Pre-check")):
        client.cookies.set("lang", lang)
        for path in ("/sme/pledges", "/sme/pledges/new", f"/sme/pledges/{app.id}"):
            r = await client.get(path)
            assert r.status_code == 200, (path, r.text[:500])
        page = (await client.get(f"/sme/pledges/{app.id}")).text
        assert words in page and 'data-code="pledge.ground.04"' in page
    # an upload through the page: the checklist shows it
    client.cookies.set("lang", "zh")
    r = await client.post(
        f"/sme/pledges/{app.id}/documents",
        data={"requirement": "identity"},
        files={"file": ("licence.pdf", PDF, "application/pdf")},
        headers={"x-csrftoken": await client.csrf()},
    )
    assert r.status_code == 200 and 'data-requirement="identity" data-satisfied="yes"' in r.text
    client.cookies.clear()
    await sign_in(client, lender.account)
    assert (await client.get(f"/bank/pledges/{app.id}")).status_code == 404  # a draft is not the bank's yet
    await complete_checklist(applicant, app.id)
    async with unit_of_work():
        await pledges.edit(
            principal=applicant.principal,
            application_id=app.id,
            data=DraftIn(
                expected_version=app.version,
                patent_ids=[applicant.good],
                amount_minor=app.amount_minor,
                term_months=12,
                annual_net_sales_minor=SALES,
            ),
        )
        await pledges.submit(
            principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
        )
    for lang, words in (("zh", "开始审查"), ("en", "Start the review")):
        client.cookies.set("lang", lang)
        assert (await client.get("/bank/pledges")).status_code == 200
        r = await client.get(f"/bank/pledges/{app.id}")
        assert r.status_code == 200 and words in r.text
