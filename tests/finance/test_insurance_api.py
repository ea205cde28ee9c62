"""The insurance API and pages on PostgreSQL: refusals as problem+json beside their field (a blocked patent 422, a
patent the SME does not hold 404, answers again 409 with nothing written); an insurer's token sees only its own
applications; the pages in both languages, the questionnaire with the duty of disclosure, the maker's own approval
refused beside the form, the university's consent page; the insurer's webhooks receive the decision."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from finance.insurance import eligibility as rules
from finance.insurance import service as insurance
from finance.insurance.schemas import DecisionIn
from finance.insurance.tables import InsuranceApplication
from listings.patents import service as patents
from market import jobs
from market.jobs import unit_of_work
from market.webhooks import service as webhooks
from market.webhooks.schemas import EndpointIn
from tests.conftest import Account, Client, sign_in
from tests.finance.insurance_support import (
    ANSWERS,
    PDF,
    SME_NAME,
    apply,
    insurer,
    licensed,
    sme,
    submitted,
)
from tests.listings.support import eligible, record
from tests.support.receiver import receiver


async def token_of(client: Client, scopes: list[str]) -> str:
    r = await client.send_json("POST", "/api/tokens", {"name": "core insurance", "scopes": scopes})
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def problem(r: Any) -> dict[str, Any]:
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers["content-type"]
    body: dict[str, Any] = r.json()
    return body


async def test_refusals_are_problems_beside_their_field(client: Client) -> None:
    cover = await insurer()
    firm = await sme()
    other = await sme("深圳市另一家科技有限公司")  # words: data
    short = await record(firm.principal, eligible("CN109637352B", patentees=[SME_NAME]))
    await patents.update_patent(short, {"expiry_date": rules.add_years(insurance.today(), 3) - timedelta(days=1)})
    await sign_in(client, firm.account)
    body = {"product_version_id": cover.product_version_id, "patent_ids": [firm.patent, short]}

    r = await client.send_json("POST", "/api/insurance/eligibility", body, headers={"accept-language": "en"})
    assert r.status_code == 200, r.text
    by_id = {e["patent_id"]: e for e in r.json()}
    assert by_id[firm.patent]["ok"] and not by_id[short]["ok"]
    [term] = by_id[short]["reasons"]
    assert term["code"] == rules.TERM_SHORT and "at least 3 years" in term["message"]["message"]
    assert term["source"] == rules.PILOT and "Beijing" in term["source_text"]["message"]

    r = await client.send_json("POST", "/api/insurance/applications", body, headers={"accept-language": "en"})
    assert r.status_code == 422
    errors = problem(r)["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(f"patent_ids.{short}", rules.TERM_SHORT)]
    r = await client.send_json(
        "POST", "/api/insurance/applications",
        {"product_version_id": cover.product_version_id, "patent_ids": [other.patent]},
    )  # fmt: skip
    assert r.status_code == 404 and problem(r)["errors"][0]["code"] == rules.NOT_HOLDER
    assert await InsuranceApplication.count() == 0

    mine = {"product_version_id": cover.product_version_id, "patent_ids": [firm.patent]}
    r = await client.send_json("POST", "/api/insurance/applications", mine)
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    answers = {"questionnaire_version": 1, "answers": ANSWERS, "acknowledge_disclosure": True}
    r = await client.send_json("POST", f"/api/insurance/applications/{app_id}/answers", answers)
    assert r.status_code == 200, r.text
    quoted = r.json()["quote"]
    assert quoted["premium_minor"] == 220_000 and len(quoted["lines"]) >= 2
    before = await InsuranceApplication.select().where(InsuranceApplication.id == app_id).first()
    changed = {**answers, "answers": {**ANSWERS, "known_disputes": True}}
    r = await client.send_json(
        "POST", f"/api/insurance/applications/{app_id}/answers", changed, headers={"accept-language": "en"}
    )
    assert r.status_code == 409 and "frozen" in problem(r)["detail"]
    assert await InsuranceApplication.select().where(InsuranceApplication.id == app_id).first() == before


async def test_an_insurer_token_sees_only_its_own_applications(client: Client) -> None:
    cover = await insurer()
    rival = await insurer("太平洋财险北京分公司（测试）")  # words: data
    firm = await sme()
    app = await submitted(firm, cover)

    await sign_in(client, rival.account)
    bearer = {"authorization": f"Bearer {await token_of(client, ['read', 'write'])}"}
    client.cookies.clear()
    assert (await client.get(f"/api/insurance/applications/{app.id}", headers=bearer)).status_code == 404
    assert (await client.get("/api/insurance/applications", headers=bearer)).json() == []
    body = {"expected_version": app.version, "outcome": "accept"}
    r = await client.post(f"/api/insurance/applications/{app.id}/decision", json=body, headers=bearer)
    assert r.status_code == 404

    await sign_in(client, cover.account)
    bearer = {"authorization": f"Bearer {await token_of(client, ['read', 'write'])}"}
    client.cookies.clear()
    assert [a["id"] for a in (await client.get("/api/insurance/applications", headers=bearer)).json()] == [app.id]
    stale = {"expected_version": app.version - 1, "outcome": "accept"}
    r = await client.post(f"/api/insurance/applications/{app.id}/decision", json=stale, headers=bearer)
    assert r.status_code == 409
    r = await client.post(f"/api/insurance/applications/{app.id}/decision", json=body, headers=bearer)
    assert r.status_code == 200 and r.json()["state"] == "accepted"


async def test_the_pages_in_both_languages(client: Client) -> None:
    cover = await insurer(approval_thresholds=[{"above_minor": 1_000_000, "approvals": 2}])  # four eyes for all
    firm = await sme()
    app = await apply(firm, cover)
    await sign_in(client, firm.account)
    for lang, words in (("zh", "如实告知义务"), ("en", "Duty of disclosure")):
        client.cookies.set("lang", lang)
        for path in (
            "/sme/insurance",
            f"/sme/insurance/new?product={cover.product_version_id}&patent_ids={firm.patent}",
            f"/sme/insurance/{app.id}",
        ):
            r = await client.get(path)
            assert r.status_code == 200, (path, r.text[:500])
        page = (await client.get(f"/sme/insurance/{app.id}")).text
        assert words in page and 'id="answer-form"' in page and "law.insurance" not in page
    new = (await client.get(f"/sme/insurance/new?product={cover.product_version_id}&patent_ids={firm.patent}")).text
    assert f'id="eligibility-{firm.patent}" data-ok="yes"' in new

    # the questionnaire through the page: left unacknowledged, refused beside the box; then frozen with the quote
    client.cookies.set("lang", "zh")
    token = await client.csrf()
    form = {"questionnaire_version": "1", "answer_known_disputes": "no", "answer_turnover": "1200"}
    r = await client.post(f"/sme/insurance/{app.id}/answer", data=form, headers={"x-csrftoken": token})
    assert r.status_code == 422 and 'id="err-ack"' in r.text
    r = await client.post(
        f"/sme/insurance/{app.id}/answer", data={**form, "acknowledge_disclosure": "on"}, headers={"x-csrftoken": token}
    )
    assert r.status_code == 200 and 'id="answers"' in r.text and 'class="quote-line"' in r.text
    r = await client.post(
        f"/sme/insurance/{app.id}/answer", data={**form, "acknowledge_disclosure": "on"}, headers={"x-csrftoken": token}
    )
    assert r.status_code == 409 and "不能再次回答或修改" in r.text  # words: data
    r = await client.post(
        f"/sme/insurance/{app.id}/documents",
        data={"requirement": "patent_certificate"},
        files={"file": ("certificate.pdf", PDF, "application/pdf")},
        headers={"x-csrftoken": token},
    )
    row = 'data-requirement="patent_certificate" data-required="yes" data-satisfied="yes"'
    assert r.status_code == 200 and row in r.text
    version = (await insurance.application(app.id)).version
    r = await client.post(f"/sme/insurance/{app.id}/submit", data={"expected_version": str(version)},
                          headers={"x-csrftoken": token})  # fmt: skip
    assert r.status_code == 200 and 'data-state="submitted"' in r.text

    client.cookies.clear()
    await sign_in(client, cover.account)
    token = await client.csrf()
    for lang, words in (("zh", "开始核保"), ("en", "Start the review")):
        client.cookies.set("lang", lang)
        assert (await client.get("/insurer/applications")).status_code == 200
        r = await client.get(f"/insurer/applications/{app.id}")
        assert r.status_code == 200 and words in r.text
    desk = await client.get("/desk")
    assert desk.status_code == 200 and "/desk/cases/" in desk.text
    version = (await insurance.application(app.id)).version
    await client.post(f"/insurer/applications/{app.id}/review", data={"expected_version": str(version)},
                      headers={"x-csrftoken": token})  # fmt: skip
    version = (await insurance.application(app.id)).version
    r = await client.post(
        f"/insurer/applications/{app.id}/decide",
        data={"expected_version": str(version), "outcome": "accept", "conditions": "除外：已知纠纷"},  # words: data
        headers={"x-csrftoken": token},
    )
    assert r.status_code == 200 and 'data-state="proposed"' in r.text
    current = await insurance.get(principal=cover.underwriter, application_id=app.id)
    r = await client.post(
        f"/insurer/applications/{app.id}/approve",
        data={"expected_version": str(current.version), "proposal_id": str(current.pending_proposal_id)},
        headers={"x-csrftoken": token},
    )
    assert r.status_code == 403 and 'id="err-approve"' in r.text  # the maker's own approval, beside the form
    assert (await insurance.application(app.id)).state == "proposed"


async def test_the_university_consent_page(client: Client) -> None:
    firm = await sme()
    held = await licensed(firm)
    await sign_in(client, firm.account)
    r = await client.post("/sme/insurance/consents", data={"licence_id": str(held.licence)},
                          headers={"x-csrftoken": await client.csrf()})  # fmt: skip
    assert r.status_code == 200 and 'id="done"' in r.text
    client.cookies.clear()

    [consent] = await insurance.consents_for(principal=held.university)
    u = held.university
    uni_account = Account(user_id=u.user_id, org_id=u.org_id, email=u.email, org_name=u.org_name, kind="university")
    await sign_in(client, uni_account)
    token = await client.csrf()
    for lang in ("zh", "en"):
        client.cookies.set("lang", lang)
        r = await client.get("/university/insurance-consents")
        assert r.status_code == 200 and f'id="consent-{consent.id}" data-state="requested"' in r.text
    r = await client.post(f"/university/insurance-consents/{consent.id}/grant", data={"expected_version": "1"},
                          headers={"x-csrftoken": token})  # fmt: skip
    assert r.status_code == 200 and 'name="confirmed"' in r.text  # a confirmation step first
    r = await client.post(
        f"/university/insurance-consents/{consent.id}/grant",
        data={"expected_version": "1", "confirmed": "yes"}, headers={"x-csrftoken": token},
    )  # fmt: skip
    assert r.status_code == 200 and f'id="consent-{consent.id}" data-state="granted"' in r.text


async def test_the_insurers_webhooks_receive_the_decision(client: Client, job_queue: Any) -> None:
    cover = await insurer()
    firm = await sme()
    with receiver([200]) as server:
        async with jobs.unit_of_work():
            await webhooks.create_endpoint(
                principal=cover.underwriter, data=EndpointIn(url=server.url + "/insurer", events=["insurance.*"]),
                allow_loopback_http=True,
            )  # fmt: skip
        app = await submitted(firm, cover)
        async with unit_of_work():
            await insurance.decide(
                principal=cover.underwriter, application_id=app.id,
                data=DecisionIn(expected_version=app.version, outcome="accept"),
            )  # fmt: skip
        await job_queue.drain()
        await job_queue.drain()
        got = [(r.path, json.loads(r.body)) for r in server.got]
    types = sorted(body["type"] for _, body in got)
    assert types == ["insurance.application.accepted", "insurance.application.submitted"], types
    accepted = next(body for _, body in got if body["type"] == "insurance.application.accepted")
    assert accepted["data"]["application_id"] == app.id and accepted["data"]["insurer_org"] == cover.underwriter.org_id


async def test_the_patentee_records_an_infringement_dispute_in_the_facts_form(client: Client) -> None:
    firm = await sme()
    await sign_in(client, firm.account)
    token = await client.csrf()
    r = await client.post(
        f"/patents/{firm.patent}/facts",
        data={"infringement_dispute": "pending", "infringement_dispute_note": "（2026）京73民初1号"},  # words: data
        headers={"x-csrftoken": token},
    )
    assert r.status_code in (200, 303), r.text[:300]
    row = await patents.patent_by_id(firm.patent)
    assert row is not None and row.infringement_dispute == "pending" and row.infringement_dispute_note
    page = (await client.get(f"/patents/{firm.patent}")).text
    assert 'id="infringement-dispute"' in page and "存在未决纠纷" in page  # words: data
    r = await client.post(f"/patents/{firm.patent}/facts", data={"infringement_dispute": ""},
                          headers={"x-csrftoken": token})  # fmt: skip
    row = await patents.patent_by_id(firm.patent)
    assert row is not None and row.infringement_dispute == ""
