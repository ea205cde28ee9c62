"""Subsidy pages: the issuer's programme form (yuan and percent as typed, every problem beside its field, a new version
on edit, open after a confirmation), in both languages; the API's problem+json for the same terms."""

from __future__ import annotations

from typing import Any

from finance.subsidies import service as subsidies
from tests.conftest import Client, make_account, sign_in

HTML = {"accept": "text/html"}

FORM: dict[str, Any] = {
    "code": "bj-2026", "name_zh": "北京市知识产权保险保费补贴", "name_en": "Beijing premium subsidy",
    "kinds": ["enforcement", "infringement_loss"], "first_sme": "100", "later_sme": "90", "first_champion": "100",
    "later_champion": "80", "tiercap_sme": "200,000", "tiercap_champion": "500000", "budget": "5000000",
    "kc_rows": "2", "th_rows": "2", "th_above_0": "100000", "th_n_0": "1", "source": "zscqj.beijing.gov.cn",
}  # fmt: skip


async def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    headers = {"x-csrftoken": await client.csrf(), **HTML}
    return await client.post(url, data=data, headers=headers, follow_redirects=False)


async def test_an_issuer_writes_a_programme_with_errors_beside_their_fields_then_opens_it(client: Client) -> None:
    issuer = await make_account("voucher_issuer")
    await sign_in(client, issuer)
    bad = await post(client, "/issuer/subsidies/new", {**FORM, "first_sme": "1.005", "budget": "abc"})
    assert bad.status_code == 400
    for field in ("first_sme", "budget"):
        assert f'id="{field}-error"' in bad.text, field
    assert 'value="1.005"' in bad.text  # what was typed stays
    uncovered = await post(client, "/issuer/subsidies/new", {**FORM, "kinds": ["enforcement"],
                                                             "kc_kinds_0": ["overseas_liability"],
                                                             "kc_amount_0": "400000"})
    assert uncovered.status_code == 422 and 'id="kc_amount_0-error"' in uncovered.text
    assert await subsidies.programmes_of_issuer(issuer.org_id) == []
    made = await post(client, "/issuer/subsidies/new", FORM)
    assert made.status_code in (302, 303), made.text
    programme_id = int(made.headers["location"].split("/")[3].split("?")[0])
    row = await subsidies.programme(programme_id)
    assert row is not None and row.share_later_bp == {"sme": 9000, "champion": 8000}
    assert row.tier_caps == {"sme": 20_000_000, "champion": 50_000_000}
    assert row.approval_thresholds == ((10_000_000, 1),)
    edited = await post(client, f"/issuer/subsidies/{programme_id}",
                        {**FORM, "later_sme": "85", "expected_version": "1"})
    assert edited.status_code in (302, 303)
    page = await client.get(f"/issuer/subsidies/{programme_id}", headers=HTML)
    assert 'id="programme-version">v2' in page.text and 'id="version-1"' in page.text
    first = await subsidies.programme(programme_id, 1)
    assert first is not None and first.share_later_bp["sme"] == 9000  # the old version stays as it was
    ask = await post(client, f"/issuer/subsidies/{programme_id}/open", {"expected_version": "2"})
    assert ask.status_code == 200 and 'name="confirmed"' in ask.text
    assert (await subsidies.programme(programme_id)).status == "draft"  # type: ignore[union-attr]
    done = await post(client, f"/issuer/subsidies/{programme_id}/open", {"expected_version": "2", "confirmed": "yes"})
    assert done.status_code in (302, 303)
    assert (await subsidies.programme(programme_id)).status == "open"  # type: ignore[union-attr]
    client.cookies.set("lang", "en")
    english = await client.get("/issuer/subsidies", headers=HTML)
    assert "Premium subsidy programmes" in english.text and "open" in english.text


async def test_the_api_refuses_bad_terms_with_problem_json_and_another_issuer_sees_no_draft(client: Client) -> None:
    issuer = await make_account("voucher_issuer")
    await sign_in(client, issuer)
    body = {"code": "sd", "name_zh": "山东", "kinds": ["enforcement"], "share_first_bp": {"sme": 6000},
            "kind_caps_minor": {"overseas_liability": 100}}  # fmt: skip
    r = await client.send_json("POST", "/api/subsidies/programmes", body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"] == "kind_caps_minor.overseas_liability" for e in r.json()["errors"])
    r = await client.send_json("POST", "/api/subsidies/programmes", {**body, "kind_caps_minor": {}})
    assert r.status_code == 201, r.text
    draft = r.json()["id"]
    other = await make_account("voucher_issuer")
    await sign_in(client, other)
    assert (await client.get(f"/api/subsidies/programmes/{draft}")).status_code == 404
    firm = await make_account("sme")
    await sign_in(client, firm)
    assert (await client.send_json("POST", "/api/subsidies/programmes", {**body, "code": "x2"})).status_code == 403


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def test_a_firm_claims_from_its_page_and_the_issuer_reviews_approves_and_pays(client: Client) -> None:
    from tests.finance.insurance_support import accepted_application
    from tests.finance.policy_support import in_force_policy
    from tests.finance.subsidy_support import BEIJING, open_programme

    made = await in_force_policy(await accepted_application())
    issuer = await make_account("voucher_issuer")
    from tests.finance.support import principal_of

    programme_id = await open_programme(await principal_of(issuer), "bj", BEIJING)
    await sign_in(client, made.sme.account)
    mine = await client.get("/sme/subsidies", headers=HTML)
    assert mine.status_code == 200 and f'id="option-{made.policy_id}-{programme_id}"' in mine.text
    assert "首次投保" in mine.text and "¥2,200.00" in mine.text  # 100% of the CNY 2,200 premium
    form = {"policy_id": str(made.policy_id), "programme_id": str(programme_id)}
    headers = {"x-csrftoken": await client.csrf(), **HTML}
    missing = await client.post("/sme/subsidies/", data=form, headers=headers, follow_redirects=False)
    assert missing.status_code == 422 and "请上传保费缴纳凭证" in missing.text
    filed = await client.post("/sme/subsidies/", data=form, files={"file": ("slip.pdf", PDF, "application/pdf")},
                              headers=headers, follow_redirects=False)  # fmt: skip
    assert filed.status_code in (302, 303), filed.text
    claim_id = int(filed.headers["location"].split("/")[3].split("?")[0])
    page = await client.get(f"/sme/subsidies/{claim_id}", headers=HTML)
    assert 'id="claim-state">已提交' in page.text and "slip.pdf" in page.text
    await sign_in(client, issuer)
    queue = await client.get("/issuer/subsidy-claims", headers=HTML)
    assert f'id="claim-{claim_id}"' in queue.text
    case = await subsidies.get_claim(principal=await principal_of(issuer), claim_id=claim_id)
    reviewed = await post(client, f"/issuer/subsidy-claims/{claim_id}/review", {"expected_version": str(case.version)})
    assert reviewed.status_code in (302, 303)
    case = await subsidies.get_claim(principal=await principal_of(issuer), claim_id=claim_id)
    too_much = await post(client, f"/issuer/subsidy-claims/{claim_id}/approve",
                          {"expected_version": str(case.version), "amount": "2200.01"})  # fmt: skip
    assert too_much.status_code == 422 and 'id="amount_minor-error"' in too_much.text
    approved = await post(client, f"/issuer/subsidy-claims/{claim_id}/approve", {"expected_version": str(case.version)})
    assert approved.status_code in (302, 303)
    case = await subsidies.get_claim(principal=await principal_of(issuer), claim_id=claim_id)
    pay = {"expected_version": str(case.version), "paid_on": "2026-01-05", "reference": "BJ-SUB-1"}
    ask = await post(client, f"/issuer/subsidy-claims/{claim_id}/pay", pay)
    assert ask.status_code == 200 and 'name="confirmed"' in ask.text
    done = await post(client, f"/issuer/subsidy-claims/{claim_id}/pay", {**pay, "confirmed": "yes"})
    assert done.status_code in (302, 303), done.text
    client.cookies.set("lang", "en")
    page = await client.get(f"/issuer/subsidy-claims/{claim_id}", headers=HTML)
    assert 'id="claim-state">paid' in page.text and "BJ-SUB-1" in page.text and "First policy" in page.text


async def test_the_application_page_shows_the_subsidy_estimate_of_its_quote(client: Client) -> None:
    from tests.finance.insurance_support import accepted_application
    from tests.finance.subsidy_support import BEIJING, open_programme
    from tests.finance.support import principal_of

    accepted = await accepted_application()
    await open_programme(await principal_of(await make_account("voucher_issuer")), "bj", BEIJING)
    await sign_in(client, accepted.sme.account)
    page = await client.get(f"/sme/insurance/{accepted.application_id}", headers=HTML)
    assert page.status_code == 200 and 'id="subsidies"' in page.text and "可申请的保费补贴" in page.text
    assert 'data-amount="220000"' in page.text
    api = await client.get(f"/api/insurance/applications/{accepted.application_id}/subsidies")
    assert api.status_code == 200 and api.json()[0]["amount"]["minor"] == 220_000
    assert api.json()[0]["lines"][0]["message"]
